// 部门待办: the cases dispatched to the caller's department, grouped — waiting for a signature
// (待签收), in hand (处置中), sent back and awaiting the dispatcher (被退回) — and, apart, every
// open one past its deadline. Kept current by the live stream.
import { api, el, t } from './api.js';
import { caseCard, categories } from './casekit.js';
import { onLive } from './live.js';

const groups = [
  { query: 'status=dispatched', list: 'sign-list', count: 'sign-count', empty: 'desk.inbox.none' },
  { query: 'status=handling', list: 'handling-list', count: 'handling-count', empty: 'desk.inbox.none' },
  { query: 'status=returned', list: 'returned-list', count: 'returned-count', empty: 'desk.inbox.none' },
  { query: 'overdue=true&status=dispatched,handling,returned', list: 'overdue-list', count: 'overdue-count', empty: 'desk.inbox.no_overdue' },
];
const statusLine = document.getElementById('list-status');
let look = null;
let pending = null;

async function load() {
  look ||= { cats: await categories() }; // cases carry their place names
  try {
    await Promise.all(groups.map(async (g) => {
      const res = await api('GET', `cases?${g.query}&sort=deadline&limit=100`);
      const list = document.getElementById(g.list);
      list.replaceChildren(...(res.cases.length ? res.cases.map((c) => caseCard(c, look)) : [el('li', { class: 'empty' }, t(g.empty))]));
      document.getElementById(g.count).textContent = String(res.cases.length) + (res.next_cursor ? '+' : '');
    }));
    statusLine.textContent = '';
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

function refresh() {
  clearTimeout(pending);
  pending = setTimeout(load, 300);
}

onLive('case', refresh);
onLive('reconnect', refresh);
load();
