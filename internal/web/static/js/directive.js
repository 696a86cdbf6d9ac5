// A directive (指令穿透, /directives/{id}). Its issuer watches the coverage grow live —
// acknowledged, done and targeted grids, by subdistrict and by community, the overdue grids, a
// map of the grids coloured by where each stands — and may issue an Update or a Cancel, which
// supersedes it and asks for fresh acknowledgement; the CAP 1.2 document downloads. A grid
// worker (or community staff) acknowledges the directive for each of their grids on the phone,
// and reports the action done where one is required.
import { api, config, el, hide, lang, number, show, t, when } from './api.js';
import { ackChip, directiveDialog, stateChip, typeChip } from './directivekit.js';
import { onLive } from './live.js';
import { guarded } from './ui/action.js';
import { formDialog } from './ui/dialog.js';
import { newMap, position } from './ui/map.js';
import { photoField, photoPicker } from './ui/photos.js';

const cfg = config();
const id = cfg.directive_id;
const message = document.getElementById('directive-message');
const state = { d: null, map: null, shapes: null, layer: null, names: new Map() };
const colors = { unacknowledged: '#c8102e', acknowledged: '#f0b429', done: '#2e9e57' };

const nodeName = (n) => (lang === 'en' && n.name_en ? n.name_en : n.name);
const unit = (code) => state.names.get(code) || code;

function fact(label, ...value) {
  return [el('dt', {}, label), el('dd', {}, ...value)];
}

function renderHead(d) {
  document.getElementById('directive-head').replaceChildren(
    el('h1', {}, d.title, ' ', typeChip(d.msg_type), ' ', stateChip(d.status)),
    el('p', { class: 'directive-instruction' }, d.instruction),
    el('dl', { class: 'facts' },
      ...fact(t('directive_page.col.issuer'), `${d.issuer_name} · ${when(d.issued_at)}`),
      ...fact(t('directive_page.col.area'), d.area_desc),
      ...fact(t('directive_page.col.ack_due'), when(d.ack_due)),
      ...fact(t('directive_page.levels'), [t('directive_page.urgency.' + d.urgency), t('directive_page.severity.' + d.severity),
        t('directive_page.certainty.' + d.certainty)].join(' · ')),
      ...(d.action_required ? fact(t('directive_page.action_required'), t('directive_page.yes')) : []),
      ...(d.superseded_by ? fact(t('directive_page.superseded_by'), el('a', { href: '/directives/' + encodeURIComponent(d.superseded_by) }, t('directive_page.newer'))) : [])));
}

// ---- the caller's own grids: acknowledge, report done

// The done report: a note, photos of what was done (uploaded first, up to 9 a grid) and the
// position it was reported from.
let donePhotos = null;
const doneDialog = formDialog(document.getElementById('done-dialog'), {
  prepare(grid) {
    document.getElementById('done-grid').textContent = unit(grid.grid_code);
    document.getElementById('done-photos').replaceChildren(photoField('done-photo', t('directive_page.photos'), t('directive_page.photos_hint')));
    donePhotos = photoPicker({ input: document.getElementById('done-photo'), list: document.getElementById('done-photo-previews'),
      box: document.querySelector('#done-dialog .alert') });
  },
  async submit(grid, form) {
    if (donePhotos) await donePhotos.ready();
    if (donePhotos && donePhotos.count) {
      await api('POST', `directives/${encodeURIComponent(id)}/targets/${encodeURIComponent(grid.grid_code)}/photos`, donePhotos.append(new FormData()));
    }
    // Where it was reported from, when the phone tells within a few seconds: the report does
    // not wait for it, and goes without it when the phone may not tell.
    const at = await position('', { timeout: 5000, maximumAge: 60000 }).catch(() => null);
    await ack(grid.grid_code, { done: true, note: form.elements.note.value.trim(), ...(at ? { lat: at.latitude, lng: at.longitude } : {}) });
  },
});

async function ack(grid, extra = {}) {
  hide(message);
  await api('POST', `directives/${encodeURIComponent(id)}/acks`, { grid_code: grid, ...extra });
  show(message, extra.done ? t('directive_page.done_saved', grid) : t('directive_page.acked', grid), 'success');
  await load();
}

function renderMine(d) {
  const mine = d.mine || [];
  const panel = document.getElementById('mine-panel');
  panel.hidden = !mine.length || d.status !== 'active';
  if (panel.hidden) return;
  const waiting = mine.filter((g) => g.status === 'unacknowledged');
  document.getElementById('mine-hint').textContent = t('directive_page.mine_hint', waiting.length, mine.length);
  const all = document.getElementById('mine-all');
  all.replaceChildren();
  if (waiting.length > 1) {
    all.append(guarded(el('button', { type: 'button', class: 'btn btn-primary', id: 'ack-all' }, t('directive_page.ack_all', waiting.length)), message, async () => {
      for (const g of waiting) await api('POST', `directives/${encodeURIComponent(id)}/acks`, { grid_code: g.grid_code });
      show(message, t('directive_page.acked_all', waiting.length), 'success');
      await load();
    }));
  }
  document.getElementById('mine-grids').replaceChildren(...mine.map((g) => {
    const actions = [];
    if (g.status === 'unacknowledged') {
      actions.push(guarded(el('button', { type: 'button', class: 'btn btn-primary', id: 'ack-' + g.grid_code }, t('directive_page.ack')), message, () => ack(g.grid_code)));
    }
    if (d.action_required && g.status !== 'done') {
      actions.push(guarded(el('button', { type: 'button', class: 'btn', id: 'done-' + g.grid_code }, t('directive_page.done')), message, () => doneDialog.open(g)));
    }
    return el('li', { dataset: { grid: g.grid_code, status: g.status } }, el('span', { class: 'grid-name' }, unit(g.grid_code)), ackChip(g.status),
      g.overdue ? el('span', { class: 'status', dataset: { tone: 'danger' } }, t('directive_page.overdue')) : null, ...actions);
  }));
}

// ---- coverage

function figure(idAttr, label, value, note) {
  return el('div', { class: 'cover-figure' }, el('span', { class: 'muted' }, label), el('strong', { id: idAttr }, String(value)), note ? el('span', { class: 'hint' }, note) : null);
}

function countTable(table, heading, rows) {
  table.replaceChildren(
    el('thead', {}, el('tr', {}, [heading, 'directive_page.col.targeted', 'directive_page.col.acknowledged', 'directive_page.col.done', 'directive_page.col.rate']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows.map((r) => el('tr', { dataset: { code: r.code } }, el('td', {}, unit(r.code)), el('td', {}, String(r.targeted)),
      el('td', {}, String(r.acknowledged)), el('td', {}, String(r.done ?? '—')), el('td', {}, r.targeted ? number((100 * r.acknowledged) / r.targeted, 0) + '%' : '—')))));
}

async function renderCoverage() {
  const c = await api('GET', `directives/${encodeURIComponent(id)}/coverage`);
  const pct = c.targeted ? Math.round((100 * c.acknowledged) / c.targeted) : 0;
  document.getElementById('coverage-figures').replaceChildren(
    figure('coverage-targeted', t('directive_page.col.targeted'), c.targeted),
    figure('coverage-acknowledged', t('directive_page.col.acknowledged'), c.acknowledged, pct + '%'),
    figure('coverage-done', t('directive_page.col.done'), c.done, c.action_required ? '' : t('directive_page.no_action')),
    figure('coverage-overdue', t('directive_page.col.overdue'), c.overdue));
  document.getElementById('coverage-bar').style.width = pct + '%';
  document.getElementById('coverage-status').textContent = t('directive_page.coverage_status', when(c.at), pct + '%');
  countTable(document.getElementById('by-subdistrict'), 'directive_page.col.subdistrict', c.by_subdistrict || []);
  countTable(document.getElementById('by-community'), 'directive_page.col.community', c.by_community || []);
  const page = document.getElementById('directive-page');
  page.dataset.acknowledged = String(c.acknowledged);
  page.dataset.targeted = String(c.targeted);
  page.dataset.percent = String(pct);
  // The overdue grids, and every target's state on the map (the first 500).
  const [overdue, all] = await Promise.all([
    api('GET', `directives/${encodeURIComponent(id)}/targets?status=unacknowledged&limit=50`),
    api('GET', `directives/${encodeURIComponent(id)}/targets?limit=500`)]);
  const late = (overdue.targets || []).filter((g) => g.overdue);
  document.getElementById('overdue-list').replaceChildren(...(late.length ? late.map((g) => el('li', {}, `${unit(g.grid_code)} · ${unit(g.community_code)}`))
    : [el('li', { class: 'muted' }, t('directive_page.overdue_none'))]));
  drawMap(all.targets || []);
}

async function drawMap(targets) {
  if (!window.L) return;
  if (!state.map) {
    state.map = newMap('map');
    state.shapes = api('GET', 'grids?format=geojson');
    document.getElementById('map-legend').replaceChildren(...Object.entries(colors).map(([k, color]) =>
      el('span', {}, el('i', { style: `background:${color}` }), t('directive_page.ack.' + k))));
  }
  // Without an action to report, an acknowledged grid has done all it must: green.
  const done = (status) => (status === 'acknowledged' && state.d && !state.d.action_required ? 'done' : status);
  const byGrid = new Map(targets.map((g) => [g.grid_code, done(g.status)]));
  const shapes = await state.shapes;
  if (state.layer) state.layer.remove();
  state.layer = window.L.geoJSON({ type: 'FeatureCollection', features: (shapes.features || []).filter((f) => byGrid.has(f.properties.code)) }, {
    style: (f) => ({ color: colors[byGrid.get(f.properties.code)], weight: 1.5, fillColor: colors[byGrid.get(f.properties.code)], fillOpacity: 0.35 }),
  }).addTo(state.map);
  const bounds = state.layer.getBounds();
  if (bounds.isValid()) state.map.fitBounds(bounds, { maxZoom: 16 });
}

// ---- the issuer's side

function renderIssuer(d) {
  const panel = document.getElementById('issuer-panel');
  panel.hidden = !cfg.can_issue;
  document.getElementById('cap-link').href = `/api/v1/directives/${encodeURIComponent(id)}/cap`;
  for (const b of ['update-open', 'cancel-open']) document.getElementById(b).hidden = d.status !== 'active';
}

const dialog = directiveDialog((newID) => location.assign('/directives/' + encodeURIComponent(newID)));
document.getElementById('update-open').addEventListener('click', () => dialog.open({ msg_type: 'Update', from: state.d }));
document.getElementById('cancel-open').addEventListener('click', () => dialog.open({ msg_type: 'Cancel', from: state.d }));

async function names() {
  const [tree, grids] = await Promise.all([api('GET', 'org/tree'), api('GET', 'grids')]);
  const walk = (n) => {
    state.names.set(n.code, nodeName(n));
    for (const c of n.children || []) walk(c);
  };
  walk(tree);
  for (const g of grids.grids || []) state.names.set(g.code, g.name);
}

async function load() {
  const d = await api('GET', `directives/${encodeURIComponent(id)}`);
  state.d = d;
  renderHead(d);
  renderMine(d);
  renderIssuer(d);
  await renderCoverage();
  const page = document.getElementById('directive-page');
  page.setAttribute('aria-busy', 'false');
  page.dataset.status = d.status;
}

let pending = null;
function refresh() {
  clearTimeout(pending);
  pending = setTimeout(() => load().catch(() => {}), 200);
}

async function main() {
  await names().catch(() => {});
  try {
    await load();
  } catch (err) {
    document.getElementById('directive-head').replaceChildren(el('p', { class: 'alert alert-error', id: 'directive-error' }, err.message));
    return;
  }
  onLive('directive', (m) => {
    if (m.id === id) refresh();
  });
  onLive('reconnect', refresh);
}

main();
