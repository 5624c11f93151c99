/* bluehelmet public alert form: keep alerts on the phone while offline, send when back online.
 *
 * Optional: without JavaScript the form posts as a plain HTML form. With it, every alert is
 * first written to localStorage (with the idempotency key the server put in the form), then sent
 * with XMLHttpRequest; it leaves the queue only when the server answered. Sending the same key
 * twice stores one alert (the server is idempotent on it), so a retry after a lost answer never
 * duplicates. Plain ES5, no library, nothing inline (the page's Content-Security-Policy allows
 * scripts from this site only). Messages come from the form's data- attributes (translated).
 */
(function () {
  "use strict";
  var STORE = "bluehelmet.alert-queue";
  var form = document.getElementById("alert-form");
  var status = document.getElementById("alert-status");
  if (!form || !window.XMLHttpRequest) { return; }
  var storage = null;
  try { storage = window.localStorage; storage.getItem(STORE); } catch (e) { storage = null; }
  if (!storage) { return; }  /* no storage: the plain form still works */

  function load() {
    try { return JSON.parse(storage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { storage.setItem(STORE, JSON.stringify(queue)); }
  function say(kind) {
    status.textContent = form.getAttribute("data-msg-" + kind) || "";
    status.setAttribute("data-state", kind);
    if (kind === "sent") { status.setAttribute("data-testid", "alert-received"); }
    else { status.removeAttribute("data-testid"); }
  }
  function newKey() {
    var bytes = [], i, hex = "";
    if (window.crypto && window.crypto.getRandomValues) {
      var buf = new Uint8Array(16); window.crypto.getRandomValues(buf);
      for (i = 0; i < 16; i++) { bytes.push(buf[i]); }
    } else {
      for (i = 0; i < 16; i++) { bytes.push(Math.floor(Math.random() * 256)); }
    }
    for (i = 0; i < 16; i++) { hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return hex;
  }
  function encode(element) {
    var parts = [], i, field;
    for (i = 0; i < element.elements.length; i++) {
      field = element.elements[i];
      if (!field.name || field.disabled) { continue; }
      parts.push(encodeURIComponent(field.name) + "=" + encodeURIComponent(field.value));
    }
    return parts.join("&");
  }
  function post(item, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", item.action, true);
    xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    xhr.timeout = 30000;
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) { done("sent"); }
      else if (xhr.status === 400) { done("refused"); }
      else if (xhr.status === 403) { done("stale"); }  /* CSRF cookie gone: get a new token */
      else { done("retry"); }  /* 429, 5xx: keep it and try again later */
    };
    xhr.onerror = xhr.ontimeout = function () { done("retry"); };
    xhr.send(item.body);
  }
  function refresh(item, done) {
    /* Load the form again (a new CSRF cookie and token) and put the token in the queued alert. */
    var xhr = new XMLHttpRequest();
    xhr.open("GET", item.action, true);
    xhr.timeout = 30000;
    xhr.onload = function () {
      var found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(xhr.responseText || "");
      if (xhr.status === 200 && found) {
        save(load().map(function (other) {
          if (other.key === item.key) {
            other.body = other.body.replace(/csrfmiddlewaretoken=[^&]*/,
              "csrfmiddlewaretoken=" + encodeURIComponent(found[1]));
          }
          return other;
        }));
      }
      done();
    };
    xhr.onerror = xhr.ontimeout = function () { done(); };
    xhr.send();
  }
  var busy = false;
  function flush(afterRefresh) {
    if (busy) { return; }
    var queue = load();
    if (!queue.length) { return; }
    busy = true;
    var item = queue[0];
    post(item, function (result) {
      if (result === "stale" && afterRefresh !== true) {  /* one new token per round */
        refresh(item, function () { busy = false; flush(true); });
        return;
      }
      busy = false;
      if (result === "retry" || result === "stale") { say("queued"); return; }
      save(load().filter(function (other) { return other.key !== item.key; }));
      say(result);
      flush(false);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var queue = load();
    queue.push({key: form.elements.key.value, action: form.action, body: encode(form)});
    save(queue);
    form.reset();
    form.elements.key.value = newKey();
    say("queued");
    flush(false);
  });
  window.addEventListener("online", function () { flush(false); });
  setInterval(function () { flush(false); }, 15000);
  flush(false);
}());
