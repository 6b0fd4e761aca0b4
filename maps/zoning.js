/*
 * Zoning map: the layers, legend, layer tree, popups and tools of a zoning build.
 *
 * ZoningMap.init(map, config) draws everything on a Leaflet map from the config that
 * zoning/maps.py writes into the page. All text that comes from data is put into the
 * page with textContent (never innerHTML), so a name such as "<script>" shows as text.
 * After init, window.zoning exposes the map, its layers and the coordinate converter.
 */
(function (global) {
  'use strict';

  var L = global.L;

  // ------------------------------------------------------------------ small helpers

  function el(tag, className, text, parent) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // Lower case, without Vietnamese diacritics: "Đông Bắc" → "dong bac".
  function fold(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd').toLowerCase();
  }

  function numberFormat(locale, digits) {
    return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function stopEvents(node) {
    L.DomEvent.disableClickPropagation(node);
    L.DomEvent.disableScrollPropagation(node);
  }

  function row(table, label, value, className) {
    if (value === undefined || value === null || value === '') { return null; }
    var tr = el('tr', null, null, table);
    el('th', null, label, tr);
    var td = el('td', className || null, null, tr);
    if (value instanceof Node) { td.appendChild(value); } else { td.textContent = String(value); }
    return tr;
  }

  // ----------------------------------------------------------------------- the map

  function ZoningView(map, cfg) {
    this.map = map;
    this.cfg = cfg;
    this.T = cfg.texts;
    this.S = cfg.style;
    this.locale = cfg.locale;
    this.fmt0 = numberFormat(cfg.locale, 0);
    this.fmt1 = numberFormat(cfg.locale, 1);
    this.fmt2 = numberFormat(cfg.locale, 2);
    this.fmt6 = numberFormat(cfg.locale, 6);
    this.zoneLayers = {};
    this.criterionLayers = {};
    this.siteLayers = {};
    this.candidateLayer = null;
    this.transitionLayers = {};
    this.exclusionLayers = [];
    this.unitIndex = {};
    this.zoneNames = {};
    this.tileErrors = 0;
    this.projection = null;
    if (cfg.proj && global.proj4) {
      this.projection = global.proj4(cfg.proj.def);
    }
  }

  ZoningView.prototype.init = function () {
    var map = this.map, cfg = this.cfg;
    L.DomUtil.addClass(map.getContainer(), 'zoning-map');
    map.getContainer().style.background = this.S.plain_background;
    map.setMaxZoom(cfg.max_zoom);
    if (cfg.icons) {
      L.Icon.Default.imagePath = '';
      L.Icon.Default.mergeOptions({ iconUrl: cfg.icons.icon, iconRetinaUrl: cfg.icons.icon2x, shadowUrl: cfg.icons.shadow });
    }
    if (!cfg.basemaps.length && map.attributionControl) {
      map.attributionControl.setPrefix('Leaflet');
    }
    var panes = ['zoningZones', 'zoningUnits', 'zoningTransitions', 'zoningExclusions', 'zoningCommunes', 'zoningCandidates', 'zoningSites', 'zoningMeasure'];
    panes.forEach(function (name, i) { map.createPane(name).style.zIndex = String(401 + i); });

    this.addBasemaps();
    this.addZones();
    this.addUnits();
    this.addTransitions();
    this.addCommunes();
    this.addCandidates();
    this.addSites();

    L.control.scale({ imperial: false, maxWidth: 160, position: 'bottomleft' }).addTo(map);
    this.addCoordinates();
    this.addFitButton();
    if (L.Control.FullScreen) {
      map.addControl(new L.Control.FullScreen({ position: 'topleft', title: this.T.fullscreen, titleCancel: this.T.fullscreen_exit }));
    }
    this.addMeasure();
    if (cfg.mode !== 'site') { this.addSearch(); }
    this.addLayerTree();
    this.addLegend();

    var self = this;
    map.on('zoomend', function () { self.onZoom(); });
    this.fit();
    this.onZoom();
  };

  // Fit the province (or the site) into the part of the map the panels leave free.
  ZoningView.prototype.fit = function (animate) {
    var box = this.cfg.focus || this.cfg.bounds;
    var size = this.map.getSize(), right = 12, left = 12;
    var panels = this.map.getContainer().querySelectorAll('.leaflet-right .zoning-panel:not(.zoning-collapsed)');
    Array.prototype.forEach.call(panels, function (p) { right = Math.max(right, p.offsetWidth + 20); });
    var tools = this.map.getContainer().querySelector('.leaflet-top.leaflet-left');
    if (tools) { left = Math.max(left, Math.min(tools.offsetWidth, 60) + 10); }
    if (right + left > size.x * 0.6) { right = left = 12; }
    this.map.fitBounds(box, { paddingTopLeft: [left, 12], paddingBottomRight: [right, 12], animate: !!animate });
  };

  ZoningView.prototype.onZoom = function () {
    var zoom = this.map.getZoom(), box = this.map.getContainer();
    L.DomUtil[zoom < this.S.communes.label_min_zoom ? 'addClass' : 'removeClass'](box, 'zoning-zoomed-out');
    L.DomUtil[zoom >= this.S.sites.marker_max_zoom ? 'addClass' : 'removeClass'](box, 'zoning-zoomed-in');
  };

  // ------------------------------------------------------------------- basemaps

  ZoningView.prototype.addBasemaps = function () {
    var self = this;
    this.basemaps = [];
    this.cfg.basemaps.forEach(function (b) {
      var layer = L.tileLayer(b.url, { attribution: b.attribution, maxZoom: b.max_zoom, maxNativeZoom: b.max_zoom, referrerPolicy: b.referrer_policy });
      layer.on('tileerror', function () { self.onTileError(); });
      self.basemaps.push({ id: b.id, name: b.name, layer: layer });
    });
    if (this.basemaps.length) { this.basemaps[0].layer.addTo(this.map); }
  };

  ZoningView.prototype.onTileError = function () {
    this.tileErrors += 1;
    if (this.tileNotice) { return; }
    var notice = L.control({ position: 'bottomleft' });
    var text = this.T.tiles_failed;
    notice.onAdd = function () { return el('div', 'zoning-notice zoning-tiles-failed', text); };
    this.tileNotice = notice.addTo(this.map);
  };

  // Long popups scroll inside the map instead of running off it.
  ZoningView.prototype.popupOptions = function (width) {
    return { maxWidth: width, maxHeight: Math.max(200, Math.round(this.map.getSize().y * 0.6)) };
  };

  // ---------------------------------------------------------------------- zones

  ZoningView.prototype.zoneStyle = function (zone) {
    var s = this.S.zones[zone];
    return { color: s.stroke, weight: s.weight, fillColor: s.fill, fillOpacity: s.fill_opacity, opacity: 0.9 };
  };

  ZoningView.prototype.addZones = function () {
    var self = this, T = this.T;
    this.cfg.zone_info.forEach(function (z) { self.zoneNames[z.zone] = z.name; });
    this.cfg.zone_order.forEach(function (zone) {
      var features = self.cfg.zones.features.filter(function (f) { return f.properties.zone === zone; });
      var style = L.extend(self.zoneStyle(zone), { className: 'zoning-zone zoning-zone-' + zone, pane: 'zoningZones' });
      var layer = L.geoJSON({ type: 'FeatureCollection', features: features }, {
        pane: 'zoningZones',
        style: function () { return style; },
        onEachFeature: function (feature, path) {
          path.bindPopup(function () { return self.zonePopup(feature.properties); }, self.popupOptions(380));
        }
      });
      layer.addTo(self.map);
      self.zoneLayers[zone] = layer;
    });
  };

  ZoningView.prototype.zonePopup = function (p) {
    var T = this.T, box = el('div', 'zoning-popup zoning-popup-zone');
    el('h3', null, p.name, box);
    var table = el('table', null, null, box);
    row(table, T.area, this.fmt2.format(p.area_ha) + ' ha');
    row(table, T.share, this.fmt2.format(p.share_pct) + ' %');
    if (p.zone === 'other') { el('p', null, T.other_zone_note, box); }
    return box;
  };

  // ---------------------------------------------------------------------- units

  ZoningView.prototype.addUnits = function () {
    var self = this, units = this.S.units;
    this.cfg.criteria.forEach(function (c) {
      var zs = self.S.zones[c.zone];
      var features = self.cfg.units.features.filter(function (f) { return f.properties.group === c.id; });
      var style = {
        color: zs.stroke, weight: units.weight, fillColor: zs.fill, fillOpacity: c.proposed ? 0 : units.fill_opacity,
        dashArray: c.proposed ? units.proposed_dash : null,
        className: 'zoning-unit zoning-unit-' + c.zone + (c.proposed ? ' zoning-unit-proposed' : ''), pane: 'zoningUnits'
      };
      var layer = L.geoJSON({ type: 'FeatureCollection', features: features }, {
        pane: 'zoningUnits',
        style: function () { return style; },
        onEachFeature: function (feature, path) {
          self.unitIndex[feature.properties.id] = { feature: feature, path: path, criterion: c.id };
          path.bindPopup(function () { return self.unitPopup(feature.properties); }, self.popupOptions(400));
          path.bindTooltip(function () { return el('span', null, feature.properties.name); }, { sticky: true, direction: 'top' });
          path.on('mouseover', function () { path.setStyle({ weight: units.highlight_weight }); });
          path.on('mouseout', function () { path.setStyle({ weight: units.weight }); });
        }
      });
      layer.addTo(self.map);
      self.criterionLayers[c.id] = layer;
    });
  };

  ZoningView.prototype.statusNode = function (status) {
    var T = this.T;
    if (status === 'proposed') { return el('span', 'zoning-unconfirmed zoning-proposed', T.proposed); }
    return el('span', status === 'confirmed' ? 'zoning-confirmed' : 'zoning-unconfirmed', status === 'confirmed' ? T.confirmed : T.unconfirmed);
  };

  ZoningView.prototype.unitPopup = function (p) {
    var T = this.T, box = el('div', 'zoning-popup zoning-popup-unit');
    el('h3', null, p.name, box);
    var table = el('table', null, null, box);
    row(table, T.unit_id, p.id);
    var zone = el('span');
    el('span', 'zoning-swatch', null, zone).style.background = this.S.zones[p.zone].fill;
    el('span', null, this.zoneNames[p.zone] || p.zone, zone);
    row(table, T.zone, zone);
    row(table, T.criterion, p.criterion_title);
    row(table, T.citation, p.citation, 'zoning-citation');
    row(table, T.status, this.statusNode(p.status));
    row(table, T.assumption, p.assumption);
    row(table, T.area, this.fmt2.format(p.area_ha) + ' ha');
    row(table, T.communes_of_unit, (p.communes || []).join(', '));
    row(table, T.source, p.source);
    if (p.also && p.also.length) {
      el('div', null, T.also_meets + ':', box);
      var list = el('ul', null, null, box);
      var self = this;
      p.also.forEach(function (a) {
        var li = el('li', null, a.title + ' — ' + a.citation + (a.overlap_ha ? ' (' + self.fmt2.format(a.overlap_ha) + ' ha)' : ''), list);
        if (a.status !== 'confirmed') { li.appendChild(document.createTextNode(' ')); li.appendChild(self.statusNode(a.status)); }
      });
    }
    if (p.illustrative) { el('div', 'zoning-illustrative', T.illustrative, box); }
    return box;
  };

  // ---------------------------------------------------------------- transitions

  // Land that changed zone since an earlier build: one layer per transition, popups saying why.
  ZoningView.prototype.addTransitions = function () {
    var tr = this.cfg.transitions;
    if (!tr) { return; }
    var self = this, s = this.S.transitions;
    tr.legend.forEach(function (t) {
      var features = tr.features.features.filter(function (f) { return f.properties.key === t.key; });
      var style = { color: t.colour, weight: s.weight, fillColor: t.colour, fillOpacity: s.fill_opacity, className: 'zoning-transition zoning-transition-' + t.key, pane: 'zoningTransitions' };
      var layer = L.geoJSON({ type: 'FeatureCollection', features: features }, {
        pane: 'zoningTransitions',
        style: function () { return style; },
        onEachFeature: function (feature, path) {
          path.bindPopup(function () { return self.transitionPopup(feature.properties, t); }, self.popupOptions(460));
          path.bindTooltip(function () { return el('span', null, t.label); }, { sticky: true, direction: 'top' });
          path.on('mouseover', function () { path.setStyle({ weight: s.highlight_weight }); });
          path.on('mouseout', function () { path.setStyle({ weight: s.weight }); });
        }
      });
      layer.addTo(self.map);
      self.transitionLayers[t.key] = layer;
    });
  };

  ZoningView.prototype.transitionPopup = function (p, t) {
    var T = this.T, box = el('div', 'zoning-popup zoning-popup-transition');
    el('h3', null, t.label, box);
    var table = el('table', null, null, box);
    row(table, T.transition_piece, p.id);
    row(table, T.area, this.fmt2.format(p.area_ha) + ' ha');
    row(table, T.communes_of_unit, (p.communes || []).join(', '));
    row(table, T.held_before, p.before || '—');
    row(table, T.held_after, p.after || '—');
    el('div', null, T.why + ':', box);
    var list = el('ul', 'zoning-why', null, box);
    (p.why || []).forEach(function (text) { el('li', null, text, list); });
    return box;
  };

  // ------------------------------------------------------------------- communes

  ZoningView.prototype.addCommunes = function () {
    var s = this.S.communes, self = this;
    this.communeIndex = [];
    var lines = L.geoJSON(this.cfg.communes, {
      pane: 'zoningCommunes',
      interactive: false,
      style: function () {
        return { color: s.stroke, weight: s.weight, dashArray: s.dash, fill: false, className: 'zoning-commune', interactive: false };
      },
      onEachFeature: function (feature, path) { self.communeIndex.push({ feature: feature, path: path }); }
    });
    var labels = L.layerGroup();
    this.cfg.communes.features.forEach(function (f) {
      if (!f.properties.label) { return; }
      var html = el('span', null, f.properties.name);
      L.marker(f.properties.label, {
        pane: 'zoningCommunes', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'zoning-commune-label', html: html, iconSize: null })
      }).addTo(labels);
    });
    this.communeLayer = L.layerGroup([lines, labels]).addTo(this.map);
    this.communeLines = lines;
  };

  // ---------------------------------------------------------------------- sites

  ZoningView.prototype.verdictColour = function (verdict) {
    var v = this.S.sites.verdicts;
    return Object.prototype.hasOwnProperty.call(v, verdict) ? v[verdict] : this.S.sites.unknown;
  };

  ZoningView.prototype.verdictLabel = function (verdict) {
    var key = 'verdict_' + verdict;
    return this.T[key] || (verdict ? String(verdict) : this.T.verdict_unknown);
  };

  ZoningView.prototype.addSites = function () {
    if (!this.cfg.sites) { return; }
    var self = this, s = this.S.sites;
    var verdicts = [];
    this.cfg.sites.features.forEach(function (f) {
      if (verdicts.indexOf(f.properties.verdict) < 0) { verdicts.push(f.properties.verdict); }
    });
    var order = Object.keys(s.verdicts);
    verdicts.sort(function (a, b) {
      var i = order.indexOf(a), j = order.indexOf(b);
      return (i < 0 ? 99 : i) - (j < 0 ? 99 : j);
    });
    verdicts.forEach(function (verdict) {
      var colour = self.verdictColour(verdict);
      var features = self.cfg.sites.features.filter(function (f) { return f.properties.verdict === verdict; });
      var markers = [];
      var layer = L.geoJSON({ type: 'FeatureCollection', features: features }, {
        pane: 'zoningSites',
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { pane: 'zoningSites', radius: s.radius }); },
        // GeoJSON layers apply this style to points too, so it covers both kinds
        style: function (feature) {
          var type = feature.geometry && feature.geometry.type;
          if (type === 'Point' || type === 'MultiPoint') {
            return { color: s.outline, weight: 2, fillColor: colour, fillOpacity: s.fill_opacity, className: 'zoning-site zoning-site-point' };
          }
          return { color: s.outline, weight: s.weight, fillColor: colour, fillOpacity: 0.6, className: 'zoning-site zoning-site-area' };
        },
        onEachFeature: function (feature, path) {
          var type = feature.geometry && feature.geometry.type;
          var targets = [path];
          if (type !== 'Point' && type !== 'MultiPoint' && feature.properties.label) {
            // small areas and lines vanish at province scale: a marker stands in for them there
            var marker = L.circleMarker(feature.properties.label, {
              pane: 'zoningSites', radius: s.radius - 1, color: s.outline, weight: 2, fillColor: colour,
              fillOpacity: s.fill_opacity, className: 'zoning-site zoning-site-marker'
            });
            markers.push(marker);
            targets.push(marker);
          }
          targets.forEach(function (target) {
            target.bindPopup(function () { return self.sitePopup(feature.properties); }, self.popupOptions(420));
            target.bindTooltip(function () { return el('span', null, feature.properties.name || feature.properties.site_id); }, { direction: 'top' });
          });
        }
      });
      markers.forEach(function (marker) { layer.addLayer(marker); });
      layer.addTo(self.map);
      self.siteLayers[verdict] = layer;
    });
  };

  // Replace the checked sites on the map (a FeatureCollection as sites_config writes it).
  ZoningView.prototype.setSites = function (collection) {
    var self = this;
    Object.keys(this.siteLayers).forEach(function (verdict) { self.map.removeLayer(self.siteLayers[verdict]); });
    this.siteLayers = {};
    this.cfg.sites = collection;
    this.addSites();
    if (global.zoning && global.zoning.view === this) { global.zoning.sites = this.siteLayers; }
    return this.siteLayers;
  };

  ZoningView.prototype.sitePopup = function (p) {
    var T = this.T, self = this, box = el('div', 'zoning-popup zoning-popup-site');
    el('h3', null, p.name || p.site_id, box);
    var table = el('table', null, null, box);
    row(table, T.site_id, p.site_id);
    var badge = el('span', 'zoning-verdict', this.verdictLabel(p.verdict));
    badge.style.background = this.verdictColour(p.verdict);
    badge.style.color = p.verdict === 'needs_review' ? '#1a1a1a' : '#fff';
    row(table, T.verdict, badge);
    (p.details || []).forEach(function (d) { row(table, d[0], d[1]); });
    if (p.findings === undefined) {  // not sent (many sites at once): say nothing about them
      if (p.illustrative) { el('div', 'zoning-illustrative', T.illustrative, box); }
      return box;
    }
    el('div', null, T.findings + ':', box);
    if (!p.findings.length) {
      el('p', null, T.no_findings, box);
    } else {
      var list = el('ul', 'zoning-findings', null, box);
      p.findings.forEach(function (f) {
        var li = el('li', null, null, list);
        if (f.severity) { el('b', 'zoning-severity', '[' + f.severity + '] ', li); }
        li.appendChild(document.createTextNode(f.text));
        if (f.citation) { li.appendChild(document.createTextNode(' — ')); el('span', 'zoning-citation', f.citation, li); }
        if (f.status && f.status !== 'confirmed') { li.appendChild(document.createTextNode(' ')); li.appendChild(self.statusNode(f.status)); }
      });
    }
    if (p.illustrative) { el('div', 'zoning-illustrative', T.illustrative, box); }
    return box;
  };

  // ----------------------------------------------------------------- candidates

  // Candidate areas of a siting (on at first) and the land it left out, one layer per reason (off).
  ZoningView.prototype.addCandidates = function () {
    var siting = this.cfg.candidates;
    if (!siting) { return; }
    var self = this, s = this.S.candidates;
    var style = {
      color: s.stroke, weight: s.weight, fillColor: s.fill, fillOpacity: s.fill_opacity,
      className: 'zoning-candidate', pane: 'zoningCandidates'
    };
    this.candidateLayer = L.geoJSON(siting.features, {
      pane: 'zoningCandidates',
      style: function () { return style; },
      onEachFeature: function (feature, path) {
        var p = feature.properties;
        path.bindPopup(function () { return self.candidatePopup(p); }, self.popupOptions(400));
        path.bindTooltip(function () { return el('span', null, self.T.candidate + ' ' + p.id + ' · ' + self.T.candidate_rank + ' ' + p.rank); }, { sticky: true, direction: 'top' });
        path.on('mouseover', function () { path.setStyle({ weight: s.highlight_weight }); });
        path.on('mouseout', function () { path.setStyle({ weight: s.weight }); });
      }
    }).addTo(this.map);
    siting.exclusions.features.forEach(function (f) {
      var layer = L.geoJSON(f, {
        pane: 'zoningExclusions',
        style: function () {
          return { color: f.properties.colour, weight: 0.8, fillColor: f.properties.colour, fillOpacity: s.exclusion_opacity, className: 'zoning-exclusion' };
        },
        onEachFeature: function (feature, path) {
          path.bindPopup(function () { return self.exclusionPopup(feature.properties); }, self.popupOptions(380));
        }
      });
      self.exclusionLayers.push({ properties: f.properties, layer: layer });
    });
  };

  ZoningView.prototype.candidatePopup = function (p) {
    var T = this.T, self = this, box = el('div', 'zoning-popup zoning-popup-candidate');
    el('h3', null, T.candidate + ' ' + p.id + (this.cfg.candidates.facility ? ' – ' + this.cfg.candidates.facility : ''), box);
    var table = el('table', null, null, box);
    row(table, T.candidate_rank, p.rank).className = 'zoning-candidate-rank';
    if (p.score !== null) { row(table, T.candidate_score, this.fmt2.format(p.score)); }
    row(table, T.area, this.fmt2.format(p.area_ha) + ' ha').className = 'zoning-candidate-area';
    row(table, T.candidate_communes, p.communes);
    ['residential', 'water'].forEach(function (key) {
      var d = p['dist_' + key + '_m'], safety = p['safety_' + key + '_m'], near = p['nearest_' + key];
      var text = d === null ? T.candidate_none : self.fmt0.format(d) + ' m' + (near ? ' (' + near + ')' : '');
      if (safety !== null) { text += ' — ' + fill(T.candidate_safety, { distance: self.fmt0.format(safety) }); }
      row(table, fill(T.candidate_distance, { receptor: T['candidate_' + key] }), text).className = 'zoning-candidate-' + key;
    });
    return box;
  };

  ZoningView.prototype.exclusionPopup = function (p) {
    var T = this.T, box = el('div', 'zoning-popup zoning-popup-exclusion');
    el('h3', null, T.exclusions, box);
    var table = el('table', null, null, box);
    row(table, T.exclusion_reason, p.reason);
    row(table, T.area, this.fmt2.format(p.area_ha) + ' ha');
    if (p.status && p.status !== 'confirmed') { row(table, T.status, this.statusNode(p.status)); }
    return box;
  };

  // ----------------------------------------------------------------- layer tree

  ZoningView.prototype.addLayerTree = function () {
    var self = this, T = this.T, map = this.map;
    var control = L.control({ position: 'topright' });
    control.onAdd = function () {
      var panel = el('div', 'zoning-panel zoning-layers leaflet-control-layers');
      if (self.cfg.mode === 'site') { L.DomUtil.addClass(panel, 'zoning-collapsed'); }
      var head = el('div', 'zoning-panel-toggle', T.title, panel);
      var body = el('div', 'zoning-panel-body', null, panel);
      body.style.maxHeight = Math.max(140, Math.round(map.getSize().y * 0.42)) + 'px';
      head.addEventListener('click', function () { L.DomUtil[L.DomUtil.hasClass(panel, 'zoning-collapsed') ? 'removeClass' : 'addClass'](panel, 'zoning-collapsed'); });
      stopEvents(panel);

      function box(parent, text, layer, className, swatch) {
        var label = el('label', className || null, null, parent);
        var input = el('input', null, null, label);
        input.type = 'checkbox';
        input.checked = map.hasLayer(layer);
        if (swatch) { label.appendChild(swatch); }
        label.appendChild(document.createTextNode(text));
        label.title = text;
        input.addEventListener('change', function () {
          if (input.checked) { map.addLayer(layer); } else { map.removeLayer(layer); }
          sync();
        });
        layer.on('add remove', function () { input.checked = map.hasLayer(layer); sync(); });
        return { input: input, label: label };
      }

      function swatch(colour, opacity) {
        var s = el('span', 'zoning-swatch');
        s.style.background = colour;
        if (opacity !== undefined) { s.style.opacity = String(Math.max(0.35, opacity)); }
        return s;
      }

      if (self.basemaps.length) {
        el('h4', null, T.basemap, body);
        var choices = self.basemaps.map(function (b) { return { name: T['basemap_' + b.id] || b.name, layer: b.layer }; });
        choices.push({ name: T.basemap_plain, layer: null });
        choices.forEach(function (choice, i) {
          var label = el('label', null, null, body);
          var input = el('input', null, null, label);
          input.type = 'radio';
          input.name = 'zoning-basemap';
          input.checked = i === 0;
          label.appendChild(document.createTextNode(choice.name));
          input.addEventListener('change', function () {
            self.basemaps.forEach(function (b) { map.removeLayer(b.layer); });
            if (choice.layer) { choice.layer.addTo(map); }
          });
        });
      }

      el('h4', null, T.zones, body);
      self.cfg.zone_order.forEach(function (zone) {
        var s = self.S.zones[zone];
        box(body, self.zoneNames[zone] || zone, self.zoneLayers[zone], 'zoning-toggle-zone', swatch(s.fill, s.fill_opacity)).input.dataset.zone = zone;
      });

      var parents = [];
      if (self.cfg.criteria.length) {
        el('h4', null, T.units, body);
        self.cfg.zone_order.forEach(function (zone) {
          var criteria = self.cfg.criteria.filter(function (c) { return c.zone === zone; });
          if (!criteria.length) { return; }
          var parentLabel = el('label', 'zoning-toggle-units', null, body);
          var parentInput = el('input', null, null, parentLabel);
          parentInput.type = 'checkbox';
          parentInput.dataset.zone = zone;
          var count = criteria.reduce(function (n, c) { return n + c.count; }, 0);
          parentLabel.appendChild(swatch(self.S.zones[zone].fill, 1));
          parentLabel.appendChild(document.createTextNode(fill(T.units_of, { zone: self.zoneNames[zone] || zone }) + ' '));
          el('span', 'zoning-count', '(' + count + ')', parentLabel);
          var layers = criteria.map(function (c) { return self.criterionLayers[c.id]; });
          parentInput.addEventListener('change', function () {
            var on = parentInput.checked;
            layers.forEach(function (layer) { if (on) { map.addLayer(layer); } else { map.removeLayer(layer); } });
            sync();
          });
          parents.push({ input: parentInput, layers: layers });
          criteria.forEach(function (c) {
            var item = box(body, c.title + (c.proposed ? ' – ' + T.proposed_units : '') + ' (' + c.count + ')', self.criterionLayers[c.id], 'zoning-child zoning-toggle-criterion');
            item.input.dataset.criterion = c.id;
            item.label.title = c.title + ' — ' + c.citation + (c.proposed ? ' — ' + T.proposed : (c.status === 'confirmed' ? '' : ' — ' + T.unconfirmed));
          });
        });
      }

      if (self.cfg.transitions) {
        el('h4', null, T.transitions, body);
        self.cfg.transitions.legend.forEach(function (t) {
          box(body, t.label + ' (' + t.count + ')', self.transitionLayers[t.key], 'zoning-toggle-transition', swatch(t.colour, 1)).input.dataset.transition = t.key;
        });
      }

      el('h4', null, T.communes, body);
      box(body, T.communes, self.communeLayer, 'zoning-toggle-communes', (function () {
        var s = el('span', 'zoning-swatch zoning-swatch-line'); s.style.borderColor = self.S.communes.stroke; return s;
      })());

      if (self.candidateLayer) {
        el('h4', null, T.candidates, body);
        var cs = self.S.candidates;
        var outline = el('span', 'zoning-swatch');
        outline.style.background = cs.fill;
        outline.style.borderColor = cs.stroke;
        box(body, T.candidates + ' (' + self.cfg.candidates.features.features.length + ')', self.candidateLayer, 'zoning-toggle-candidates', outline);
        if (self.exclusionLayers.length) {
          el('div', 'zoning-subhead', T.exclusions, body);
          self.exclusionLayers.forEach(function (x) {
            box(body, x.properties.reason, x.layer, 'zoning-child zoning-toggle-exclusion', swatch(x.properties.colour, cs.exclusion_opacity * 2));
          });
        }
      }

      var verdicts = Object.keys(self.siteLayers);
      if (verdicts.length) {
        el('h4', null, T.sites, body);
        verdicts.forEach(function (v) {
          var dot = el('span', 'zoning-swatch zoning-swatch-dot');
          dot.style.background = self.verdictColour(v);
          var n = self.cfg.sites.features.filter(function (f) { return f.properties.verdict === v; }).length;
          box(body, self.verdictLabel(v) + ' (' + n + ')', self.siteLayers[v], 'zoning-toggle-sites', dot).input.dataset.verdict = v;
        });
      }

      function sync() {
        parents.forEach(function (p) {
          var on = p.layers.filter(function (layer) { return map.hasLayer(layer); }).length;
          p.input.checked = on === p.layers.length;
          p.input.indeterminate = on > 0 && on < p.layers.length;
        });
      }
      sync();
      return panel;
    };
    control.addTo(map);
  };

  // --------------------------------------------------------------------- legend

  ZoningView.prototype.addLegend = function () {
    var self = this, T = this.T, cfg = this.cfg;
    var legend = L.control({ position: 'bottomright' });
    legend.onAdd = function () {
      var panel = el('div', 'zoning-panel zoning-legend');
      if (cfg.mode === 'site') { L.DomUtil.addClass(panel, 'zoning-collapsed'); }
      var head = el('div', 'zoning-panel-toggle', T.legend, panel);
      head.addEventListener('click', function () { L.DomUtil[L.DomUtil.hasClass(panel, 'zoning-collapsed') ? 'removeClass' : 'addClass'](panel, 'zoning-collapsed'); });
      stopEvents(panel);
      var body = el('div', 'zoning-panel-body', null, panel);
      body.style.maxHeight = Math.max(140, Math.round(self.map.getSize().y * 0.42)) + 'px';
      cfg.zone_order.forEach(function (zone) {
        var z = cfg.zone_info.filter(function (info) { return info.zone === zone; })[0];
        var rowNode = el('div', 'zoning-legend-row zoning-legend-zone', null, body);
        var sw = el('span', 'zoning-swatch', null, rowNode);
        sw.style.background = self.S.zones[zone].fill;
        sw.style.opacity = String(Math.max(0.4, self.S.zones[zone].fill_opacity * 1.6));
        sw.style.borderColor = self.S.zones[zone].stroke;
        rowNode.appendChild(document.createTextNode(self.zoneNames[zone] || zone));
        if (z) { el('small', null, ' ' + self.fmt0.format(z.area_ha) + ' ha', rowNode); }
      });
      var unitRow = el('div', 'zoning-legend-row', null, body);
      var us = el('span', 'zoning-swatch', null, unitRow);
      us.style.background = 'transparent';
      us.style.borderColor = self.S.zones.strict.stroke;
      unitRow.appendChild(document.createTextNode(T.unit_outline));
      var communeRow = el('div', 'zoning-legend-row', null, body);
      var cs = el('span', 'zoning-swatch zoning-swatch-line', null, communeRow);
      cs.style.borderColor = self.S.communes.stroke;
      communeRow.appendChild(document.createTextNode(T.communes));
      if (cfg.transitions) {
        el('div', 'zoning-legend-head', T.transitions, body);
        cfg.transitions.legend.forEach(function (t) {
          var tr = el('div', 'zoning-legend-row zoning-legend-transition', null, body);
          el('span', 'zoning-swatch', null, tr).style.background = t.colour;
          tr.appendChild(document.createTextNode(t.label));
          el('small', null, ' ' + self.fmt2.format(t.area_ha) + ' ha', tr);
        });
      }
      if (self.candidateLayer) {
        var cr = el('div', 'zoning-legend-row zoning-legend-candidate', null, body);
        var csw = el('span', 'zoning-swatch', null, cr);
        csw.style.background = self.S.candidates.fill;
        csw.style.borderColor = self.S.candidates.stroke;
        csw.style.borderWidth = '2px';
        cr.appendChild(document.createTextNode(T.candidates + (cfg.candidates.facility ? ' – ' + cfg.candidates.facility : '')));
        self.exclusionLayers.forEach(function (x) {
          var xr = el('div', 'zoning-legend-row zoning-legend-exclusion', null, body);
          var xs = el('span', 'zoning-swatch', null, xr);
          xs.style.background = x.properties.colour;
          xs.style.opacity = String(Math.min(1, self.S.candidates.exclusion_opacity * 2));
          xr.appendChild(document.createTextNode(T.exclusions + ': ' + x.properties.reason));
        });
      }
      Object.keys(self.siteLayers).forEach(function (v) {
        var r = el('div', 'zoning-legend-row zoning-legend-site', null, body);
        el('span', 'zoning-swatch zoning-swatch-dot', null, r).style.background = self.verdictColour(v);
        r.appendChild(document.createTextNode(T.sites + ': ' + self.verdictLabel(v)));
      });
      var notes = el('div', 'zoning-notes', null, body);
      var notices = cfg.build.notices.concat(cfg.candidates ? cfg.candidates.notes : []);
      if (cfg.transitions) { cfg.transitions.notes.forEach(function (text) { el('p', 'zoning-transitions-note', text, notes); }); }
      if (notices.length) {
        var details = el('details', 'zoning-warnings', null, notes);
        if (cfg.mode !== 'site' && notices.length <= 1) { details.open = true; }
        el('summary', 'zoning-warning', '⚠ ' + fill(T.warnings, { count: notices.length }), details);
        notices.forEach(function (text) { el('p', 'zoning-warning', text, details); });
      }
      el('p', null, T.build + ' ' + cfg.build.id + ' · ' + T.ruleset + ' ' + cfg.build.ruleset, notes);
      el('p', null, T.crs + ': ' + cfg.build.crs_name, notes);
      el('p', null, fill(T.simplified_note, { tolerance: self.fmt1.format(cfg.build.tolerance_m) }), notes);
      return panel;
    };
    legend.addTo(this.map);
  };

  // ---------------------------------------------------------------- coordinates

  ZoningView.prototype.toProjected = function (lon, lat) {
    return this.projection ? this.projection.forward([lon, lat]) : null;
  };

  ZoningView.prototype.addCoordinates = function () {
    var self = this, T = this.T, cfg = this.cfg;
    var control = L.control({ position: 'bottomleft' });
    control.onAdd = function () {
      var panel = el('div', 'zoning-panel zoning-coords');
      el('div', null, T.cursor, panel).style.fontWeight = '600';
      var wgs = el('div', 'zoning-coords-wgs84', 'WGS 84: —', panel);
      var grid = null;
      if (cfg.proj) {
        el('div', null, cfg.proj.name + ':', panel);
        grid = el('div', 'zoning-coords-grid', '—', panel);
      }
      self.map.on('mousemove', function (e) {
        var ll = e.latlng;
        wgs.textContent = 'WGS 84: ' + T.latitude + ' ' + self.fmt6.format(ll.lat) + '°, ' + T.longitude + ' ' + self.fmt6.format(ll.lng) + '°';
        var p = self.toProjected(ll.lng, ll.lat);
        if (grid && p) {
          grid.textContent = T.northing + ' ' + self.fmt2.format(p[1]) + ' m · ' + T.easting + ' ' + self.fmt2.format(p[0]) + ' m';
        }
      });
      return panel;
    };
    control.addTo(this.map);
  };

  // ---------------------------------------------------------------- fit button

  ZoningView.prototype.addFitButton = function () {
    var self = this, T = this.T;
    var control = L.control({ position: 'topleft' });
    control.onAdd = function () {
      var bar = el('div', 'leaflet-bar zoning-tools');
      var a = el('a', 'zoning-fit', '⌂', bar);
      a.href = '#';
      a.title = self.cfg.focus ? T.fit_site : T.fit;
      a.setAttribute('role', 'button');
      L.DomEvent.on(a, 'click', function (e) { L.DomEvent.preventDefault(e); self.fit(true); });
      stopEvents(bar);
      return bar;
    };
    control.addTo(this.map);
  };

  // -------------------------------------------------------------------- measure

  ZoningView.prototype.addMeasure = function () {
    var self = this, T = this.T, map = this.map;
    var colour = this.S.measure.colour;
    var state = { mode: null, points: [], shape: null, rubber: null, vertices: L.layerGroup().addTo(map) };
    this.measure = state;
    var control = L.control({ position: 'topleft' });
    var result;
    control.onAdd = function () {
      var wrap = el('div', 'zoning-measure');
      var bar = el('div', 'leaflet-bar zoning-tools', null, wrap);
      function button(cls, text, title, action) {
        var a = el('a', cls, text, bar);
        a.href = '#';
        a.title = title;
        a.setAttribute('role', 'button');
        L.DomEvent.on(a, 'click', function (e) { L.DomEvent.preventDefault(e); action(a); });
        return a;
      }
      state.distanceButton = button('zoning-measure-distance', '↔', T.measure_distance + ' — ' + T.measure_hint, function () { start('distance'); });
      state.areaButton = button('zoning-measure-area', '▱', T.measure_area + ' — ' + T.measure_hint, function () { start('area'); });
      button('zoning-measure-clear', '✕', T.measure_clear, function () { clear(); });
      result = el('div', 'zoning-panel zoning-measure-result', null, wrap);
      result.style.marginTop = '4px';
      stopEvents(wrap);
      return wrap;
    };
    control.addTo(map);

    function clear() {
      stop();
      state.points = [];
      state.vertices.clearLayers();
      if (state.shape) { map.removeLayer(state.shape); state.shape = null; }
      if (state.rubber) { map.removeLayer(state.rubber); state.rubber = null; }
      result.textContent = '';
      delete result.dataset.value;
      delete result.dataset.kind;
    }

    function start(mode) {
      clear();
      state.mode = mode;
      L.DomUtil.addClass(map.getContainer(), 'zoning-measuring');
      L.DomUtil.addClass(mode === 'distance' ? state.distanceButton : state.areaButton, 'zoning-on');
      map.doubleClickZoom.disable();
      result.textContent = T.measure_hint;
    }

    function stop() {
      state.mode = null;
      L.DomUtil.removeClass(map.getContainer(), 'zoning-measuring');
      if (state.distanceButton) {
        L.DomUtil.removeClass(state.distanceButton, 'zoning-on');
        L.DomUtil.removeClass(state.areaButton, 'zoning-on');
      }
      map.doubleClickZoom.enable();
      if (state.rubber) { map.removeLayer(state.rubber); state.rubber = null; }
    }

    function redraw(extra) {
      var pts = extra ? state.points.concat([extra]) : state.points;
      var polygon = (state.mode || state.kind) === 'area' && pts.length > 2;
      if (state.shape && (state.shape instanceof L.Polygon) === polygon) {
        state.shape.setLatLngs(pts);
      } else {
        if (state.shape) { map.removeLayer(state.shape); }
        var opts = { pane: 'zoningMeasure', color: colour, weight: 2.5, dashArray: '6 4', interactive: false, fillOpacity: 0.15 };
        state.shape = (polygon ? L.polygon(pts, opts) : L.polyline(pts, opts)).addTo(map);
      }
      show(pts);
    }

    function show(pts) {
      var kind = state.mode || state.kind;
      var m = self.measureValue(kind, pts);
      result.dataset.kind = kind;
      result.dataset.value = String(m.value);
      result.textContent = '';
      if (kind === 'distance') {
        el('b', null, T.distance + ': ' + self.formatLength(m.value), result);
      } else {
        el('b', null, T.area + ': ' + self.formatArea(m.value), result);
      }
      el('div', null, m.method, result).style.fontSize = '11px';
    }

    function finish() {
      var kind = state.mode;
      state.kind = kind;
      stop();
      if (state.points.length >= (kind === 'area' ? 3 : 2)) { redraw(); } else { clear(); }
    }

    map.on('click', function (e) {
      if (!state.mode) { return; }
      var p = e.latlng, last = state.points[state.points.length - 1];
      if (last && map.latLngToContainerPoint(last).distanceTo(map.latLngToContainerPoint(p)) < 3) { return; }
      state.points.push(p);
      L.circleMarker(p, { pane: 'zoningMeasure', radius: 3, color: colour, weight: 2, fillOpacity: 1, interactive: false }).addTo(state.vertices);
      redraw();
    });
    map.on('mousemove', function (e) {
      if (!state.mode || !state.points.length) { return; }
      redraw(e.latlng);
    });
    map.on('dblclick', function () { if (state.mode) { finish(); } });
    L.DomEvent.on(document, 'keydown', function (e) {
      if (!state.mode) { return; }
      if (e.key === 'Enter') { finish(); } else if (e.key === 'Escape') { clear(); }
    });
    this.finishMeasure = finish;
  };

  // A length (m) or area (m²): on the province's VN-2000 / TM-3 grid when proj4 is
  // available (so areas agree with the build's), else on the WGS 84 ellipsoid.
  ZoningView.prototype.measureValue = function (kind, latlngs) {
    var self = this, i, value = 0;
    if (this.projection) {
      var xy = latlngs.map(function (ll) { return self.toProjected(ll.lng, ll.lat); });
      if (kind === 'distance') {
        for (i = 1; i < xy.length; i++) { value += Math.sqrt(Math.pow(xy[i][0] - xy[i - 1][0], 2) + Math.pow(xy[i][1] - xy[i - 1][1], 2)); }
      } else {
        for (i = 0; i < xy.length; i++) {
          var j = (i + 1) % xy.length;
          value += xy[i][0] * xy[j][1] - xy[j][0] * xy[i][1];
        }
        value = Math.abs(value) / 2;
      }
      return { value: value, method: fill(this.T.measured_on, { crs: this.cfg.proj.name }) };
    }
    if (kind === 'distance') {
      for (i = 1; i < latlngs.length; i++) { value += this.map.distance(latlngs[i - 1], latlngs[i]); }
    } else {
      var R = 6378137, rad = Math.PI / 180;
      for (i = 0; i < latlngs.length; i++) {
        var a = latlngs[i], b = latlngs[(i + 1) % latlngs.length];
        value += (b.lng - a.lng) * rad * (2 + Math.sin(a.lat * rad) + Math.sin(b.lat * rad));
      }
      value = Math.abs(value * R * R / 2);
    }
    return { value: value, method: this.T.measured_geodesic };
  };

  ZoningView.prototype.formatLength = function (m) {
    return m < 1000 ? this.fmt1.format(m) + ' m' : this.fmt2.format(m / 1000) + ' km (' + this.fmt0.format(m) + ' m)';
  };

  ZoningView.prototype.formatArea = function (m2) {
    var text = this.fmt2.format(m2 / 1e4) + ' ha (' + this.fmt0.format(m2) + ' m²)';
    return m2 >= 1e6 ? this.fmt2.format(m2 / 1e6) + ' km² = ' + text : text;
  };

  // --------------------------------------------------------------------- search

  ZoningView.prototype.addSearch = function () {
    var self = this, T = this.T, map = this.map;
    var index = [];
    this.cfg.units.features.forEach(function (f) {
      var p = f.properties;
      index.push({ kind: 'unit', label: p.name, detail: T.kind_unit + ' ' + p.id, key: fold(p.name + ' ' + p.id), id: p.id });
    });
    this.communeIndex.forEach(function (c) {
      var p = c.feature.properties;
      index.push({ kind: 'commune', label: p.full_name || p.name, detail: T.kind_commune + ' ' + p.code, key: fold((p.full_name || '') + ' ' + p.name + ' ' + p.code), item: c });
    });
    this.searchIndex = index;
    var control = L.control({ position: 'topleft' });
    control.onAdd = function () {
      var panel = el('div', 'zoning-panel zoning-search');
      var input = el('input', null, null, panel);
      input.type = 'search';
      input.placeholder = T.search;
      input.setAttribute('aria-label', T.search);
      var list = el('ul', null, null, panel);
      stopEvents(panel);
      var matches = [];
      function render() {
        list.textContent = '';
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        if (!words.length) { matches = []; return; }
        matches = index.filter(function (item) { return words.every(function (w) { return item.key.indexOf(w) >= 0; }); });
        matches.sort(function (a, b) { return a.label.localeCompare(b.label, self.locale); });
        matches = matches.slice(0, 12);
        if (!matches.length) { el('li', 'zoning-search-none', T.search_none, list); return; }
        matches.forEach(function (item, i) {
          var li = el('li', i === 0 ? 'zoning-active' : null, item.label + ' ', list);
          el('small', null, item.detail, li);
          li.addEventListener('click', function () { choose(item); });
        });
      }
      function choose(item) {
        list.textContent = '';
        input.value = item.label;
        self.select(item);
      }
      input.addEventListener('input', render);
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && matches.length) { choose(matches[0]); }
        if (e.key === 'Escape') { input.value = ''; render(); }
      });
      return panel;
    };
    control.addTo(map);
  };

  ZoningView.prototype.select = function (item) {
    var map = this.map, self = this;
    if (item.kind === 'unit') {
      var u = this.unitIndex[item.id];
      var layer = this.criterionLayers[u.criterion];
      if (!map.hasLayer(layer)) { map.addLayer(layer); }
      map.fitBounds(u.path.getBounds(), { maxZoom: 15, padding: [30, 30], animate: false });
      var at = L.latLng(u.feature.properties.label || u.path.getBounds().getCenter());
      // put the popup's anchor low in the map so a long popup has room above it
      var size = map.getSize(), here = map.latLngToContainerPoint(at);
      map.panBy(here.subtract(L.point(size.x * 0.4, size.y * 0.88)), { animate: false });
      u.path.openPopup(at);
    } else {
      if (!map.hasLayer(this.communeLayer)) { map.addLayer(this.communeLayer); }
      var path = item.item.path;
      map.fitBounds(path.getBounds(), { padding: [20, 20], animate: false });
      path.setStyle({ weight: 4, dashArray: null, color: '#0b5cad' });
      path.bringToFront();
      if (this.flash) { clearTimeout(this.flash.timer); this.communeLines.resetStyle(this.flash.path); }
      this.flash = { path: path, timer: setTimeout(function () { self.communeLines.resetStyle(path); self.flash = null; }, 4000) };
    }
  };

  // ------------------------------------------------------------------ public API

  var ZoningMap = {
    init: function (map, cfg) {
      var view = new ZoningView(map, cfg);
      view.init();
      global.zoning = {
        view: view,
        map: map,
        zones: view.zoneLayers,
        criteria: view.criterionLayers,
        communes: view.communeLayer,
        sites: view.siteLayers,
        candidates: view.candidateLayer,
        transitions: view.transitionLayers,
        exclusions: view.exclusionLayers.map(function (x) { return x.layer; }),
        toProjected: function (lon, lat) { return view.toProjected(lon, lat); },
        ready: true
      };
      map.getContainer().setAttribute('data-zoning-ready', 'true');
      return view;
    },
    fold: fold,
    el: el,
    fill: fill
  };

  global.ZoningMap = ZoningMap;
})(window);
