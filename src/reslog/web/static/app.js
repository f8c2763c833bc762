// reslog dashboard: draw the server-built Plotly figures, copy links, submit uploads. No network
// except this server.
(function () {
  "use strict";
  var lang = document.body.dataset.lang || "en";
  document.querySelectorAll("[data-fig]").forEach(function (el) {
    var src = document.getElementById(el.dataset.fig);
    if (!src || !window.Plotly) return;
    var fig = JSON.parse(src.textContent);
    var layout = Object.assign({}, fig.layout || {}, { autosize: true });
    window.Plotly.newPlot(el, fig.data, layout, { displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud"], toImageButtonOptions: { format: "png", filename: "reslog-" + el.id } })
      .then(function () { el.dataset.rendered = "1"; });
  });
  document.querySelectorAll(".copy-link").forEach(function (b) {
    b.addEventListener("click", function () {
      var done = function () { b.textContent = lang === "ja" ? "リンクをコピーしました" : "Link copied"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(location.href).then(done, done); } else { done(); }
    });
  });
  // Selectors apply at once (the state goes to the URL through the GET form).
  document.querySelectorAll("form.filters select").forEach(function (s) {
    s.addEventListener("change", function () { if (!/^shock/.test(s.form.id)) s.form.submit(); });
  });
  var watch = document.getElementById("watch-filters");
  if (watch) {
    watch.addEventListener("click", function () {
      var d = watch.dataset, err = document.getElementById("watch-error");
      var body = { name: d.name, countries: d.country ? [d.country] : [], commodities: d.commodity ? [d.commodity] : [],
                   event_types: d.type ? [d.type] : [] };
      fetch(d.url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
                     headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": d.csrf } })
        .then(function (r) {
          if (r.ok) { location.reload(); return; }
          return r.json().then(function (p) { err.textContent = (p.title || r.status) + (p.detail ? " — " + p.detail : ""); err.hidden = false; });
        });
    });
  }
  var up = document.getElementById("upload-form");
  if (up) {
    up.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var err = document.getElementById("upload-error");
      err.hidden = true;
      var data = new FormData(up);
      fetch(up.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "X-CSRF-Token": data.get("csrf") || "", "Accept": "application/json" } })
        .then(function (r) {
          if (r.ok) { location.href = up.dataset.done; return; }
          return r.json().then(function (p) {
            var msgs = (p.errors || []).map(function (e) { return (e.row ? "row " + e.row + ", " : "") + e.field + ": " + e.message; });
            err.textContent = (p.title || r.status) + (p.detail ? " — " + p.detail : "") + (msgs.length ? " (" + msgs.join("; ") + ")" : "");
            err.hidden = false;
          });
        })
        .catch(function (e) { err.textContent = String(e); err.hidden = false; });
    });
  }
})();
