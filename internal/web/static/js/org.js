// The org page: the org tree (GET /api/v1/org/tree) beside a Leaflet map of the grids
// (GET /api/v1/grids?format=geojson). The map has no tile layer (nothing is fetched from the
// network): grids are coloured by subdistrict, zone grids have a thicker outline. Clicking a
// grid shows it; clicking a tree node zooms to its grids; in locate mode a click asks
// GET /api/v1/grids/locate which grid holds the point. sys_admin can import and export grids and
// edit the tree (orgedit.js).
import { api, config, el, lang, number, show, t } from './api.js';
import { initEdit } from './orgedit.js';

const L = window.L;
const cfg = config();

// Distinct, print-safe colours (Okabe–Ito and Tableau hues), one per subdistrict.
const palette = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8c564b', '#7f3c8d',
  '#3969ac', '#e73f74', '#11a579', '#f2b701'];
const zoneOutline = '#1b1f3b';
const labelZoom = 14; // below it no label is drawn at all
const labelWidth = 100; // pixels a grid must span on screen to carry its label

const state = {
  map: null,
  grids: null, // L.GeoJSON of every grid the caller may see; each layer has its .label marker
  labels: null, // L.LayerGroup of the labels shown now
  byCode: new Map(), // grid code → layer
  colours: new Map(), // subdistrict code → colour
  selected: null,
  locating: false,
  pin: null,
  tree: null,
};

const treeBox = document.getElementById('org-tree');
const infoBody = document.getElementById('info-body');
const status = document.getElementById('map-status');
const locateButton = document.getElementById('locate-toggle');

function nameOf(node) {
  return lang === 'en' && node.name_en ? node.name_en : node.name;
}

// ---- map

function styleOf(feature) {
  const p = feature.properties;
  const colour = state.colours.get(p.subdistrict_code) || palette[0];
  const zone = Boolean(p.zone_code);
  return {
    color: zone ? zoneOutline : colour, weight: zone ? 2.5 : 1, opacity: zone ? 0.9 : 0.8,
    fillColor: colour, fillOpacity: 0.28,
  };
}

function selectedStyle() {
  return { color: '#c8102e', weight: 4, opacity: 1, fillOpacity: 0.5 };
}

function initMap() {
  state.map = L.map('map', { attributionControl: false, zoomSnap: 0.1, zoomDelta: 0.5, minZoom: 10, maxZoom: 19 });
  state.map.setView([24.92, 118.6], 13);
  state.map.on('click', (e) => {
    if (state.locating) locate(e.latlng);
  });
  state.map.on('zoomend', updateLabels);
  // The layout around the map settles after the script starts (tree, legend, phone rotation):
  // Leaflet must learn the map's new size, or it centres and fits on the old one.
  new ResizeObserver(() => state.map.invalidateSize()).observe(document.getElementById('map'));
}

function drawGrids(collection) {
  if (state.grids) state.grids.remove();
  if (state.labels) state.labels.remove();
  state.byCode.clear();
  state.selected = null;
  const subdistricts = [...new Set(collection.features.map((f) => f.properties.subdistrict_code))].sort();
  state.colours = new Map(subdistricts.map((code, i) => [code, palette[i % palette.length]]));
  state.labels = L.layerGroup().addTo(state.map);
  state.grids = L.geoJSON(collection, {
    style: styleOf,
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      state.byCode.set(p.code, layer);
      layer.bindTooltip(() => el('span', { class: 'grid-tip' }, el('strong', {}, p.name), ' ', el('code', {}, p.code)),
        { sticky: true, direction: 'top', opacity: 0.95 });
      layer.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        if (state.locating) locate(e.latlng);
        else selectGrid(p.code);
      });
      layer.label = L.marker(layer.getBounds().getCenter(), {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'grid-label', iconSize: null,
          html: el('span', {}, el('span', { class: 'grid-label-name' }, p.name), el('span', { class: 'grid-label-code' }, p.code)) }),
      });
    },
  }).addTo(state.map);
  drawLegend(collection);
  fitAll(false);
  status.textContent = t('web.org.grid_count', collection.features.length);
  updateLabels();
}

// updateLabels shows a grid's name and code on the map where the grid is wide enough on screen
// to hold them; smaller grids keep their hover tooltip only.
function updateLabels() {
  if (!state.grids) return;
  const zoomedIn = state.map.getZoom() >= labelZoom;
  for (const layer of state.grids.getLayers()) {
    let fits = false;
    if (zoomedIn) {
      const b = layer.getBounds();
      const width = state.map.latLngToLayerPoint(b.getNorthEast()).x - state.map.latLngToLayerPoint(b.getSouthWest()).x;
      // Long names (dedicated grids) need more room: about 11 px per character.
      fits = width >= Math.max(labelWidth, layer.feature.properties.name.length * 11 + 12);
    }
    if (fits && !state.labels.hasLayer(layer.label)) state.labels.addLayer(layer.label);
    if (!fits && state.labels.hasLayer(layer.label)) state.labels.removeLayer(layer.label);
  }
}

function fitAll(animate = true) {
  state.map.invalidateSize();
  if (state.grids && state.grids.getLayers().length) {
    state.map.fitBounds(state.grids.getBounds(), { padding: [12, 12], animate });
  }
}

function drawLegend(collection) {
  const legend = document.getElementById('legend');
  const names = new Map();
  for (const f of collection.features) names.set(f.properties.subdistrict_code, f.properties.subdistrict_name);
  legend.replaceChildren(
    ...[...state.colours].map(([code, colour]) => el('span', { class: 'legend-item' },
      el('span', { class: 'swatch', style: `background:${colour}` }), names.get(code) || code)),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-zone' }), t('web.org.legend_zone')));
}

function selectGrid(code, { zoom = false } = {}) {
  if (state.selected) state.grids.resetStyle(state.selected);
  const layer = state.byCode.get(code);
  state.selected = layer || null;
  if (!layer) return;
  layer.setStyle(selectedStyle());
  layer.bringToFront();
  if (zoom) state.map.fitBounds(layer.getBounds(), { maxZoom: 17 });
  showGrid(layer.feature.properties);
}

function row(label, ...value) {
  return [el('dt', {}, label), el('dd', {}, ...value)];
}

function gridDetails(p) {
  const kind = `web.grid.kind.${p.kind}`;
  return el('dl', { class: 'facts' },
    row(t('web.grid.name'), p.name),
    row(t('web.grid.code'), el('code', {}, p.code)),
    row(t('web.grid.kind'), t(kind) === kind ? p.kind : t(kind)),
    row(t('kind.community'), p.community_name || '—', ' ', p.community_code ? el('code', {}, p.community_code) : ''),
    row(t('kind.subdistrict'), p.subdistrict_name || '—', ' ', p.subdistrict_code ? el('code', {}, p.subdistrict_code) : ''),
    row(t('kind.zone'), p.zone_name || t('web.grid.no_zone'), ' ', p.zone_code ? el('code', {}, p.zone_code) : ''),
    row(t('web.grid.households'), p.households != null ? number(p.households) : '—'),
    row(t('web.grid.area'), p.area_m2 != null ? t('web.grid.area_value', number(p.area_m2), number(p.area_m2 / 10000, 2)) : '—'));
}

function showGrid(p) {
  infoBody.replaceChildren(el('h3', { class: 'info-title', id: 'info-grid-name' }, p.name), gridDetails(p));
}

// ---- locate

function setLocating(on) {
  state.locating = on;
  locateButton.setAttribute('aria-pressed', String(on));
  document.getElementById('map').classList.toggle('locating', on);
  if (on) infoBody.replaceChildren(el('p', { class: 'muted' }, t('web.org.locate_hint')));
}

async function locate(latlng) {
  if (state.pin) state.pin.remove();
  state.pin = L.circleMarker(latlng, { radius: 7, color: '#ffffff', weight: 2, fillColor: '#c8102e', fillOpacity: 1 })
    .addTo(state.map);
  const where = el('p', { class: 'muted' }, t('web.org.point', latlng.lat.toFixed(6), latlng.lng.toFixed(6)));
  infoBody.replaceChildren(where, el('p', {}, t('web.loading')));
  try {
    const res = await api('GET', `grids/locate?lat=${latlng.lat}&lng=${latlng.lng}`);
    if (!res.inside) {
      infoBody.replaceChildren(where, el('p', { class: 'alert alert-warn', id: 'locate-result' }, res.message));
      return;
    }
    if (state.byCode.has(res.grid.code)) selectGrid(res.grid.code);
    infoBody.replaceChildren(where,
      el('p', { class: 'alert alert-ok', id: 'locate-result' }, t('web.org.located', res.grid.name, res.grid.code)),
      gridDetails(res.grid));
  } catch (err) {
    infoBody.replaceChildren(where, el('p', { class: 'alert alert-error' }, err.message));
  }
}

// ---- tree

function gridsUnder(node) {
  const match = {
    district: () => true,
    subdistrict: (p) => p.subdistrict_code === node.code,
    community: (p) => p.community_code === node.code,
    zone: (p) => p.zone_code === node.code,
  }[node.kind];
  if (!match || !state.grids) return [];
  return state.grids.getLayers().filter((layer) => match(layer.feature.properties));
}

function focusNode(node, button) {
  for (const b of treeBox.querySelectorAll('.tree-name[aria-current]')) b.removeAttribute('aria-current');
  button.setAttribute('aria-current', 'true');
  const layers = gridsUnder(node);
  if (layers.length) state.map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [16, 16], maxZoom: 17 });
  const households = layers.reduce((sum, l) => sum + (l.feature.properties.households || 0), 0);
  infoBody.replaceChildren(el('h3', { class: 'info-title' }, nameOf(node)), el('dl', { class: 'facts' },
    row(t('web.grid.code'), el('code', {}, node.code)),
    row(t('web.org.kind'), t('kind.' + node.kind)),
    row(t('web.org.grids'), number(layers.length)),
    row(t('web.grid.households'), number(households)),
    node.lead_organisation ? row(t('web.org.lead'), node.lead_organisation) : []));
}

function nodeItem(node, depth) {
  const kids = [...(node.zones || []).map((z) => ({ ...z, kind: 'zone' })), ...(node.children || [])];
  const item = el('li', { class: `tree-node kind-${node.kind}${node.context ? ' context' : ''}`, dataset: { code: node.code } });
  const name = el('button', { type: 'button', class: 'tree-name', disabled: node.context || undefined },
    el('span', { class: `kind-tag kind-tag-${node.kind}` }, t('kind.' + node.kind)), ' ', nameOf(node));
  if (!node.context) name.addEventListener('click', () => focusNode(node, name));
  const meta = el('span', { class: 'tree-meta' }, el('code', {}, node.code),
    node.context ? el('span', { class: 'muted' }, t('web.org.context')) : el('span', { class: 'count' }, t('web.org.grid_n', node.grid_count || 0)));
  let toggle = el('span', { class: 'tree-toggle-space' });
  let list = null;
  if (kids.length) {
    const open = depth < 1 || (depth < 2 && node.kind === 'subdistrict' && state.treeSubdistricts <= 2);
    list = el('ul', { class: 'tree-list' }, kids.map((k) => nodeItem(k, depth + 1)));
    list.hidden = !open;
    toggle = el('button', { type: 'button', class: 'tree-toggle', 'aria-expanded': String(open), 'aria-label': t('web.org.toggle', nameOf(node)) });
    toggle.addEventListener('click', () => {
      const expanded = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!expanded));
      list.hidden = expanded;
    });
  }
  item.append(el('div', { class: 'tree-row' }, toggle, el('div', { class: 'tree-label' }, name, meta)));
  if (list) item.append(list);
  return item;
}

function renderTree(root) {
  state.tree = root;
  state.treeSubdistricts = (root.children || []).filter((c) => c.kind === 'subdistrict').length;
  treeBox.replaceChildren(el('ul', { class: 'tree-list tree-root' }, nodeItem(root, 0)));
  treeBox.setAttribute('aria-busy', 'false');
}

document.getElementById('tree-collapse').addEventListener('click', () => {
  for (const toggle of treeBox.querySelectorAll('.tree-toggle')) {
    const top = toggle.closest('.tree-node').parentElement.classList.contains('tree-root');
    toggle.setAttribute('aria-expanded', String(top));
    toggle.closest('.tree-node').querySelector(':scope > .tree-list').hidden = !top;
  }
});

// ---- import (sys_admin)

function initImport() {
  const form = document.getElementById('import-form');
  if (!form || !cfg.can_import) return;
  const result = document.getElementById('import-result');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = document.getElementById('import-file').files[0];
    if (!file) {
      show(result, t('web.org.import.no_file'));
      return;
    }
    const button = document.getElementById('import-submit');
    button.disabled = true;
    show(result, t('web.org.import.running', file.name), 'info');
    try {
      const res = await api('POST', 'grids/import', file, { raw: true, contentType: 'application/geo+json' });
      show(result, t('web.org.import.done', res.features, res.created, res.updated), 'ok', res.warnings || []);
      await load();
    } catch (err) {
      show(result, err.message, 'error', err.details);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- start

async function load() {
  const [tree, grids] = await Promise.all([api('GET', 'org/tree'), api('GET', 'grids?format=geojson')]);
  drawGrids(grids);
  renderTree(tree);
}

async function main() {
  if (!L) {
    status.textContent = t('web.org.no_map');
    return;
  }
  initMap();
  document.getElementById('fit-all').addEventListener('click', () => fitAll());
  locateButton.addEventListener('click', () => setLocating(!state.locating));
  initImport();
  if (cfg.can_edit) initEdit(load);
  try {
    await load();
  } catch (err) {
    treeBox.replaceChildren(el('p', { class: 'alert alert-error' }, err.message));
    status.textContent = err.message;
  }
}

main();
