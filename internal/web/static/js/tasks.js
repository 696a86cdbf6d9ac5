// 网格任务: a grid worker's on-site work in their grids — public reports to confirm (核实,
// status confirming) and fixes to verify (核查, status reported_back), soonest deadline first —
// kept current by the live stream. Reporting from patrol uses the report form (channel patrol).
import { api, el, t } from './api.js';
import { caseCard, categories } from './casekit.js';
import { onLive } from './live.js';

const groups = [
  { status: 'confirming', list: 'confirm-list', count: 'confirm-count', empty: 'desk.tasks.no_confirm' },
  { status: 'reported_back', list: 'verify-list', count: 'verify-count', empty: 'desk.tasks.no_verify' },
];
const statusLine = document.getElementById('list-status');
let look = null;
let pending = null;

async function load() {
  look ||= { cats: await categories() }; // cases carry their place names
  try {
    await Promise.all(groups.map(async (g) => {
      const res = await api('GET', `cases?status=${g.status}&sort=deadline&limit=100`);
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
