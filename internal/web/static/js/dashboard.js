// The leaders' dashboard (领导驾驶舱): the indicators of the caller's units for a period — key
// figures, the grid map coloured by one indicator, the zones ranked, a 12-month trend beside the
// peers, the top categories, the units one level down — and a live feed of cases. A click drills
// down (district → subdistrict → zone or community → grid → case); the URL keeps the state.
import { api, config, el, hide, lang, number, show, t, when } from './api.js';
import { placeText, slaDot, statusChip } from './casekit.js';
import { feed } from './dashboard/feed.js';
import { onLive } from './live.js';
import { gridMap } from './dashboard/map.js';
import { childLevel, read, span, url } from './dashboard/state.js';
import { chart, chartTip, draw, palette, trendLines } from './ui/chart.js';

const cfg = config();
const root = cfg.root && cfg.root.code ? cfg.root : { kind: 'district', code: '', name: '' };
const $ = (id) => document.getElementById(id);
const message = $('dash-message');
const page = $('dashboard');

let state = read(root);
let rates = []; // the definitions of the rates
const names = new Map(); // unit code → name, from the rows seen
const cache = new Map(); // API path → answer (a promise), for the current period

function get(path) {
  if (!cache.has(path)) {
    const p = api('GET', path);
    p.catch(() => cache.delete(path)); // an error is asked again next time
    cache.set(path, p);
  }
  return cache.get(path);
}

const rate = () => rates.find((r) => r.code === state.rate) || rates[0];
const pct = (v) => (v === null || v === undefined ? '—' : number(v, 2) + '%');
const unitName = (code) => names.get(code) || code;
// nameOf is a unit's name in the page's language.
const nameOf = (row) => (lang === 'en' && row.name_en ? row.name_en : row.name);
const remember = (rows) => rows.forEach((r) => names.set(r.code, nameOf(r)));

// lateness is the SLA tone of a unit's overdue rate: none overdue green, a few yellow, many red
// (standards-cn §1.4 colours, the bands of dashboard/map.js).
function lateness(v) {
  if (v === null || v === undefined) return '';
  return v === 0 ? 'green' : v <= 10 ? 'yellow' : 'red';
}

// ---- controls

function fillControls() {
  $('dash-period').value = state.period;
  $('dash-custom').hidden = state.period !== 'custom';
  const s = span(state);
  $('dash-from').value = s.from;
  $('dash-to').value = s.to;
  $('dash-rate').value = rate().code;
  $('dash-period-text').textContent = t('dashboard.period_text', s.from, s.to);
}

function go(next, replace = false) {
  const before = span(state);
  state = { ...state, ...next };
  const after = span(state);
  if (before.from !== after.from || before.to !== after.to) cache.clear();
  history[replace ? 'replaceState' : 'pushState'](null, '', url(state, root));
  render();
}

$('dash-period').addEventListener('change', (e) => {
  if (e.target.value === 'custom') {
    const s = span(state);
    go({ period: 'custom', from: s.from, to: s.to });
  } else go({ period: e.target.value });
});
$('dash-controls').addEventListener('submit', (e) => {
  e.preventDefault();
  go({ period: 'custom', from: $('dash-from').value, to: $('dash-to').value });
});
$('dash-rate').addEventListener('change', (e) => go({ rate: e.target.value }, true));
$('dash-full').addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else page.requestFullscreen?.().catch(() => {});
});
window.addEventListener('popstate', () => {
  const before = span(state);
  state = read(root);
  const after = span(state);
  if (before.from !== after.from || before.to !== after.to) cache.clear();
  render();
});

// ---- breadcrumbs: from the caller's root down to the unit shown

function trail() {
  const { kind, code } = state.at;
  const steps = [{ kind: root.kind, code: root.code }];
  const add = (k, c) => {
    if (c && c.length > root.code.length && !steps.some((s) => s.code === c)) steps.push({ kind: k, code: c });
  };
  if (kind === 'district') return steps;
  add('subdistrict', code.slice(0, 9));
  if (kind === 'zone') add('zone', code);
  if (kind === 'grid' && state.zone) add('zone', state.zone);
  if (kind === 'community' || (kind === 'grid' && !state.zone)) add('community', code.slice(0, 12));
  if (kind === 'grid') add('grid', code);
  return steps;
}

function drawCrumbs() {
  const steps = trail();
  $('dash-crumbs').firstElementChild.replaceChildren(...steps.map((s, i) => {
    const label = names.get(s.code) || (i === 0 && root.name) || s.code;
    if (i === steps.length - 1) return el('li', {}, el('span', { 'aria-current': 'page', dataset: { code: s.code } }, label));
    const a = el('a', { href: url({ ...state, at: s, zone: s.kind === 'zone' ? '' : state.zone }, root), dataset: { code: s.code } }, label);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      go({ at: s, zone: '' });
    });
    return el('li', {}, a);
  }));
  $('dash-unit').textContent = steps.map((s, i) => names.get(s.code) || (i === 0 && root.name) || s.code).join(' › ');
}

// ---- key figures of the unit shown

function kpi(label, value, note, tone = '') {
  return el('div', { class: 'kpi', dataset: { tone } },
    el('div', { class: 'kpi-label' }, label), el('div', { class: 'kpi-value' }, value), el('div', { class: 'kpi-note' }, note || ''));
}

function drawKPIs(row) {
  const box = $('dash-kpis');
  if (!row) {
    box.replaceChildren(el('p', { class: 'dash-empty' }, t('dashboard.no_data')));
    return;
  }
  const c = row.counts || {};
  const r = row.rates || {};
  box.replaceChildren(
    kpi(t('dashboard.kpi.score'), row.score === null ? '—' : number(row.score, 1), row.ranked && row.grade ? t('dashboard.kpi.grade', row.grade) : t('dashboard.not_ranked')),
    kpi(t('dashboard.kpi.registered'), number(c.registered || 0), t('dashboard.kpi.reports', number(c.reports || 0))),
    kpi(t('dashboard.kpi.closure'), pct(r.closure_rate), t('dashboard.kpi.closed', number(c.closed || 0))),
    kpi(t('dashboard.kpi.on_time'), pct(r.on_time_closure_rate), t('dashboard.kpi.on_time_note', number(c.closed_on_time || 0))),
    kpi(t('dashboard.kpi.overdue'), pct(r.overdue_rate), t('dashboard.kpi.overdue_note', number(c.overdue || 0)), lateness(r.overdue_rate)),
    kpi(t('dashboard.kpi.satisfaction'), pct(r.satisfaction_rate), t('dashboard.kpi.rated', number(c.rated || 0))));
}

// ---- rankings (the zones, and the units one level down)

function arrow(change) {
  if (change === null || change === undefined) return el('span', { class: 'rank-same', title: t('dashboard.rank_new') }, '–');
  if (change > 0) return el('span', { class: 'rank-up', title: t('dashboard.rank_up', change) }, '▲' + change);
  if (change < 0) return el('span', { class: 'rank-down', title: t('dashboard.rank_down', -change) }, '▼' + -change);
  return el('span', { class: 'rank-same', title: t('dashboard.rank_same') }, '＝');
}

function gapText(row, rt) {
  const g = row.gaps && row.gaps[rt.code];
  if (!row.ranked) return t('dashboard.sample_low');
  if (!g || g.to_best === null || g.to_best === undefined) return '—';
  return g.to_best <= 0 ? t('dashboard.is_best') : number(g.to_best, 2);
}

function rankRow(row, rt, onOpen, current) {
  const value = row.rates ? row.rates[rt.code] : null;
  const tr = el('tr', { class: row.ranked ? '' : 'unranked', dataset: { code: row.code, rank: row.rank ?? '', ranked: String(row.ranked) },
    'aria-current': current ? 'true' : null, tabindex: '0' },
  el('td', {}, row.ranked ? el('span', { class: 'rank-no' }, row.rank) : '—', ' ', row.ranked ? arrow(row.rank_change) : null),
  el('td', { title: nameOf(row) }, el('a', { href: '#', class: 'unit-link' }, nameOf(row))),
  el('td', { class: 'num' }, row.score === null || !row.ranked ? '—' : number(row.score, 1)),
  el('td', {}, row.ranked && row.grade ? el('span', { class: 'grade grade-' + row.grade }, row.grade) : '—'),
  el('td', { class: 'num' + (rt.code === 'overdue_rate' ? ' sla-text-' + lateness(value) : '') }, pct(value)),
  el('td', { class: 'num' }, gapText(row, rt)));
  const open = (e) => {
    e.preventDefault();
    onOpen(row);
  };
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => e.key === 'Enter' && open(e));
  return tr;
}

async function drawZones(s, rt, stale) {
  const body = $('zone-rank').tBodies[0];
  $('zone-rate-head').textContent = rt.name;
  try {
    const res = await get(`rankings?from=${s.from}&to=${s.to}&level=zone`);
    if (stale()) return;
    remember(res.rows);
    const ranked = res.rows.filter((r) => r.ranked).length;
    $('rank-note').textContent = t('dashboard.zones_note', ranked, res.rows.length, res.previous.from, res.previous.to);
    body.replaceChildren(...res.rows.map((row) => rankRow(row, rt, (r) => go({ at: { kind: 'zone', code: r.code }, zone: '' }),
      state.at.code === row.code || state.zone === row.code)));
    if (!res.rows.length) body.replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'dash-empty' }, t('dashboard.no_zones'))));
    const scheme = res.rows.find((r) => r.scheme);
    if (scheme) $('dash-scheme').textContent = t('dashboard.scheme_is', scheme.scheme);
  } catch (err) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 6 }, err.message)));
  }
  $('zone-rank').dataset.ready = 'true';
}

// inUnit reports whether a grid (its GeoJSON properties) lies in the unit shown.
function inUnit(p) {
  const { kind, code } = state.at;
  if (kind === 'zone') return p.zone_code === code;
  if (kind === 'grid') return state.zone ? p.zone_code === state.zone : p.code.startsWith(code.slice(0, 12));
  return p.code.startsWith(code);
}

async function drawUnits(s, rt, gridProps, stale) {
  const table = $('unit-table');
  const status = $('units-status');
  const { kind, code } = state.at;
  table.dataset.ready = 'false';
  if (kind === 'grid') return drawCases(code, stale);
  const level = childLevel[kind];
  $('units-title').textContent = t('dashboard.units_of', unitName(code), t('dashboard.level.' + level));
  table.tHead.replaceChildren(el('tr', {}, ['rank', 'name', 'score', 'grade', 'rate', 'gap'].map((c) =>
    el('th', { scope: 'col', class: ['score', 'rate', 'gap'].includes(c) ? 'num' : '' }, c === 'rate' ? rt.name : t('dashboard.col.' + c)))));
  try {
    const res = await get(`rankings?from=${s.from}&to=${s.to}&level=${level}`);
    if (stale()) return;
    remember(res.rows);
    const zoneGrids = kind === 'zone' ? new Set([...gridProps.values()].filter((g) => g.zone_code === code).map((g) => g.code)) : null;
    const rows = res.rows.filter((r) => (zoneGrids ? zoneGrids.has(r.code) : r.code.startsWith(code)));
    const open = (r) => go({ at: { kind: level, code: r.code }, zone: kind === 'zone' ? code : '' });
    table.tBodies[0].replaceChildren(...rows.map((r) => rankRow(r, rt, open, false)));
    status.textContent = rows.length ? t('dashboard.units_count', rows.length) : t('dashboard.no_data');
  } catch (err) {
    show(message, err.message);
  }
  table.dataset.ready = 'true';
}

// drawCases lists a grid's cases, each a link to its case page.
async function drawCases(grid, stale) {
  const table = $('unit-table');
  $('units-title').textContent = t('dashboard.cases_of', unitName(grid));
  table.tHead.replaceChildren(el('tr', {}, ['number', 'status', 'category', 'place', 'reported'].map((c) =>
    el('th', { scope: 'col' }, t('dashboard.case.' + c)))));
  try {
    const res = await api('GET', `cases?grid=${encodeURIComponent(grid)}&sort=newest&limit=50`);
    if (stale()) return;
    table.tBodies[0].replaceChildren(...res.cases.map((c) => el('tr', { dataset: { id: c.id, status: c.status } },
      el('td', {}, slaDot(c.sla), ' ', el('a', { href: '/cases/' + c.id, class: 'case-link' }, c.number)),
      el('td', {}, statusChip(c.status)),
      el('td', {}, c.category_name || '—'),
      el('td', {}, placeText(c)),
      el('td', {}, when(c.reported_at)))));
    $('units-status').textContent = res.cases.length ? t('dashboard.cases_count', res.cases.length, res.next_cursor ? '+' : '') : t('dashboard.no_cases');
  } catch (err) {
    show(message, err.message);
  }
  table.dataset.ready = 'true';
}

// ---- charts

let trendChart = null;
let catChart = null;

async function drawTrend(s, rt, stale) {
  trendChart ||= chart('trend-chart');
  if (!trendChart) return;
  const { kind, code } = state.at;
  try {
    const res = await get(`indicators/trend?level=${kind}&code=${encodeURIComponent(code)}&to=${s.to.slice(0, 7)}&months=12`);
    if (stale()) return;
    const periods = res.points.map((p) => p.period);
    const series = [
      { name: unitName(code), data: res.points.map((p) => p.rates[rt.code]) },
      { name: t('dashboard.peers_median'), data: res.points.map((p) => (p.peers.median || {})[rt.code] ?? null) },
      { name: t('dashboard.peers_best'), data: res.points.map((p) => (p.peers.best || {})[rt.code] ?? null) },
    ];
    $('trend-note').textContent = rt.name;
    trendLines(trendChart, periods, series, pct, true);
    $('trend-chart').dataset.ready = 'true';
    $('trend-chart').dataset.points = String(res.points.length);
  } catch (err) {
    trendChart.clear();
    $('trend-note').textContent = err.message;
  }
}

async function drawCategories(s, stale) {
  catChart ||= chart('cat-chart');
  if (!catChart) return;
  const { kind, code } = state.at;
  const node = $('cat-chart');
  try {
    // The whole district is the caller's scope: the stats take no level for it.
    const where = kind === 'district' ? '' : `&level=${kind}&code=${encodeURIComponent(code)}`;
    const res = await get(`cases/stats?from=${s.from}&to=${s.to}&group=category&limit=10${where}`);
    if (stale()) return;
    const groups = [...res.groups].reverse(); // the biggest on top
    draw(catChart, {
      color: [palette[3], palette[0]],
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (items) => chartTip(items[0].axisValue,
        items.map((i) => ({ color: i.color, name: i.seriesName, value: number(i.value) }))) },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: groups.map((g) => (lang === 'en' && g.name_en) || g.name || g.key), axisLabel: { fontSize: 12, width: 120, overflow: 'truncate' } },
      series: [
        { name: t('dashboard.open'), type: 'bar', stack: 'n', barMaxWidth: 22, data: groups.map((g) => g.open) },
        { name: t('dashboard.closed'), type: 'bar', stack: 'n', barMaxWidth: 22, data: groups.map((g) => g.closed) },
      ],
    });
    node.dataset.ready = 'true';
    node.dataset.groups = String(groups.length);
  } catch (err) {
    catChart.clear();
    draw(catChart, { title: { text: err.status === 404 ? t('dashboard.stats_missing') : err.message, left: 'center', top: 'middle',
      textStyle: { fontSize: 14, fontWeight: 'normal', color: '#7b8794' } } });
  }
}

// ---- the whole view

const map = gridMap('dash-map', 'dash-legend', {
  onGrid: (p) => go({ at: { kind: 'grid', code: p.code }, zone: state.at.kind === 'zone' ? state.at.code : state.zone }),
});

let drawing = 0;
async function render() {
  const mine = ++drawing;
  const stale = () => mine !== drawing; // a newer view was asked for meanwhile
  page.dataset.ready = 'false';
  hide(message);
  fillControls();
  const s = span(state);
  const rt = rate();
  $('map-rate').textContent = rt.name;
  try {
    const [unitRows, gridRows, shapes] = await Promise.all([
      get(`indicators?from=${s.from}&to=${s.to}&level=${state.at.kind}`),
      get(`indicators?from=${s.from}&to=${s.to}&level=grid`),
      get('grids?format=geojson'),
    ]);
    if (stale()) return;
    remember(unitRows.rows);
    remember(gridRows.rows);
    const byGrid = new Map(gridRows.rows.map((r) => [r.code, r]));
    const gridProps = new Map(shapes.features.map((f) => [f.properties.code, f.properties]));
    for (const p of gridProps.values()) {
      if (!names.has(p.code)) names.set(p.code, p.name);
      if (p.community_code && p.community_name) names.set(p.community_code, p.community_name);
      if (p.subdistrict_code && p.subdistrict_name) names.set(p.subdistrict_code, p.subdistrict_name);
    }
    drawCrumbs();
    drawKPIs(unitRows.rows.find((r) => r.code === state.at.code));
    await Promise.all([
      map.show({ keep: inUnit, rows: byGrid, rate: rt, chosen: state.at.kind === 'grid' ? state.at.code : '' }),
      drawZones(s, rt, stale),
      drawUnits(s, rt, gridProps, stale),
      drawTrend(s, rt, stale),
      drawCategories(s, stale),
    ]);
    drawCrumbs(); // names learnt from the rankings
  } catch (err) {
    show(message, err.message);
  }
  if (mine === drawing) {
    page.dataset.at = `${state.at.kind}:${state.at.code}`;
    page.dataset.ready = 'true';
  }
}

async function main() {
  try {
    const defs = await api('GET', 'indicators/definitions');
    rates = defs.rates;
  } catch (err) {
    show(message, err.message);
    return;
  }
  $('dash-rate').replaceChildren(...rates.map((r) => el('option', { value: r.code }, r.name)));
  if (!rates.some((r) => r.code === state.rate)) state.rate = rates[0].code;
  if (!root.code) {
    // No grant below the district carries eval.read: the district row names the top.
    const s = span(state);
    const top = await api('GET', `indicators?from=${s.from}&to=${s.to}&level=district`).catch(() => ({ rows: [] }));
    if (top.rows[0]) Object.assign(root, { kind: 'district', code: top.rows[0].code, name: nameOf(top.rows[0]) });
    state = read(root);
  }
  feed('live-feed');
  await render();
  // A wall screen stays open for hours: the figures are read again every five minutes (the
  // aggregates follow the cases within seconds), and after the live stream reconnects.
  const refresh = () => {
    cache.clear();
    render();
  };
  setInterval(refresh, 5 * 60 * 1000);
  onLive('reconnect', refresh);
}

main();
