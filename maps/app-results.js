/*
 * Zoning web application: the answer written into the panel — one site (its verdict, zones,
 * findings and distances), many sites (counts and a sortable table) and taking it away
 * (downloads and a link that reopens the check). Adds these to the App of app.js; like it,
 * everything from data or from the user goes into the page with textContent.
 */
(function (global) {
  'use strict';

  var L = global.L;
  var ZM = global.ZoningMap;
  var App = global.ZoningApp.App, H = global.ZoningApp.helpers;
  var el = ZM.el, fill = ZM.fill;
  var table = H.table, number = H.number, encodeRequest = H.encodeRequest;
  var SEVERITY_ORDER = H.SEVERITY_ORDER, VERDICT_ORDER = H.VERDICT_ORDER, MAX_ROWS = H.MAX_ROWS, MAX_LINK = H.MAX_LINK;

  // -------------------------------------------------------------------- one site

  App.prototype.badge = function (verdict) {
    var badge = el('span', 'zoning-verdict app-verdict-' + verdict, this.term('verdicts', verdict));
    badge.style.background = this.cfg.verdict_colours[verdict] || '#8c8c8c';
    badge.style.color = verdict === 'needs_review' || verdict === 'no_data' ? '#1a1a1a' : '#fff';
    return badge;
  };

  App.prototype.statusNode = function (status) {
    return el('span', status === 'confirmed' ? 'app-confirmed' : (status === 'user' ? 'app-user' : 'app-unconfirmed'), this.term('statuses', status));
  };

  App.prototype.renderSite = function (parent, site) {
    var self = this, T = this.T, meta = this.answer.meta;
    var box = el('article', 'app-site', null, parent);
    box.dataset.siteId = site.site_id;
    el('h3', null, this.siteTitle(site), box);
    var verdict = el('p', 'app-verdict', null, box);
    el('span', null, T.verdict + ': ', verdict);
    verdict.appendChild(this.badge(site.verdict));
    var province = site.province_name || (this.answer.province && this.answer.province[this.lang]);
    if (province) { el('p', 'app-province', T.province + ': ' + province, box); }
    if (site.site_provinces && site.site_provinces !== site.province_name) {  // a site in more than one province: each row its own, and the most serious
      el('p', 'app-province-all', T.site_provinces + ': ' + site.site_provinces, box);
      var combined = el('p', 'app-verdict app-verdict-combined', null, box);
      el('span', null, T.verdict_combined + ': ', combined);
      combined.appendChild(this.badge(site.verdict_combined));
    }
    var reason = this.reason(site);
    if (reason) { el('p', 'app-reason', reason, box); }
    if (site.borderline) { el('p', 'app-warning app-borderline', T.borderline + ' (' + this.quantity(meta.positional_tolerance_m.default, 'distance_m', 'm') + ')', box); }
    if (site.illustrative) { el('p', 'app-warning app-illustrative', '⚠ ' + T.illustrative_result, box); }
    if (site.input_note) { el('p', 'app-note', fill(T.input_note, { note: site.input_note }), box); }

    var facts = el('dl', 'app-facts', null, box);
    function fact(label, value) { if (value) { el('dt', null, label, facts); el('dd', null, value, facts); } }
    var kind = site.geometry_type;
    var size = kind === 'polygon' ? ', ' + this.quantity(site.area_ha, 'area_ha', 'ha') : (kind === 'line' ? ', ' + this.quantity(site.length_m, 'length_m', 'm') : '');
    fact(T.geometry, (T['geometry_' + kind] || kind) + size);
    var type = site.type ? this.pick(site, 'type_name') : T.type_missing;
    if (site.capacity !== null && site.capacity !== undefined) {
      type += ' – ' + T.capacity.toLowerCase() + ' ' + this.format(site.capacity, 2) + ' ' + this.unit(site.capacity_unit);
    }
    if (site.capacity_class) { type += ' (' + this.term('capacity_classes', site.capacity_class) + ')'; }
    fact(T.type, type);
    fact(T.communes, String(site.commune_names || '').split(',').join(', '));

    if (site.findings === undefined) {  // the answer for many sites: ask for this one in full
      var wait = el('p', 'app-hint', T.checking, box);
      this.siteDetail(site.site_id).then(function (full) {
        if (self.selected !== site.site_id) { return; }
        box.remove();
        self.renderSite(parent, full);
      }).catch(function (error) { wait.remove(); self.showError(error); });
      return box;
    }
    this.renderZones(box, site);
    this.renderUnits(box, site);
    this.renderSensitive(box, site);
    this.renderSafety(box, site);
    this.renderFindings(box, site);
    if (site.no_data_layers || (this.lang === 'en' && site.missing_values)) {
      el('h4', null, T.data_gaps, box);
      if (site.no_data_layers) { el('p', null, fill(T.no_data_layers, { layers: site.no_data_layers }), box); }
      if (this.lang === 'en' && site.missing_values) { el('p', null, fill(T.missing_values, { values: site.missing_values }), box); }
    }
    el('p', 'app-provenance', fill(T.provenance, { build: meta.build_id, ruleset: meta.ruleset, check_rules: meta.check_rules, software: meta.software }), box);
    return box;
  };

  // One sentence under the badge: the finding that decides the verdict, with its basis in law
  // and, where the value is not confirmed law, that it is not.
  App.prototype.reason = function (site) {
    var T = this.T, self = this;
    if (!site.findings) { return ''; }
    var severity = { conflict: 'conflict', needs_review: 'review', no_data: 'no_data', outside_province: 'outside' }[site.verdict];
    if (!severity) { return T.reason_none; }
    var found = site.findings.filter(function (f) { return f.severity === severity; });
    var first = found.filter(function (f) { return f.status !== 'confirmed'; })[0] && severity === 'review'
      ? found.filter(function (f) { return f.status !== 'confirmed'; })[0] : found[0];
    if (!first) { return ''; }
    var text = self.pick(first, 'title');
    var citation = self.pick(first, 'citation');
    if (citation) { text += ' (' + citation + ')'; }
    if (severity === 'outside' && self.pick(first, 'detail')) { text += ': ' + self.pick(first, 'detail'); }
    if (first.status === 'unconfirmed') { text += ' – ' + T.reason_unconfirmed; }
    if (found.length > 1) { text += ' ' + fill(T.reason_more, { count: self.format(found.length - 1, 0) }); }
    return text + '.';
  };

  // A site's name; a site given without one is named by what it is (a point by its coordinates).
  App.prototype.siteTitle = function (site) {
    var named = site.name && site.name !== site.site_id;
    var title = named ? site.name : (this.T['name_' + site.geometry_type] || site.site_id);
    if (!named && site.geometry_type === 'point') {  // the point's own coordinates, latitude first as everywhere on the page
      var feature = (this.answer.map.sites.features || []).filter(function (f) { return f.properties.site_id === site.site_id; })[0];
      var label = feature && feature.properties.label;
      title = label ? fill(this.T.name_point, { lat: this.format(label[0], 6), lon: this.format(label[1], 6) }) : site.site_id;
    }
    if (named && site.geometry_type === 'point' && /^-?\d+\.\d+, -?\d+\.\d+$/.test(site.name)) {
      var ll = site.name.split(', ');
      title = fill(this.T.name_point, { lat: this.format(Number(ll[0]), 6), lon: this.format(Number(ll[1]), 6) });
    }
    return this.answer.sites.length > 1 || (named && !/^\d+$/.test(site.site_id)) ? title + ' (' + site.site_id + ')' : title;
  };

  App.prototype.renderZones = function (box, site) {
    var self = this, T = this.T;
    el('h4', null, T.zones_met, box);
    var line = site.geometry_type === 'line', point = site.geometry_type === 'point';
    var share = function (pct) { return self.format(pct, self.cfg.decimals.share_pct) + ' %'; };
    var rows = site.zones.map(function (z) {
      var name = el('span');
      el('span', 'zoning-swatch', null, name).style.background = self.view.S.zones[z.zone] ? self.view.S.zones[z.zone].fill : '#ccc';
      name.appendChild(document.createTextNode(self.pick(z, 'name') + (z.borderline ? ' ±' : '')));
      if (point) { return [name, share(z.share_pct)]; }
      return [name, line ? self.format(z.overlap_m, self.cfg.decimals.length_m) : self.format(z.overlap_ha, self.cfg.decimals.area_ha), share(z.share_pct)];
    });
    if (site.outside_pct > 0) {
      var outside = line ? '' : this.format(site.outside_ha, this.cfg.decimals.area_ha);
      rows.push(point ? [T.outside_province, share(site.outside_pct)] : [T.outside_province, outside, share(site.outside_pct)]);
    }
    var headers = point ? [T.col_zone, T.col_share] : [T.col_zone, line ? T.col_overlap_length : T.col_overlap, T.col_share];
    table(box, 'app-zones', headers, rows);
  };

  App.prototype.renderUnits = function (box, site) {
    var self = this, T = this.T;
    el('h4', null, fill(T.units, { distance: this.format(this.answer.meta.search_distance_m, 0) }), box);
    if (!site.units.length) { el('p', 'app-hint', T.no_units, box); return; }
    var rows = site.units.map(function (u) {
      var name = el('span');
      el('span', 'zoning-swatch', null, name).style.background = self.view.S.zones[u.zone] ? self.view.S.zones[u.zone].fill : '#ccc';
      name.appendChild(document.createTextNode((self.lang === 'en' && u.name_en ? u.name_en : u.name) + ' (' + u.unit_id + ')'));
      if (u.assumption) { el('small', 'app-assumption', ' – ' + T.assumption + ': ' + u.assumption, name); }
      var where = u.inside ? T.inside : fill(T.away, { distance: self.quantity(u.distance_m, 'distance_m', 'm') });
      if (u.borderline) { where += ' ±'; }
      return [name, self.pick(u, 'citation'), self.statusNode(u.status), where];
    });
    table(box, 'app-units', [T.col_unit, T.col_citation, T.col_status, T.col_where], rows);
  };

  App.prototype.renderSensitive = function (box, site) {
    var self = this, T = this.T;
    el('h4', null, T.sensitive + ' (' + T.sensitive_basis + ')', box);
    if (!site.sensitive.length) { el('p', 'app-hint', T.no_sensitive, box); return; }
    var rows = site.sensitive.map(function (s) {
      var where = self.term('relations', s.relation) + (s.relation === 'near' ? ' – ' + self.quantity(s.distance_m, 'distance_m', 'm') : '');
      return [self.pick(s, 'title'), s.feature || s.source_id || '', where, self.statusNode(s.status)];
    });
    table(box, 'app-sensitive', [T.col_element, T.col_feature, T.col_where, T.col_status], rows);
  };

  App.prototype.renderSafety = function (box, site) {
    var self = this, T = this.T;
    el('h4', null, T.safety, box);
    if (!site.safety.length) { el('p', 'app-hint', T.no_safety, box); return; }
    var unknown = {};
    var rows = site.safety.map(function (s) {
      var citation = self.pick(s, 'citation');
      var required;
      if (s.distance_required_m === null) {
        var facility = self.cfg.facilities[s.facility] || {};
        var template = (s.missing || '').indexOf('capacity') === 0 ? T.missing_capacity : (s.status === 'unconfirmed' ? T.missing_unconfirmed : T.missing_no_value);
        required = el('span', 'app-missing', fill(template, { citation: citation, unit: self.unit(facility.capacity_unit), klass: s.capacity_class || '' }));
        if (template === T.missing_unconfirmed) { unknown[s.facility + ':' + s.receptor] = s; }
      } else {
        required = el('span', null, self.quantity(s.distance_required_m, 'distance_m', 'm') + ' – ' + citation + ' ');
        required.appendChild(self.statusNode(s.status));
      }
      var nearest = s.nearest_m === null ? T.none_in_data : self.quantity(s.nearest_m, 'distance_m', 'm') + (s.nearest_name ? ' (' + s.nearest_name + ')' : '');
      var holds = s.holds === true ? T.holds_yes : (s.holds === false ? T.holds_no : T.holds_unknown);
      var holdsNode = el('span', s.holds === false ? 'app-fails' : (s.holds === true ? 'app-holds' : 'app-hint'), holds + (s.borderline ? ' ±' : ''));
      return [self.cfg.receptors[s.receptor] || s.receptor, required, nearest, holdsNode];
    });
    table(box, 'app-safety', [T.col_receptor, T.col_required, T.col_nearest, T.col_holds], rows);
    Object.keys(unknown).forEach(function (key) {
      var s = unknown[key];
      var form = el('form', 'app-distance', null, box);
      var facility = (self.cfg.facilities[s.facility] || {}).name || s.facility;
      el('label', null, fill(T.enter_distance, { facility: facility + ' → ' + (self.cfg.receptors[s.receptor] || s.receptor) }), form);
      var input = el('input', null, null, form);
      input.type = 'text';
      input.inputMode = 'decimal';
      input.name = key;
      el('button', null, T.apply_distance, form).type = 'submit';
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var metres = number(input.value);
        if (metres === null || isNaN(metres)) { return; }
        self.distances = L.extend({}, self.distances);
        self.distances[key] = metres;
        self.rerun();
      });
    });
  };

  App.prototype.renderFindings = function (box, site) {
    var self = this, T = this.T;
    el('h4', null, T.findings, box);
    if (!site.findings.length) { el('p', 'app-hint', T.no_findings, box); return; }
    var findings = site.findings.slice().sort(function (a, b) { return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity); });
    var list = el('ul', 'app-findings', null, box);
    findings.forEach(function (f) {
      var li = el('li', 'app-severity-' + f.severity, null, list);
      el('b', null, '[' + self.term('severities', f.severity) + '] ', li);
      li.appendChild(document.createTextNode(self.pick(f, 'title')));
      var detail = self.pick(f, 'detail');
      if (detail) { el('div', 'app-finding-detail', detail, li); }
      var basis = el('div', 'app-finding-basis', null, li);
      var citation = self.pick(f, 'citation');
      if (citation) { basis.appendChild(document.createTextNode(citation + ' – ')); }
      basis.appendChild(self.statusNode(f.status));
    });
  };

  App.prototype.siteDetail = function (siteId) {
    var request = this.singleRequest(siteId);
    request.detail = true;
    return this.api('POST', '/api/check?lang=' + this.lang, request)
      .then(function (r) { return r.json(); })
      .then(function (answer) { return answer.sites[0]; });
  };

  // The canonical request of the last check, reduced to one site.
  App.prototype.singleRequest = function (siteId) {
    var request = L.extend({}, this.answer.request);
    request.sites = {
      type: 'FeatureCollection',
      features: request.sites.features.filter(function (f) { return String(f.properties.id) === String(siteId); })
    };
    return request;
  };

  // ------------------------------------------------------------------ many sites

  App.prototype.renderCounts = function (parent) {
    var self = this, T = this.T, counts = this.answer.verdicts;
    var box = el('div', 'app-counts', null, parent);
    el('b', null, fill(T.many_sites, { count: this.format(this.answer.sites.length, 0) }) + ': ', box);
    VERDICT_ORDER.forEach(function (v) {
      if (!counts[v]) { return; }
      var chip = el('span', 'app-count', null, box);
      chip.appendChild(self.badge(v));
      chip.appendChild(document.createTextNode(' ' + self.format(counts[v], 0)));
      chip.dataset.verdict = v;
      chip.dataset.count = String(counts[v]);
    });
    var rejected = this.answer.meta.rejected_rows || [];
    if (rejected.length) {
      var chip = el('span', 'app-count app-count-error', null, box);
      el('span', 'zoning-verdict app-verdict-data_error', T.data_error, chip);
      chip.appendChild(document.createTextNode(' ' + self.format(rejected.length, 0)));
      chip.dataset.verdict = 'data_error';
      chip.dataset.count = String(rejected.length);
      el('p', 'app-warning app-data-errors', fill(T.data_error_hint, { count: self.format(rejected.length, 0) }), parent);
    }
  };

  App.prototype.renderTable = function (parent) {
    var self = this, T = this.T;
    var columns = [
      { key: 'site_id', label: T.col_site },
      { key: 'name', label: T.col_name },
      { key: 'verdict', label: T.col_verdict },
      { key: 'zones_touched', label: T.col_zones }
    ];
    if (this.answer.sites.length && this.answer.sites[0].province_name !== undefined) { columns.splice(2, 0, { key: 'province_name', label: T.col_province }); }
    el('p', 'app-hint', T.table_hint, parent);
    var wrap = el('div', 'app-table-wrap', null, parent);
    var t = el('table', 'app-table app-sites', null, wrap);
    var head = el('tr', null, null, el('thead', null, null, t));
    var body = el('tbody', null, null, t);
    columns.forEach(function (c) {
      var th = el('th', 'app-sortable', c.label, head);
      th.dataset.key = c.key;
      th.addEventListener('click', function () {
        self.sort = { key: c.key, ascending: self.sort.key === c.key ? !self.sort.ascending : true };
        draw();
      });
    });
    var note = el('p', 'app-hint', '', parent);
    function value(site, key) {
      if (key === 'verdict') { return VERDICT_ORDER.indexOf(site.verdict); }
      return String(site[key] || '');
    }
    function draw() {
      var sites = self.answer.sites.slice();
      if (self.sort.key) {
        var key = self.sort.key, sign = self.sort.ascending ? 1 : -1;
        sites.sort(function (a, b) {
          var x = value(a, key), y = value(b, key);
          return sign * (typeof x === 'number' ? x - y : x.localeCompare(y, self.cfg.locale, { numeric: true }));
        });
      }
      Array.prototype.forEach.call(head.children, function (th) {
        th.classList.toggle('app-sorted-asc', th.dataset.key === self.sort.key && self.sort.ascending);
        th.classList.toggle('app-sorted-desc', th.dataset.key === self.sort.key && !self.sort.ascending);
      });
      body.textContent = '';
      (self.answer.meta.rejected_rows || []).forEach(function (row) {  // rows of the file that could not be read, first: what to fix
        var tr = el('tr', 'app-data-error', null, body);
        tr.dataset.row = String(row.row);
        el('td', null, fill(T.data_error_row, { row: row.row }), tr);
        el('td', null, fill(T.data_error_cell, { column: row.column, value: row.value, reason: self.lang === 'en' ? row.reason_en : row.reason_vi }), tr);
        el('td', null, null, tr).appendChild(el('span', 'zoning-verdict app-verdict-data_error', T.data_error));
        el('td', null, '', tr);
      });
      sites.slice(0, MAX_ROWS).forEach(function (site) {
        var tr = el('tr', site.site_id === self.selected ? 'app-selected' : null, null, body);
        tr.dataset.siteId = site.site_id;
        el('td', null, site.site_id, tr);
        el('td', null, site.name || '', tr);
        if (site.province_name !== undefined) { el('td', null, site.province_name || '', tr); }
        el('td', null, null, tr).appendChild(self.badge(site.verdict));
        el('td', null, String(site.zones_touched || '').split(',').filter(Boolean).map(function (z) { return self.term('zones', z); }).join(', '), tr);
        tr.addEventListener('click', function () { self.select(site.site_id); });
      });
      note.textContent = sites.length > MAX_ROWS ? fill(T.table_shown, { shown: self.format(MAX_ROWS, 0), count: self.format(sites.length, 0) }) : '';
    }
    draw();
  };

  App.prototype.select = function (siteId) {
    this.selected = siteId;
    Array.prototype.forEach.call(document.querySelectorAll('.app-sites tbody tr'), function (tr) {
      tr.classList.toggle('app-selected', tr.dataset.siteId === siteId);
    });
    this.fitSites(siteId);
    Array.prototype.forEach.call(document.querySelectorAll('.app-report'), function (b) { b.disabled = false; b.title = ''; });
    var site = this.answer.sites.filter(function (s) { return s.site_id === siteId; })[0];
    this.detailBox.textContent = '';
    this.renderSite(this.detailBox, site);
    this.detailBox.scrollIntoView({ block: 'nearest' });
  };

  // -------------------------------------------------------------- take it away

  App.prototype.renderDownloads = function (parent) {
    var self = this, T = this.T;
    var box = el('div', 'app-downloads', null, parent);
    el('h4', null, T.downloads, box);
    var row = el('div', 'app-row', null, box);
    function button(label, action, className) {
      var b = el('button', 'app-download ' + className, label, row);
      b.type = 'button';
      b.addEventListener('click', function () { action(b); });
      return b;
    }
    var reports = [['html', T.report_html]];
    if (this.cfg.office) { reports.push(['pdf', T.report_pdf], ['docx', T.report_docx]); }
    reports.forEach(function (r) {
      var b = button(r[1], function (b) {
        self.download(b, '/api/report/' + r[0] + '?site=' + encodeURIComponent(self.selected), self.singleRequest(self.selected));
      }, 'app-report app-report-' + r[0]);
      b.disabled = !self.selected;  // many sites: the report of the one chosen in the table
      if (!self.selected) { b.title = T.report_choose; }
    });
    [['gpkg', T.results_gpkg], ['csv', T.results_csv], ['xlsx', T.results_xlsx]].forEach(function (r) {
      button(r[1], function (b) { self.download(b, '/api/export/' + r[0], self.answer.request); }, 'app-results-' + r[0]);
    });
    var link = el('div', 'app-link', null, box);
    var copy = el('button', 'app-copy-link', T.copy_link, link);
    copy.type = 'button';
    var shown = el('input', 'app-link-text', null, link);
    shown.readOnly = true;
    shown.hidden = true;
    copy.addEventListener('click', function () {
      var url = self.link();
      shown.hidden = false;
      shown.value = url || T.link_too_long;
      if (url && global.navigator.clipboard) { global.navigator.clipboard.writeText(url).catch(function () { return null; }); }
      shown.select();
    });
  };

  App.prototype.download = function (button, path, request) {
    var self = this, label = button.textContent;
    var shown = button.parentNode.parentNode.querySelector('.app-download-error');
    if (shown) { shown.remove(); }
    button.disabled = true;
    button.textContent = this.T.preparing;
    return this.api('POST', path, request)
      .then(function (response) {
        var name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
        return response.blob().then(function (blob) {
          var a = el('a', null, null, document.body);
          a.href = URL.createObjectURL(blob);
          a.download = name ? name[1] : 'zoning';
          a.click();
          setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        });
      })
      .catch(function (error) { self.downloadFailed(button, error); })
      .then(function () { button.disabled = false; button.textContent = label; });
  };

  // A download that fails is told under the row of the button pressed, in Vietnamese and
  // English (the server's own words when it sent them); the check shown stays as it is.
  App.prototype.downloadFailed = function (button, error) {
    var D = this.cfg.download_texts;
    var text = ['vi', 'en'].map(function (lang) {
      var reason = error.payload && error.payload[lang] ? error.payload[lang]
        : (error.status ? fill(D[lang].download_server, { status: error.status }) : D[lang].download_network);
      return fill(D[lang].download_failed, { reason: reason });
    }).join(' / ');
    var message = el('p', 'app-download-error', text);
    message.setAttribute('role', 'alert');
    message.dataset.status = String(error.status || 'network');
    button.parentNode.insertAdjacentElement('afterend', message);
  };

  App.prototype.link = function () {
    var hash = '#check=' + encodeRequest(this.answer.request);
    if (hash.length > MAX_LINK) { return null; }
    var url = global.location.origin + global.location.pathname + '?lang=' + this.lang + '&build=' + encodeURIComponent(this.cfg.build);
    return url + hash;
  };

  App.prototype.updateLink = function () {
    var url = this.link();
    if (url) { global.history.replaceState(null, '', this.pageUrl(this.lang, this.cfg.build, url.slice(url.indexOf('#')))); }
  };
})(window);
