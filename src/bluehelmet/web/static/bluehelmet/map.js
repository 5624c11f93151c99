// The operations map: country outlines and the reports the reader may see (no inline script,
// no tile server; every request goes to this site).
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  var map = L.map(element, { preferCanvas: true }).setView([17, -2], 5);
  var colours = { unclassified: "#1d4e89", confidential: "#c77c02", strictly_confidential: "#a30000" };
  fetch(element.dataset.base, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      L.geoJSON(data, { style: { color: "#777", weight: 1, fillColor: "#eee", fillOpacity: 1 } }).addTo(map);
      return fetch(element.dataset.reports, { credentials: "same-origin" });
    })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, { radius: 5, weight: 1, color: "#000",
            fillColor: colours[p.classification] || "#000", fillOpacity: 0.8 });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var text = document.createElement("span");
          text.textContent = p.id + " · " + p.category + " · " + p.time + " · " + p.classification;
          marker.bindPopup(text);
        }
      }).addTo(map);
      element.dataset.features = String(data.features.length);
      status.textContent = data.features.length + " reports on the map";
      if (data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 8 }); }
    })
    .catch(function (error) { status.textContent = "the map could not be loaded: " + error; });
}());
