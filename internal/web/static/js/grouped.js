// Lists of cases in groups (a department's inbox, a grid worker's tasks): each group is one
// query, soonest deadline first, kept current by the live stream.
import { api, el, t } from './api.js';
import { caseCard, categories } from './casekit.js';
import { onLive } from './live.js';

// showGroups fills each group's list and count ({query, list, count, empty} with element ids
// and the empty-list text key) and refreshes them when a case changes.
export function showGroups(groups) {
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
}
