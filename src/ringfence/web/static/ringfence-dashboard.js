/* The command dashboard: the Leaflet map of GeoJSON layers and the Vega-Lite charts (vega-embed).
   Everything is served by the app itself; a tile layer is drawn only when the settings name a tile URL. */
(function () {
  "use strict";

  var ZONE_COLOURS = { high: "#c62828", medium: "#ef6c00", low: "#f9a825" };

  function tooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;  // names come from the registers: never read as HTML
    return span;
  }

  function drawMap(el) {
    var labels = JSON.parse(el.getAttribute("data-labels") || "{}");
    var tiles = el.getAttribute("data-tile-url");
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: Boolean(tiles) });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    }
    fetch(el.getAttribute("data-layers-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var areas = L.geoJSON(data.areas, {
          style: function (f) {
            return f.properties.root
              ? { color: "#1b1f24", weight: 2, fill: false }
              : { color: "#3d4b5c", weight: 1.5, fillColor: "#dfe6ee", fillOpacity: 0.7 };
          },
          onEachFeature: function (f, layer) {
            if (f.properties.root) { return; }
            layer.bindTooltip(tooltip(f.properties.name), { sticky: true });
            if (f.properties.drillable) {
              layer.on("click", function () {
                window.location.href = "/?area=" + encodeURIComponent(f.properties.area_id);
              });
            }
          }
        });
        var rank = { low: 0, medium: 1, high: 2 };  // the higher level drawn last, on top
        data.zones.features.sort(function (a, b) { return (rank[a.properties.level] || 0) - (rank[b.properties.level] || 0); });
        var zones = L.geoJSON(data.zones, {
          style: function (f) {
            var colour = ZONE_COLOURS[f.properties.level] || "#888";
            // a low risk area is a whole district: light, so the districts and cases show through
            return { color: colour, weight: 2, fillColor: colour, fillOpacity: f.properties.level === "low" ? 0.2 : 0.55 };
          },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(tooltip((labels[f.properties.level] || f.properties.level) + " · " + f.properties.unit_id));
          }
        });
        var cases = L.geoJSON(data.cases, {
          pointToLayer: function (f, at) {
            return L.circleMarker(at, { radius: 5, color: "#7f0000", weight: 1, fillColor: "#d32f2f", fillOpacity: 0.9 });
          },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(tooltip((labels.case || "Case") + " " + f.properties.case_id + " · " + f.properties.confirmed));
          }
        });
        var sites = L.geoJSON(data.sites, {
          pointToLayer: function (f, at) {
            return L.circleMarker(at, { radius: 9, color: "#ffffff", weight: 2, fillColor: "#0b5cad", fillOpacity: 1 });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindTooltip(tooltip(p.name + " · " + (labels.beds || "beds") + " " + p.beds + " · " +
              (labels.occupied || "occupied") + " " + p.occupied + " · " + (labels.waiting || "waiting") + " " + p.waiting));
          }
        });
        var overlays = {};
        overlays[labels.areas || "Areas"] = areas.addTo(map);
        overlays[labels.zones || "Risk areas"] = zones.addTo(map);
        overlays[labels.cases || "Active cases"] = cases.addTo(map);
        overlays[labels.sites || "Isolation sites"] = sites.addTo(map);
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        var bounds = areas.getBounds();
        [zones, cases, sites].forEach(function (layer) {
          if (layer.getLayers().length) { bounds = bounds.isValid() ? bounds.extend(layer.getBounds()) : layer.getBounds(); }
        });
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); } else { map.setView([0, 0], 2); }
        el.setAttribute("data-ready", "true");
      })
      .catch(function (error) {
        el.setAttribute("data-ready", "failed");
        el.appendChild(tooltip(String(error)));
      });
  }

  function embedCharts(root) {
    var pending = root.querySelectorAll ? root.querySelectorAll("[data-spec]:not([data-embedded])") : [];
    Array.prototype.forEach.call(pending, function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      if (String(spec.$schema || "").indexOf("vega-lite") >= 0) {
        spec.width = "container";  // the panel's width: a laptop and a wall screen alike
        spec.autosize = { type: "fit-x", contains: "padding" };
      }
      el.setAttribute("data-embedded", "pending");
      vegaEmbed(el, spec, { actions: false, renderer: "svg" })
        .then(function () { el.setAttribute("data-embedded", "done"); })
        .catch(function (error) {
          el.setAttribute("data-embedded", "failed");
          el.appendChild(tooltip(String(error)));
        });
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) { embedCharts(event.detail.elt || document); });
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (el && window.L) { drawMap(el); }
    embedCharts(document);
  });
})();
