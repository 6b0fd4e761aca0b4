/*
 * Zoning web application: the page around the map of `zoning serve`.
 *
 * A site comes from a click, a drawing (Leaflet-Geoman), typed coordinates, a pasted
 * marker table or a file; it goes to the HTTP API with what the project is, and the answer
 * is drawn on the map by zoning.js and written into the panel. Everything that comes from
 * data or from the user is put into the page with textContent (never innerHTML).
 * After start, window.zoningApp exposes the application (its last answer, its map).
 */
(function (global) {
  'use strict';

  var L = global.L;
  var ZM = global.ZoningMap;
  var el = ZM.el, fill = ZM.fill, fold = ZM.fold;
  var MAX_LINK = 200000;  // characters of a link that reopens a check
  var MAX_ROWS = 1000;  // rows of the sites table drawn at once
  var SEVERITY_ORDER = ['outside', 'conflict', 'review', 'no_data', 'info'];
  var VERDICT_ORDER = ['outside_province', 'conflict', 'needs_review', 'no_data', 'no_conflict_found'];

  // ----------------------------------------------------------------- small helpers

  function byId(id) { return document.getElementById(id); }

  function table(parent, className, headers, rows) {
    var t = el('table', 'app-table ' + (className || ''), null, parent);
    var tr = el('tr', null, null, el('thead', null, null, t));
    headers.forEach(function (h) { el('th', null, h, tr); });
    var body = el('tbody', null, null, t);
    rows.forEach(function (cells) {
      var row = el('tr', null, null, body);
      cells.forEach(function (c) {
        var td = el('td', null, null, row);
        if (c instanceof Node) { td.appendChild(c); } else if (c !== null && c !== undefined) { td.textContent = String(c); }
      });
    });
    return t;
  }

  function encodeRequest(request) {
    var bytes = new TextEncoder().encode(JSON.stringify(request)), text = '';
    for (var i = 0; i < bytes.length; i += 0x8000) { text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)); }
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function decodeRequest(text) {
    var binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function number(text) {
    var value = String(text || '').trim().replace(/\s/g, '').replace(',', '.');
    return value === '' ? null : Number(value);
  }

  // ------------------------------------------------------------------ the application

  function App(cfg) {
    this.cfg = cfg;
    this.T = cfg.texts;
    this.lang = cfg.lang;
    this.info = cfg.builds.filter(function (b) { return b.id === cfg.build; })[0];
    this.formats = {};
    this.tab = 'point';
    this.type = null;
    this.distances = {};
    this.lastInput = null;
    this.answer = null;
    this.selected = null;
    this.sequence = 0;
    this.sort = { key: null, ascending: true };
  }

  App.prototype.start = function () {
    var self = this;
    if (L.PM) { L.PM.setOptIn(true); }  // the drawing tools leave the zoning's own layers alone
    this.map = L.map('map', { zoomSnap: 0.25, zoomDelta: 0.5, pmIgnore: false });
    this.buffers = L.featureGroup().addTo(this.map);
    this.setupDrawing();
    this.setupPanel();
    return this.api('GET', '/api/builds/' + encodeURIComponent(this.cfg.build) + '/map?lang=' + this.lang)
      .then(function (r) { return r.json(); })
      .then(function (mapConfig) {
        self.view = ZM.init(self.map, mapConfig);
        if (self.narrow()) {  // a phone: the layer panel and the legend start folded, the map free for a tap
          Array.prototype.forEach.call(self.map.getContainer().querySelectorAll('.zoning-layers, .zoning-legend'), function (panel) {
            L.DomUtil.addClass(panel, 'zoning-collapsed');
          });
        }
        self.map.on('click', function (e) { self.onMapClick(e); });
        self.selectTab('point');
        var hash = global.location.hash;
        if (hash.indexOf('#check=') === 0) {
          var request = decodeRequest(hash.slice(7));
          self.applyOptions(request);
          self.run({ kind: 'json', body: request, fit: true });
        }
        document.body.setAttribute('data-app-ready', 'true');
      })
      .catch(function (error) { self.showError(error); });
  };

  // Units as the rules write them (m3/day) in the words of the page's language.
  var UNITS = {
    vi: { 'm3/day': 'm³/ngày đêm', 't/day': 'tấn/ngày', 't/year': 'tấn/năm', 't ore/year': 'tấn quặng/năm', 'm2/year': 'm²/năm' },
    en: { 'm3/day': 'm³/day', 't/day': 't/day', 't/year': 't/year', 't ore/year': 't ore/year', 'm2/year': 'm²/year' }
  };
  App.prototype.unit = function (unit) {
    return unit ? ((UNITS[this.lang] || UNITS.en)[unit] || unit) : '';
  };

  App.prototype.narrow = function () {
    return !!(global.matchMedia && global.matchMedia('(max-width: 820px)').matches);
  };

  App.prototype.api = function (method, path, body, form) {
    var headers = {};
    if (this.cfg.token) { headers.Authorization = 'Bearer ' + this.cfg.token; }
    var init = { method: method, headers: headers };
    if (form) {
      init.body = form;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      if (response.ok) { return response; }
      return response.json().catch(function () { return null; }).then(function (payload) {
        var error = new Error('HTTP ' + response.status);
        error.status = response.status;
        error.payload = payload && payload.error;
        throw error;
      });
    });
  };

  App.prototype.format = function (value, digits) {
    if (value === null || value === undefined || isNaN(value)) { return ''; }
    if (!this.formats[digits]) {
      this.formats[digits] = new Intl.NumberFormat(this.cfg.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    return this.formats[digits].format(value);
  };

  App.prototype.quantity = function (value, kind, unit) {
    var text = this.format(value, this.cfg.decimals[kind]);
    return text ? text + ' ' + unit : '';
  };

  // Field of a record in the page's language: title_vi / title_en.
  App.prototype.pick = function (record, key) {
    return record[key + '_' + this.lang] || record[key + '_en'] || record[key] || '';
  };

  App.prototype.term = function (group, key) {
    var names = this.cfg.terms[group] || {};
    return Object.prototype.hasOwnProperty.call(names, key) ? names[key] : (key || '');
  };

  // ------------------------------------------------------------------------ panel

  App.prototype.setupPanel = function () {
    var self = this, T = this.T, info = this.info;
    Array.prototype.forEach.call(document.querySelectorAll('.app-tab'), function (button) {
      button.addEventListener('click', function () { self.selectTab(button.dataset.tab); });
    });
    if (info && info.illustrative) {
      var notice = byId('build-notice');
      notice.textContent = '⚠ ' + fill(T.illustrative_build, { layers: info.illustrative_layers.join(', ') });
      notice.hidden = false;
    }
    byId('build-select').addEventListener('change', function (e) {
      global.location.href = self.pageUrl(self.lang, e.target.value, '');
    });
    byId('lang-switch').addEventListener('click', function (e) {
      e.preventDefault();
      global.location.href = self.pageUrl(self.lang === 'vi' ? 'en' : 'vi', self.cfg.build, global.location.hash);
    });
    Array.prototype.forEach.call(document.querySelectorAll('.meridian-hint'), function (node) {
      if (info && info.central_meridian) { node.textContent = fill(T.meridian_hint, { meridian: self.format(info.central_meridian, 2) }); }
    });
    Array.prototype.forEach.call(document.querySelectorAll('input[name=meridian]'), function (input) {
      if (info && info.central_meridian) { input.value = String(info.central_meridian); }
    });
    var system = byId('coordinates-system');
    system.addEventListener('change', function () {
      var form = byId('coordinates-form');
      form.querySelector('.app-meridian').hidden = system.value !== 'vn2000';
      form.querySelector('textarea').placeholder = T['placeholder_' + system.value];
    });
    byId('coordinates-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var form = e.target;
      self.run({ kind: 'json', fit: true, form: form, body: {
        coordinates: { text: form.text.value, system: form.system.value, shape: form.shape.value, meridian: number(form.meridian.value) },
        name: form.name.value.trim() || null
      } });
    });
    byId('markers-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var form = e.target;
      self.run({ kind: 'json', fit: true, form: form, body: {
        coordinates: { text: form.text.value, system: 'vn2000', shape: 'polygon', meridian: number(form.meridian.value) },
        name: form.name.value.trim() || null
      } });
    });
    byId('file-hint').textContent = fill(T.file_hint, { mb: this.format(this.cfg.max_upload_mb, 0) });
    byId('file-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var form = e.target;
      if (!form.file.files.length) { return; }
      self.run({ kind: 'upload', fit: true, form: form, file: form.file.files[0], crs: form.crs.value.trim() });
    });
    this.setupTypes();
  };

  App.prototype.pageUrl = function (lang, build, hash) {
    var query = '?lang=' + lang + '&build=' + encodeURIComponent(build);
    if (this.cfg.token) { query += '&token=' + encodeURIComponent(this.cfg.token); }
    return global.location.pathname + query + (hash || '');
  };

  App.prototype.selectTab = function (tab) {
    this.tab = tab;
    Array.prototype.forEach.call(document.querySelectorAll('.app-tab'), function (b) {
      b.classList.toggle('app-active', b.dataset.tab === tab);
      b.setAttribute('aria-selected', b.dataset.tab === tab ? 'true' : 'false');
    });
    Array.prototype.forEach.call(document.querySelectorAll('.app-tabpanel'), function (p) { p.hidden = p.dataset.panel !== tab; });
    if (tab !== 'draw') { this.stopDrawing(); }
    L.DomUtil[tab === 'point' ? 'addClass' : 'removeClass'](this.map.getContainer(), 'app-picking');
  };

  App.prototype.onMapClick = function (e) {
    if (this.tab !== 'point' || (this.view.measure && this.view.measure.mode) || this.drawing) { return; }
    var lon = Math.round(e.latlng.lng * 1e7) / 1e7, lat = Math.round(e.latlng.lat * 1e7) / 1e7;
    // named by its coordinates, in no language: a link to this check reads the same in both
    this.run({ kind: 'json', fit: false, body: { sites: { type: 'Point', coordinates: [lon, lat] }, name: lat.toFixed(6) + ', ' + lon.toFixed(6) } });
  };

  // ---------------------------------------------------------------------- drawing

  App.prototype.setupDrawing = function () {
    var self = this, T = this.T, map = this.map;
    if (!map.pm) { return; }
    if (this.lang === 'vi') {
      map.pm.setLang('vi', { tooltips: {
        placeMarker: T.gm_place_marker, firstVertex: T.gm_first_vertex, continueLine: T.gm_continue_line,
        finishLine: T.gm_finish_line, finishPoly: T.gm_finish_poly
      } }, 'en');
    }
    map.pm.setGlobalOptions({ continueDrawing: false, snappable: false, pathOptions: { color: '#0b5cad', weight: 3, fillOpacity: 0.15 } });
    map.on('pm:create', function (e) {
      var geometry = e.layer.toGeoJSON().geometry;
      map.removeLayer(e.layer);
      self.stopDrawing();
      self.run({ kind: 'json', fit: true, body: { sites: geometry } });
    });
    byId('draw-polygon').addEventListener('click', function () { self.startDrawing('Polygon'); });
    byId('draw-line').addEventListener('click', function () { self.startDrawing('Line'); });
    byId('draw-cancel').addEventListener('click', function () { self.stopDrawing(); });
  };

  App.prototype.startDrawing = function (shape) {
    this.stopDrawing();
    this.drawing = shape;
    this.map.pm.enableDraw(shape, { finishOn: null });
    byId('draw-cancel').hidden = false;
  };

  App.prototype.stopDrawing = function () {
    if (this.map && this.map.pm) { this.map.pm.disableDraw(); }
    this.drawing = null;
    var cancel = byId('draw-cancel');
    if (cancel) { cancel.hidden = true; }
  };

  // ------------------------------------------------------------------ project type

  App.prototype.setupTypes = function () {
    var self = this, T = this.T, lang = this.lang;
    var search = byId('type-search'), list = byId('type-list');
    this.typeIndex = this.cfg.types.map(function (t) {
      return { type: t, key: fold(t['type_name_' + lang] + ' ' + t.type_name_vi + ' ' + t.type_name_en + ' ' + t.type) };
    });
    function render() {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var matches = self.typeIndex.filter(function (item) { return words.every(function (w) { return item.key.indexOf(w) >= 0; }); });
      list.textContent = '';
      matches.forEach(function (item) {
        var li = el('li', null, item.type['type_name_' + lang], list);  // the name only: the code stays out of sight
        li.dataset.type = item.type.type;
        li.addEventListener('mousedown', function (e) { e.preventDefault(); self.chooseType(item.type.type, true); });
      });
      list.hidden = !matches.length;
    }
    search.addEventListener('input', render);
    search.addEventListener('focus', render);
    search.addEventListener('blur', function () { list.hidden = true; });
    search.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        e.preventDefault();
        var first = list.querySelector('li');
        if (first) { self.chooseType(first.dataset.type, true); }
      }
    });
    byId('type-clear').addEventListener('click', function () { self.chooseType(null, true); });
    byId('capacity').addEventListener('change', function () { self.rerun(); });
    byId('upstream').addEventListener('change', function () { self.rerun(); });
  };

  App.prototype.typeOf = function (code) {
    return this.cfg.types.filter(function (t) { return t.type === code; })[0] || null;
  };

  App.prototype.chooseType = function (code, rerun) {
    var t = this.typeOf(code), T = this.T;
    this.type = t ? t.type : null;
    byId('type-chosen').textContent = t ? t['type_name_' + this.lang] : T.type_none;
    byId('type-clear').hidden = !t;
    byId('type-search').value = '';
    byId('type-list').hidden = true;
    byId('capacity-field').hidden = !(t && t.capacity_needed);
    byId('capacity-unit').textContent = t ? this.unit(t.capacity_unit) : '';
    byId('upstream-field').hidden = !(t && t.facility && t.capacity_needed);
    if (rerun) { this.rerun(); }
  };

  App.prototype.options = function () {
    var capacityField = byId('capacity-field');
    var capacity = capacityField.hidden ? null : number(byId('capacity').value);
    return {
      build: this.cfg.build,
      type: this.type,
      capacity: capacity === null || isNaN(capacity) ? null : capacity,
      upstream: !byId('upstream-field').hidden && byId('upstream').checked,
      distances: this.distances
    };
  };

  // The page's choices from a request (a link that reopens a check).
  App.prototype.applyOptions = function (request) {
    this.chooseType(request.type || null, false);
    if (request.capacity !== undefined && request.capacity !== null) { byId('capacity').value = String(request.capacity); }
    byId('upstream').checked = !!request.upstream;
    this.distances = request.distances || {};
  };

  // ------------------------------------------------------------------------- checks

  App.prototype.rerun = function () {
    if (this.lastInput) { this.run(L.extend({}, this.lastInput, { fit: false })); }
  };

  App.prototype.run = function (input) {
    var self = this, T = this.T, options = this.options(), request;
    this.lastInput = input;
    var ticket = ++this.sequence;
    if (input.kind === 'upload') {
      var form = new FormData();
      form.append('file', input.file);
      if (input.crs) { form.append('crs', input.crs); }
      Object.keys(options).forEach(function (key) {
        var value = options[key];
        if (value === null || value === undefined) { return; }
        form.append(key, key === 'distances' ? JSON.stringify(value) : String(value));
      });
      request = this.api('POST', '/api/check/upload?lang=' + this.lang, undefined, form);
    } else {
      request = this.api('POST', '/api/check?lang=' + this.lang, L.extend({}, input.body, options));
    }
    this.setStatus(T.checking, true);
    byId('error').hidden = true;
    return request
      .then(function (r) { return r.json(); })
      .then(function (answer) { if (ticket === self.sequence) { self.show(answer, input.fit); } })
      .catch(function (error) { if (ticket === self.sequence) { self.showError(error, input.form); } });
  };

  App.prototype.setStatus = function (text, busy) {
    var status = byId('status');
    status.textContent = text;
    status.classList.toggle('app-busy', !!busy);
  };

  // An error is shown where the officer is looking: under the form whose button was pressed
  // (else in its usual place); the result of an earlier check is cleared, not left as if it answered.
  App.prototype.showError = function (error, near) {
    var box = byId('error'), T = this.T;
    var text = error.payload ? (error.payload[this.lang] || error.payload.en) : String(error.message || error);
    box.textContent = T.error + ': ' + text;
    box.hidden = false;
    if (near && near.parentNode) { near.insertAdjacentElement('afterend', box); }
    if (near !== undefined) {
      this.answer = null;
      byId('result').textContent = '';
      this.view.setSites({ type: 'FeatureCollection', features: [] });
      this.drawBuffers({ type: 'FeatureCollection', features: [] });
    }
    this.setStatus(this.answer ? '' : T.no_result, false);
    document.body.setAttribute('data-app-error', String(error.status || 'network'));
  };

  App.prototype.show = function (answer, fit) {
    this.answer = answer;
    this.selected = null;
    document.body.removeAttribute('data-app-error');
    this.setStatus('', false);
    this.view.setSites(answer.map.sites);
    this.drawBuffers(answer.map.buffers);
    if (fit) { this.fitSites(); }
    this.updateLink();
    var result = byId('result');
    result.textContent = '';
    if (answer.sites.length === 1 && !(answer.meta.rejected_rows || []).length) {
      this.selected = answer.sites[0].site_id;
      this.renderSite(result, answer.sites[0]);
      this.renderDownloads(result);
    } else {
      this.renderCounts(result);
      this.renderTable(result);
      this.renderDownloads(result);
      this.detailBox = el('div', 'app-detail', null, result);
    }
    if (this.narrow()) { result.scrollIntoView({ block: 'start' }); }  // the panel below the map shows the answer; the map stays
    document.body.setAttribute('data-app-checks', String((Number(document.body.getAttribute('data-app-checks')) || 0) + 1));
    return this;
  };

  App.prototype.drawBuffers = function (buffers) {
    var S = this.view.S.sites, T = this.T, self = this;
    this.buffers.clearLayers();
    L.geoJSON(buffers, {
      pane: 'zoningSites',
      interactive: true,
      style: function () { return { color: S.buffer_colour, weight: 1.5, dashArray: S.buffer_dash, fill: false, className: 'app-buffer' }; },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(function () {
          return el('span', null, p.site_id + ': ' + fill(T.buffer_label, { distance: self.format(p.distance_m, 0), receptor: self.cfg.receptors[p.receptor] || p.receptor }));
        }, { sticky: true });
      }
    }).addTo(this.buffers);
  };

  App.prototype.siteLayers = function (siteId) {
    var found = [], layers = this.view.siteLayers;
    Object.keys(layers).forEach(function (verdict) {
      layers[verdict].eachLayer(function (layer) {
        if (layer.feature && layer.feature.properties.site_id === siteId) { found.push(layer); }
      });
    });
    return found;
  };

  App.prototype.fitSites = function (siteId) {
    var bounds = null, self = this, map = this.map;
    var layers = siteId ? this.siteLayers(siteId) : [];
    if (!siteId) {
      Object.keys(this.view.siteLayers).forEach(function (v) { layers.push(self.view.siteLayers[v]); });
      layers.push(this.buffers);
    }
    layers.forEach(function (layer) {
      var b = layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]);
      if (b.isValid()) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
    });
    if (bounds) { map.fitBounds(bounds, { maxZoom: 13, padding: [40, 40] }); }
  };

  // app-results.js adds to App the answer's panel (one site, many sites, taking it away)
  var ZoningApp = {
    App: App,
    helpers: {
      table: table, number: number, encodeRequest: encodeRequest,
      SEVERITY_ORDER: SEVERITY_ORDER, VERDICT_ORDER: VERDICT_ORDER, MAX_ROWS: MAX_ROWS, MAX_LINK: MAX_LINK
    },
    start: function (cfg) {
      var app = new App(cfg);
      global.zoningApp = app;
      app.ready = app.start();
      return app;
    }
  };

  global.ZoningApp = ZoningApp;
})(window);
