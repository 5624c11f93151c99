// The operations picture: country outlines, then the reader's layers (reports, incidents,
// hotspots, early-warning risk, bases). No inline script, no tile server: every request goes to
// this site, and every layer is filtered by the server for the signed-in reader.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  var markingOut = document.getElementById("map-marking");
  var fromYear = document.getElementById("from-year");
  var toYear = document.getElementById("to-year");
  var map = L.map(element, { preferCanvas: true }).setView([17, -2], 5);
  var colours = { unclassified: "#1d4e89", confidential: "#c77c02", strictly_confidential: "#a30000" };
  var rank = { unclassified: 0, confidential: 1, strictly_confidential: 2 };
  var layers = {};
  var markings = {};
  var clustered = false;
  var first = true;

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function query(extra) {
    var params = new URLSearchParams();
    if (fromYear && toYear && (fromYear.value !== fromYear.min || toYear.value !== toYear.max)) {
      params.set("from", fromYear.value);
      params.set("to", toYear.value);
    }
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    var s = params.toString();
    return s ? "?" + s : "";
  }

  function showMarking() {
    var top = "unclassified";
    Object.keys(markings).forEach(function (k) {
      if (layers[k] && rank[markings[k]] > rank[top]) { top = markings[k]; }
    });
    markingOut.textContent = top;
  }

  function wanted(name) {
    var box = document.querySelector("input[name=layer][value=" + name + "]");
    return box && box.checked;
  }

  function replace(name, layer, marking) {
    if (layers[name]) { map.removeLayer(layers[name]); delete layers[name]; }
    if (layer && wanted(name)) { layers[name] = layer.addTo(map); markings[name] = marking; }
    showMarking();
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function reports() {
    var extra = {};
    if (clustered && !first) {
      var b = map.getBounds();
      extra.bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(3); }).join(",");
    }
    return get(element.dataset.reports + query(extra)).then(function (data) {
      clustered = data.cell !== null && data.cell !== undefined;
      var total = 0;
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          if (p.count) {
            total += p.count;
            return L.circleMarker(latlng, { radius: 4 + Math.min(20, Math.sqrt(p.count)), weight: 1,
              color: "#000", fillColor: colours[p.classification] || "#000", fillOpacity: 0.6 })
              .bindPopup(text(p.count + " reports (" + p.classification + ")"));
          }
          total += 1;
          return L.circleMarker(latlng, { radius: 5, weight: 1, color: "#000",
            fillColor: colours[p.classification] || "#000", fillOpacity: 0.8 })
            .bindPopup(text(p.id + " · " + p.category + " · " + p.time + " · " + p.classification));
        }
      });
      replace("reports", layer, data.classification);
      element.dataset.features = String(data.features.length);
      status.textContent = clustered ? total + " reports in " + data.features.length + " clusters"
        : data.features.length + " reports on the map";
      if (first && data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 8 }); }
      first = false;
    });
  }

  function incidents() {
    return get(element.dataset.incidents + query()).then(function (data) {
      replace("incidents", L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, { radius: 9, weight: 3, color: "#6a1b9a", fill: false })
            .bindPopup(text(p.id + " · " + p.title + " · " + p.reports + " reports · " + p.classification));
        }
      }), data.classification);
      element.dataset.incidentFeatures = String(data.features.length);
    });
  }

  function cells(name, style, label) {
    if (!wanted(name)) { replace(name, null, null); return Promise.resolve(); }
    return get(element.dataset[name] + query()).then(function (data) {
      replace(name, L.geoJSON(data, { style: style, onEachFeature: function (f, l) {
        l.bindPopup(text(label(f.properties)));
      } }), data.classification);
      if (data.pending) {  // trained by the job worker, never on the request: ask again soon
        status.textContent = "the " + name + " layer is being computed; it appears when ready";
        setTimeout(function () { if (wanted(name)) { loaders[name](); } }, 3000);
        return;
      }
      if (data.error) { status.textContent = "the " + name + " layer failed: " + data.error; }
      element.dataset[name + "Features"] = String(data.features.length);
    });
  }

  function hotspots() {
    return cells("hotspots", { color: "#a30000", weight: 1, fillOpacity: 0.35 }, function (p) {
      return "hotspot: " + p.reports + " reports, z = " + p.z;
    });
  }

  function risk() {
    return cells("risk", function (f) {
      return { color: "#ff6f00", weight: 0, fillOpacity: Math.min(0.8, 0.1 + f.properties.risk) };
    }, function (p) { return "risk of civilian deaths next year: " + Math.round(p.risk * 100) + " %"; });
  }

  function bases() {
    return get(element.dataset.bases).then(function (data) {
      replace("bases", L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 6, weight: 2, color: "#fff", fillColor: "#1b5e20", fillOpacity: 1 })
            .bindPopup(text(feature.properties.name + " (" + feature.properties.kind + ")"));
        }
      }), data.classification);
    });
  }

  function units() {
    return get(element.dataset.units).then(function (data) {
      replace("units", L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, { radius: 8, weight: 2, color: "#1b5e20", fill: false })
            .bindPopup(text(p.location + " (" + p.mission + "): " + p.units.join(", ")));
        }
      }), data.classification);
      element.dataset.unitsFeatures = String(data.features.length);
    });
  }

  var loaders = { reports: reports, incidents: incidents, hotspots: hotspots, risk: risk, bases: bases,
    units: units };

  function refresh(names) {
    return Promise.all(names.map(function (n) {
      return wanted(n) ? loaders[n]() : Promise.resolve(replace(n, null, null));
    })).catch(function (error) { status.textContent = "the map could not be loaded: " + error; });
  }

  get(element.dataset.base).then(function (data) {
    L.geoJSON(data, { style: { color: "#777", weight: 1, fillColor: "#eee", fillOpacity: 1 } }).addTo(map);
    return refresh(["reports", "incidents", "hotspots", "risk", "bases", "units"]);
  }).catch(function (error) { status.textContent = "the map could not be loaded: " + error; });

  document.querySelectorAll("input[name=layer]").forEach(function (box) {
    box.addEventListener("change", function () { refresh([box.value]); });
  });
  [fromYear, toYear].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener("change", function () {
      if (Number(fromYear.value) > Number(toYear.value)) {
        if (input === fromYear) { toYear.value = fromYear.value; } else { fromYear.value = toYear.value; }
      }
      document.getElementById("from-label").textContent = fromYear.value;
      document.getElementById("to-label").textContent = toYear.value;
      refresh(["reports", "incidents", "hotspots", "risk"]);
    });
  });
  map.on("moveend", function () { if (clustered) { reports(); } });
}());
