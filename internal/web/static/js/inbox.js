// 部门待办: the cases dispatched to the caller's department in three tabs — 待办 (waiting for a
// signature, sent back, overdue), 处置中 (in hand) and 已办结 (finished history: reported back,
// verified or closed; searchable by keyword or number and period, paged) — under a strip of the
// unit's own figures this month and last (GET /api/v1/indicators, which gives department staff
// their own unit only). Kept current by the live stream.
import { api, el, t } from './api.js';
import { caseCard, categories } from './casekit.js';
import { showGroups } from './grouped.js';

showGroups([
  { query: 'status=dispatched', list: 'sign-list', count: 'sign-count', empty: 'desk.inbox.none' },
  { query: 'status=returned', list: 'returned-list', count: 'returned-count', empty: 'desk.inbox.none' },
  { query: 'overdue=true&status=dispatched,handling,returned', list: 'overdue-list', count: 'overdue-count', empty: 'desk.inbox.no_overdue' },
  { query: 'status=handling', list: 'handling-list', count: 'handling-count', empty: 'desk.inbox.none' },
]);

// Tabs: one panel shown at a time; the choice is kept in the address (#done …).
const tabs = ['pending', 'progress', 'done'];
function show(name) {
  for (const n of tabs) {
    document.getElementById('tab-' + n).setAttribute('aria-selected', String(n === name));
    document.getElementById('panel-' + n).hidden = n !== name;
  }
  if (name === 'done' && !doneLoaded) loadDone(false);
}
for (const n of tabs) {
  document.getElementById('tab-' + n).addEventListener('click', () => {
    history.replaceState(null, '', '#' + n);
    show(n);
  });
}

// 已办结: finished cases newest first, 20 a page; the period narrows by the last change.
const doneForm = document.getElementById('done-filter');
const doneList = document.getElementById('done-list');
const doneMore = document.getElementById('done-more');
let doneLoaded = false;
let cursor = '';
let look = null;

async function loadDone(more) {
  doneLoaded = true;
  look ||= { cats: await categories() };
  const q = new URLSearchParams({ status: 'reported_back,verified,closed', sort: 'newest', limit: '20' });
  const keyword = doneForm.elements.q.value.trim();
  if (keyword) q.set('q', keyword);
  // The period is the server's filter (the day each case last changed), so paging stays whole.
  if (doneForm.elements.from.value) q.set('changed_from', doneForm.elements.from.value);
  if (doneForm.elements.to.value) q.set('changed_to', doneForm.elements.to.value);
  if (more && cursor) q.set('cursor', cursor);
  try {
    const res = await api('GET', 'cases?' + q);
    const cards = res.cases.map((c) => caseCard(c, look));
    if (!more) doneList.replaceChildren();
    doneList.append(...cards);
    if (!doneList.children.length && !res.next_cursor) doneList.append(el('li', { class: 'empty' }, t('desk.inbox.no_done')));
    cursor = res.next_cursor || '';
    doneMore.hidden = !cursor;
  } catch (err) {
    document.getElementById('list-status').textContent = err.message;
  }
}
doneForm.addEventListener('submit', (e) => {
  e.preventDefault();
  cursor = '';
  loadDone(false);
});
doneMore.addEventListener('click', () => loadDone(true));

// The figures strip: this month and last month of the caller's unit.
const figureRates = ['on_time_handling_rate', 'rework_rate', 'satisfaction_rate'];
const figureCounts = ['should_handle', 'handled', 'reworked'];

function monthRange(offset) {
  const now = new Date();
  const start = new Date(Date.UTC(now.getFullYear(), now.getMonth() + offset, 1));
  const end = offset === 0 ? new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) : new Date(Date.UTC(now.getFullYear(), now.getMonth() + offset + 1, 0));
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

function percent(v) {
  return v === null || v === undefined ? '—' : (Math.round(v * 10) / 10).toFixed(1) + '%';
}

async function figures() {
  try {
    const [cur, last] = await Promise.all([0, -1].map((o) => {
      const r = monthRange(o);
      return api('GET', `indicators?level=department&from=${r.from}&to=${r.to}`);
    }));
    const row = (cur.rows || [])[0];
    if (!row) return;
    const before = (last.rows || []).find((r) => r.code === row.code) || { rates: {}, counts: {} };
    document.getElementById('unit-name').textContent = row.name;
    const items = [];
    for (const code of figureRates) {
      items.push(el('div', { class: 'figure', dataset: { figure: code } },
        el('dt', {}, t('desk.inbox.fig.' + code)),
        el('dd', {}, el('strong', {}, percent(row.rates[code])), ' ', el('span', { class: 'sub' }, t('desk.inbox.fig.last_month', percent(before.rates[code]))))));
    }
    for (const code of figureCounts) {
      items.push(el('div', { class: 'figure', dataset: { figure: code } },
        el('dt', {}, t('desk.inbox.fig.' + code)),
        el('dd', {}, el('strong', {}, String(row.counts[code] ?? 0)), ' ', el('span', { class: 'sub' }, t('desk.inbox.fig.last_month', String(before.counts[code] ?? 0))))));
    }
    document.getElementById('figures-list').replaceChildren(...items);
    document.getElementById('unit-figures').hidden = false;
  } catch {
    // No figures for this caller (not a department's staff): the strip stays hidden.
  }
}

show(tabs.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'pending');
figures();
