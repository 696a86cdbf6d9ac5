// Patrol coverage (巡查覆盖) for the subdistrict desk: for an ISO week, each grid in reach with the
// patrols its plan asks for and those done — done, partial or none — in a table and on the map.
// Those who plan patrols (config can_plan) make or edit a grid's plan from its row (patrolplans.js).
import { api, config, el, show, t } from './api.js';
import { loadPlans, planDialog } from './patrolplans.js';
import { newMap } from './ui/map.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const chip = statusKind('patrol_page.cover.', { done: 'ok', partial: 'warn', none: 'danger' });
const colors = { done: '#2e9e57', partial: '#f0b429', none: '#c8102e' };
const form = document.getElementById('week-form');
const weekInput = document.getElementById('week');
let rows = [];
let map = null;
let shapes = null;
let layer = null;
const canPlan = config().can_plan;
let plans = new Map();
const plan = canPlan ? planDialog(async (p) => {
  show(document.getElementById('plan-message'), t('patrol_page.plan.saved', p.grid_name || p.grid_code, p.per_week), 'ok');
  await load();
}) : null;

// planCell is the row's plan: the button that makes or edits it.
function planCell(g) {
  const p = plans.get(g.grid_code);
  const b = el('button', { type: 'button', class: 'btn btn-small', dataset: { plan: g.grid_code } },
    t(p ? 'patrol_page.plan.edit' : 'patrol_page.plan.new'));
  b.addEventListener('click', () => plan.open({ grid: g, plan: plans.get(g.grid_code) }, b));
  return b;
}

// isoWeek is the ISO week (YYYY-Www) of today in Beijing.
function isoWeek() {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date()).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const first = new Date(Date.UTC(date.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((date - first) / 86400000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const table = pagedTable(document.getElementById('coverage-table'), {
  columns: [
    { label: 'patrol_page.col.grid', cell: (g) => el('strong', {}, g.grid_name || g.grid_code) },
    { label: 'patrol_page.col.planned', cell: (g) => String(g.planned) },
    { label: 'patrol_page.col.done', cell: (g) => String(g.done) },
    { label: 'patrol_page.col.cover', cell: (g) => chip(g.status) },
    ...(canPlan ? [{ label: 'patrol_page.col.plan', cell: planCell }] : []),
  ],
  key: (g) => g.grid_code,
  row: (g) => ({ dataset: { id: g.grid_code, status: g.status } }),
  empty: 'patrol_page.coverage_none',
  load: async () => ({ items: rows }),
});

async function drawMap() {
  if (!window.L) return;
  if (!map) {
    map = newMap('map');
    shapes = api('GET', 'grids?format=geojson');
    document.getElementById('map-legend').replaceChildren(...Object.entries(colors).map(([k, c]) =>
      el('span', {}, el('i', { style: `background:${c}` }), t('patrol_page.cover.' + k))));
  }
  const by = new Map(rows.map((g) => [g.grid_code, g.status]));
  const fc = await shapes;
  if (layer) layer.remove();
  layer = window.L.geoJSON({ type: 'FeatureCollection', features: (fc.features || []).filter((f) => by.has(f.properties.code)) }, {
    style: (f) => ({ color: colors[by.get(f.properties.code)], weight: 1, fillColor: colors[by.get(f.properties.code)], fillOpacity: 0.4 }),
  }).addTo(map);
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
}

async function load() {
  const week = weekInput.value || isoWeek();
  try {
    const c = await api('GET', 'patrols/coverage?week=' + encodeURIComponent(week));
    if (canPlan) plans = await loadPlans();
    rows = c.grids || [];
    document.getElementById('coverage-status').textContent = t('patrol_page.coverage_status', c.week, c.done, c.partial, c.none);
    await table.reload();
    await drawMap();
    document.getElementById('coverage-table').dataset.ready = c.week;
  } catch (err) {
    show(document.getElementById('coverage-message'), err.message, 'error', err.details);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
weekInput.value = new URLSearchParams(location.search).get('week') || isoWeek();
load();
