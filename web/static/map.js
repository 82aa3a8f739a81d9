// Pass numérique: maps of places, drawn with Leaflet over the list that
// already says everything. The points come from a JSON block named by the
// map's data-map attribute; without a tile server the points are drawn on a
// plain background, the view fitted to them.
(function () {
  "use strict";

  var brand = "#000091";

  function popup(p) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    box.appendChild(name);
    if (p.address) {
      var addr = document.createElement("div");
      addr.textContent = p.address;
      box.appendChild(addr);
    }
    if (p.approximate) {
      var approx = document.createElement("div");
      approx.textContent = "Position approximative (centre de la commune)";
      box.appendChild(approx);
    }
    if (p.href) {
      var link = document.createElement("a");
      link.href = p.href;
      link.textContent = "Voir la fiche du lieu";
      box.appendChild(link);
    }
    return box;
  }

  function draw(el) {
    var src = document.getElementById(el.getAttribute("data-map"));
    if (!src || !window.L) { return; }
    var data;
    try { data = JSON.parse(src.textContent); } catch (e) { return; }
    var points = data.points || [];
    if (!points.length && !data.origin) { return; }
    el.hidden = false;
    var map = L.map(el, { zoomControl: false, attributionControl: !!data.tiles, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    if (data.tiles) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    var bounds = [];
    if (data.origin) {
      L.circleMarker([data.origin.lat, data.origin.lng], {
        radius: 6, color: brand, weight: 2, fillColor: brand, fillOpacity: 1
      }).bindTooltip(data.origin.name).addTo(map);
      bounds.push([data.origin.lat, data.origin.lng]);
    }
    // On a plain background, a few names written next to their points
    // tell them apart; with map tiles, or many points, names show on hover.
    var named = !data.tiles && points.length <= 8;
    points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], {
        radius: 9, color: brand, weight: 3, fillColor: "#ffffff", fillOpacity: 1, dashArray: p.approximate ? "4 3" : null
      });
      m.bindTooltip(p.name, { permanent: named, direction: "right", offset: [10, 0] });
      m.bindPopup(popup(p));
      m.addTo(map);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.fitBounds(bounds, { padding: [28, 28], maxZoom: 15 });
    }
    // Leaflet names its popup's close button in English.
    map.on("popupopen", function (e) {
      var close = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", "Fermer"); close.title = "Fermer"; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var maps = document.querySelectorAll("[data-map]");
    for (var i = 0; i < maps.length; i++) { draw(maps[i]); }
  });
})();
