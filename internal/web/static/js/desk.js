// 受理台: the case queue of the caller's subdistrict (GET /api/v1/cases), filtered by status,
// community, grid, category, channel, urgency, overdue and keyword, soonest deadline first, with
// the SLA light per row and cursor paging. Rows can be selected for one action on many cases
// (立案, 派遣 to one department, 结案 …): the page takes it case by case and reports each row's
// result. The queue refreshes itself when a case in scope changes (live stream).
import { api, config, el, show, t, when } from './api.js';
import {
  actionName, categoryText, channelName, departments, dueText, excerpt, lookups, nameOf, placeText, takeFlash,
  slaDot, statusChip, statusName, urgencyName,
} from './casekit.js';
import { onLive } from './live.js';
import { pagedTable } from './ui/table.js';

const cfg = config();
const pageSize = 50;
const statuses = ['confirming', 'reported', 'registered', 'dispatched', 'returned', 'handling', 'reported_back', 'verified',
  'shelved', 'deferred', 'closed', 'voided', 'merged'];
const openByDefault = statuses.slice(0, 8);
// The actions offered for many cases at once, by role, and whether they need a note.
const bulkByRole = {
  shift_lead: ['register', 'close', 'void'],
  dispatcher: ['dispatch'],
  intake_operator: [],
  leader: ['supervise'],
};
const needsNote = new Set(['void', 'supervise']);

const form = document.getElementById('desk-filters');
const bulkBar = document.getElementById('bulk-bar');
const bulkReport = document.getElementById('bulk-report');

const state = {
  look: null,
  selected: new Set(),
  results: new Map(), // id → {ok, text} of the last bulk run
  running: false,
  pending: null,
};

// ---- filters

function filterQuery() {
  const q = new URLSearchParams();
  const checked = [...document.querySelectorAll('#f-status input:checked')].map((i) => i.value);
  if (checked.length) q.set('status', checked.join(','));
  for (const [id, name] of [['f-q', 'q'], ['f-community', 'community'], ['f-grid', 'grid'], ['f-category', 'category'],
    ['f-channel', 'channel'], ['f-urgency', 'urgency']]) {
    const v = document.getElementById(id).value.trim();
    if (v) q.set(name, v);
  }
  if (document.getElementById('f-overdue').checked) q.set('overdue', 'true');
  return q;
}

function applyQuery(q) {
  const wanted = q.has('status') ? q.get('status').split(',') : openByDefault;
  for (const input of document.querySelectorAll('#f-status input')) input.checked = wanted.includes(input.value);
  for (const [id, name] of [['f-q', 'q'], ['f-community', 'community'], ['f-category', 'category'], ['f-channel', 'channel'], ['f-urgency', 'urgency']]) {
    document.getElementById(id).value = q.get(name) || '';
  }
  fillGrids(q.get('community') || '');
  document.getElementById('f-grid').value = q.get('grid') || '';
  document.getElementById('f-overdue').checked = q.get('overdue') === 'true';
}

function fillStatuses() {
  document.getElementById('f-status').replaceChildren(...statuses.map((s) => el('label', { class: 'check status-check' },
    el('input', { type: 'checkbox', value: s, checked: openByDefault.includes(s) }), ' ', el('span', {}, statusName(s)))));
}

function fillGrids(community) {
  const select = document.getElementById('f-grid');
  const list = [...state.look.grids.values()].filter((g) => !community || g.community_code === community);
  select.replaceChildren(el('option', { value: '' }, t('desk.filter.all')), list.map((g) => el('option', { value: g.code }, g.name)));
}

async function fillOptions() {
  const communities = new Map();
  for (const g of state.look.grids.values()) communities.set(g.community_code, g.community_name);
  document.getElementById('f-community').append(...[...communities].map(([code, name]) => el('option', { value: code }, name)));
  fillGrids('');
  const byMajor = new Map();
  for (const c of state.look.cats.values()) {
    if (!byMajor.has(c.major)) byMajor.set(c.major, []);
    byMajor.get(c.major).push(c);
  }
  document.getElementById('f-category').append(...[...byMajor].map(([major, cats]) => el('optgroup', { label: major },
    cats.map((c) => el('option', { value: c.code }, `${nameOf(c)} ${c.code}`)))));
}

// ---- list

function rowCheck(c) {
  const check = el('input', { type: 'checkbox', class: 'row-check', value: c.id, checked: state.selected.has(c.id), 'aria-label': t('desk.bulk.select', c.number) });
  check.addEventListener('change', () => {
    if (check.checked) state.selected.add(c.id);
    else state.selected.delete(c.id);
    updateBulk();
  });
  return check;
}

function resultText(c) {
  const result = state.results.get(c.id);
  return result ? el('span', { class: result.ok ? 'result-ok' : 'result-fail' }, result.text) : '';
}

const columns = [
  { class: 'col-check', cell: rowCheck },
  { label: 'desk.col.number', cell: (c) => [el('span', { class: 'nowrap' }, slaDot(c.sla), ' ', el('a', { href: '/cases/' + c.id, class: 'case-link' }, c.number)),
    el('span', { class: 'sub muted' }, when(c.reported_at))] },
  { label: 'desk.col.status', cell: (c) => [statusChip(c.status), c.extension_pending ? el('span', { class: 'sub' }, t('desk.case.extension_pending')) : null] },
  { label: 'desk.col.problem', cell: (c) => [el('strong', {}, categoryText(c, state.look.cats)), el('span', { class: 'sub' }, excerpt(c.description, 50))] },
  { label: 'desk.col.place', cell: (c) => placeText(c, state.look.grids) },
  { label: 'desk.col.channel', cell: (c) => [channelName(c.channel),
    c.urgency !== 'normal' ? el('span', { class: 'sub' }, el('span', { class: 'badge badge-danger' }, urgencyName(c.urgency))) : null] },
  { label: 'desk.col.due', cell: (c) => (c.stage_due ? [el('span', { class: c.sla === 'red' ? 'overdue' : '' }, dueText(c.stage_due)), el('span', { class: 'sub muted' }, when(c.stage_due))] : '—') },
  { label: 'desk.col.result', cell: resultText },
];

// The queue, soonest deadline first. A live refresh keeps as many rows as are shown (up to
// 200); "more" adds the next page.
const table = pagedTable(document.getElementById('desk-table'), {
  columns,
  status: document.getElementById('list-status'),
  more: document.getElementById('more'),
  empty: 'desk.desk.none',
  row: (c) => ({ dataset: { id: c.id, number: c.number, status: c.status }, class: c.sla === 'red' ? 'row-overdue' : '' }),
  async load(cursor, shown) {
    const q = filterQuery();
    q.set('sort', 'deadline');
    q.set('limit', String(cursor ? pageSize : Math.min(200, Math.max(pageSize, shown))));
    if (cursor) q.set('cursor', cursor);
    const res = await api('GET', 'cases?' + q);
    return { items: res.cases, next: res.next_cursor };
  },
  count: (cases, more) => (cases.length ? t('desk.desk.count', cases.length) + (more ? t('desk.desk.more') : '') : ''),
  rendered() {
    for (const id of state.selected) if (!table.items.has(id)) state.selected.delete(id);
    updateBulk();
  },
});

function refresh() {
  if (state.running) return;
  clearTimeout(state.pending);
  state.pending = setTimeout(() => table.reload(), 400);
}

// ---- bulk actions

function bulkActions() {
  const out = [];
  for (const role of cfg.roles) for (const a of bulkByRole[role] || []) if (!out.includes(a)) out.push(a);
  return out;
}

function updateBulk() {
  const n = state.selected.size;
  bulkBar.hidden = n === 0 || bulkActions().length === 0;
  document.getElementById('bulk-count').textContent = t('desk.bulk.count', n);
  const all = document.getElementById('check-all');
  all.checked = n > 0 && n === table.items.size;
  all.indeterminate = n > 0 && n < table.items.size;
}

async function fillBulk() {
  const actions = bulkActions();
  const select = document.getElementById('bulk-action');
  select.replaceChildren(...actions.map((a) => el('option', { value: a }, actionName(a))));
  const depts = await departments();
  document.getElementById('bulk-department').replaceChildren(el('option', { value: '' }, t('desk.bulk.suggested')),
    ...[...depts.values()].map((d) => el('option', { value: d.code }, nameOf(d))));
  const sync = () => {
    document.getElementById('bulk-department').hidden = select.value !== 'dispatch';
    document.getElementById('bulk-note').placeholder = needsNote.has(select.value) ? t('desk.form.note_required') : t('desk.bulk.note');
  };
  select.addEventListener('change', sync);
  sync();
}

async function runBulk() {
  const action = document.getElementById('bulk-action').value;
  const note = document.getElementById('bulk-note').value.trim();
  const department = document.getElementById('bulk-department').value;
  if (needsNote.has(action) && [...note].length < 2) {
    show(bulkReport, t('desk.form.note_missing'), 'warn');
    return;
  }
  const ids = [...table.items.keys()].filter((id) => state.selected.has(id));
  const button = document.getElementById('bulk-run');
  button.disabled = true;
  state.running = true;
  state.results.clear();
  let ok = 0;
  show(bulkReport, t('desk.bulk.running', ids.length), 'info');
  for (const id of ids) {
    const c = table.items.get(id);
    if (!(c.allowed_actions || []).includes(action)) {
      state.results.set(id, { ok: false, text: t('desk.bulk.not_now', statusName(c.status)) });
      continue;
    }
    const body = {};
    if (note) body.note = note;
    if (action === 'dispatch') body.department_code = department || c.suggested_department_code || '';
    try {
      const after = await api('POST', `cases/${id}/actions/${action}`, body);
      table.items.set(id, after);
      state.results.set(id, { ok: true, text: '✓ ' + t('desk.bulk.ok', actionName(action), statusName(after.status)) });
      ok++;
    } catch (err) {
      state.results.set(id, { ok: false, text: '✗ ' + err.message });
    }
    table.render();
  }
  state.running = false;
  button.disabled = false;
  state.selected.clear();
  show(bulkReport, t('desk.bulk.done', actionName(action), ok, ids.length - ok), ids.length === ok ? 'ok' : 'warn');
  bulkReport.dataset.ok = String(ok);
  await table.reload();
}

// ---- start

async function main() {
  takeFlash(document.getElementById('desk-message')); // e.g. a case page's "moved to another subdistrict"
  fillStatuses();
  state.look = await lookups({ withGrids: true }); // the grids fill the community and grid filters
  await fillOptions();
  applyQuery(new URLSearchParams(location.search));
  await fillBulk();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = filterQuery();
    history.replaceState(null, '', q.toString() ? '?' + q : location.pathname);
    state.selected.clear();
    table.reload();
  });
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    applyQuery(new URLSearchParams());
    history.replaceState(null, '', location.pathname);
    table.reload();
  });
  document.getElementById('f-community').addEventListener('change', (e) => fillGrids(e.target.value));
  document.getElementById('check-all').addEventListener('change', (e) => {
    if (e.target.checked) for (const id of table.items.keys()) state.selected.add(id);
    else state.selected.clear();
    table.render();
  });
  document.getElementById('bulk-run').addEventListener('click', runBulk);
  document.getElementById('bulk-clear').addEventListener('click', () => {
    state.selected.clear();
    table.render();
  });
  onLive('case', refresh);
  onLive('reconnect', refresh);
  await table.reload();
}

main();
