/* The national map (ban-do-toan-quoc.html): every province's zones as an image, a province's units and
   communes added from ban-do-toan-quoc/<slug>.js when it is in view at the detail zoom or picked. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("national-config").textContent);
  const style = config.style;
  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.5 });
  const names = Object.fromEntries(config.provinces.map((p) => [p.slug, p]));
  const detail = {};      // slug → layer group, once its file has run
  const requested = {};   // slug → true once its file was asked for
  const failed = [];      // slugs whose file could not be loaded
  let picked = null;

  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function hectares(value) {
    return Number(value).toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " ha";
  }
  // The packed polygons of webmap.packed: per ring, the first point then steps, in 10^-decimals degrees.
  function unpack(packed) {
    const scale = Math.pow(10, config.decimals);
    const features = packed.polygons.map((parts, i) => ({
      type: "Feature",
      properties: packed.properties[i],
      geometry: {
        type: "MultiPolygon",
        coordinates: parts.map((rings) => rings.map((steps) => {
          const ring = [];
          let x = 0, y = 0;
          for (let k = 0; k < steps.length; k += 2) {
            x += steps[k]; y += steps[k + 1];
            ring.push([x / scale, y / scale]);
          }
          if (ring.length) ring.push(ring[0]);
          return ring;
        })),
      },
    }));
    // a zone with no land at this scale (too small for the overview's grid) draws nothing: it shows in the province's detail
    return { type: "FeatureCollection", features: features.filter((f) => f.geometry.coordinates.length) };
  }
  function zoneStyle(feature, opacity) {
    const s = style[feature.properties.zone];
    return { color: s.stroke, weight: 0.6, fillColor: s.fill, fillOpacity: opacity };
  }

  // The overview: each province's zones as an image on the Web Mercator pixels of the detail zoom (webmap.overview_png).
  const overlays = Object.fromEntries(config.overviews.map((o) =>
    [o.slug, L.imageOverlay(o.image, o.bounds, { opacity: 0.6, className: "national-overview", interactive: false }).addTo(map)]));
  const outlines = L.geoJSON(unpack(config.outlines), { style: { color: "#222", weight: 1.3, fill: false }, interactive: false }).addTo(map);
  map.fitBounds(outlines.getBounds());
  const zoneRows = Object.fromEntries(config.zones.map((z) => [`${z.slug}/${z.zone}`, z]));
  const fills = Object.entries(style).map(([zone, s]) => [zone, [1, 3, 5].map((k) => parseInt(s.fill.slice(k, k + 2), 16))]);
  const pixels = {};  // slug → the ImageData of its overview, read on the first click there

  function pixelsOf(slug) {
    if (!pixels[slug]) {
      const image = overlays[slug].getElement();
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      pixels[slug] = context.getImageData(0, 0, canvas.width, canvas.height);
    }
    return pixels[slug];
  }
  // The zone drawn at a point of a province's overview: its colour's nearest zone colour; null outside the province.
  function zoneAt(overview, latlng) {
    const point = L.CRS.EPSG3857.project(latlng);
    const [west, north, size] = overview.grid;
    const col = Math.floor((point.x - west) / size), row = Math.floor((north - point.y) / size);
    const data = pixelsOf(overview.slug);
    if (col < 0 || row < 0 || col >= data.width || row >= data.height) return null;
    const i = (row * data.width + col) * 4;
    if (data.data[i + 3] === 0) return null;
    const distance = (rgb) => rgb.reduce((sum, v, k) => sum + (v - data.data[i + k]) ** 2, 0);
    return fills.reduce((best, f) => (distance(f[1]) < distance(best[1]) ? f : best))[0];
  }
  function overviewAt(latlng) {
    for (const o of config.overviews) {
      if (L.latLngBounds(o.bounds).contains(latlng)) {
        const zone = zoneAt(o, latlng);
        if (zone) return { slug: o.slug, zone };
      }
    }
    return null;
  }
  map.on("click", (e) => {
    const found = overviewAt(e.latlng);
    if (!found || (detail[found.slug] && map.hasLayer(detail[found.slug]))) return;  // a detail shown answers with its unit
    const row = zoneRows[`${found.slug}/${found.zone}`];
    L.popup().setLatLng(e.latlng).setContent(
      `<b>${escape(style[found.zone].vi)}</b><br><span class="en">${escape(style[found.zone].en)}</span><br>` +
      `${escape(names[found.slug].name)}: ${row ? hectares(row.area_ha) : ""}`).openOn(map);
  });

  const panel = L.control({ position: "topright" });
  panel.onAdd = function () {
    const div = L.DomUtil.create("div", "national-panel");
    const legend = Object.values(style).map((s) =>
      `<div><span class="legend-swatch" style="background:${s.fill}"></span>${escape(s.vi)} <span class="en">/ ${escape(s.en)}</span></div>`).join("");
    const options = config.provinces.map((p) => `<option value="${escape(p.slug)}">${escape(p.name)}</option>`).join("");
    div.innerHTML = "<h1>Phân vùng môi trường toàn quốc<br><span class='en'>National environmental zoning</span></h1>" +
      `<label for="national-pick">Chọn tỉnh / Pick a province</label><select id="national-pick">` +
      `<option value="">Toàn quốc / Whole country</option>${options}</select>${legend}` +
      `<div class="national-note">Màu nhạt: vùng chiếm dưới nửa ô ảnh (khoảng 300 m) khi xem cả nước <span class="en">/ ` +
      `Pale: the zone covers under half of an image cell (about 300 m) in the country view</span></div>` +
      `<div id="national-status">Phóng to để xem chi tiết từng tỉnh / Zoom in for each province's detail</div>`;
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  panel.addTo(map);
  const status = document.getElementById("national-status");
  const select = document.getElementById("national-pick");
  select.addEventListener("change", () => {
    picked = select.value || null;
    // not animated: a zoom animation still running would swallow the next pick
    map.fitBounds(picked ? names[picked].bounds : outlines.getBounds(), { animate: false });
    refresh();
  });

  function request(slug) {
    if (requested[slug]) return;
    requested[slug] = true;
    const script = document.createElement("script");
    script.src = `${config.detailFolder}/${encodeURIComponent(slug)}.js`;
    script.onerror = () => {
      failed.push(slug);
      status.className = "error";
      status.textContent = `Không tải được chi tiết của ${failed.map((s) => names[s].name).join(", ")} ` +
        `(thiếu tệp trong thư mục ${config.detailFolder} bên cạnh trang này) / ` +
        `Could not load the detail of ${failed.map((s) => names[s].name_en).join(", ")} (files missing from the folder ${config.detailFolder} beside this page)`;
    };
    document.head.appendChild(script);
  }

  function refresh() {
    const view = map.getBounds();
    const deep = map.getZoom() >= config.detailZoom;
    for (const p of config.provinces) {
      const wanted = p.slug === picked || (deep && view.intersects(L.latLngBounds(p.bounds)));
      if (wanted) request(p.slug);
      const group = detail[p.slug];
      if (group && wanted !== map.hasLayer(group)) {
        if (wanted) group.addTo(map); else map.removeLayer(group);
      }
    }
    const provinceName = (slug) => names[slug].name;
    for (const [slug, overlay] of Object.entries(overlays)) {
      overlay.setOpacity(detail[slug] && map.hasLayer(detail[slug]) ? 0 : 0.6);
    }
    const shown = window.zoningNational.shown();
    if (status.className !== "error") {
      status.textContent = shown.length ? `Đang xem chi tiết / Detail shown: ${shown.map(provinceName).join(", ")}`
        : "Phóng to để xem chi tiết từng tỉnh / Zoom in for each province's detail";
    }
  }

  window.zoningNational = {
    detail(slug, data) {
      const group = L.layerGroup([
        L.geoJSON(unpack(data.units), {
          style: (f) => zoneStyle(f, 0.6),
          onEachFeature: (f, layer) => layer.bindPopup(
            `<b>${escape(f.properties.name)}</b><br>${escape(style[f.properties.zone].vi)}<br>${escape(f.properties.citation)}` +
            `<br>${escape(f.properties.status)} · ${hectares(f.properties.area_ha)}`),
        }),
        L.geoJSON(unpack(data.communes), {
          style: { color: "#555", weight: 0.7, dashArray: "3 3", fill: false },
          onEachFeature: (f, layer) => layer.bindTooltip(`${escape(f.properties.name)} · ${hectares(f.properties.area_ha)}`, { sticky: true }),
        }),
      ]);
      detail[slug] = group;
      refresh();
    },
    shown: () => Object.keys(detail).filter((slug) => map.hasLayer(detail[slug])),
    requested: () => Object.keys(requested),
    zoneAt: (lat, lon) => overviewAt(L.latLng(lat, lon)),
    map,
  };
  map.on("moveend", refresh);
  refresh();
})();
