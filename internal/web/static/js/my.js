// 我的反映: the caller's own reports, newest first (GET /api/v1/cases?mine=true&sort=newest), as
// cards with their status; the list follows changes live. A card opens the case page (timeline,
// photos, rating).
import { api, el, t } from './api.js';
import { caseCard, categories } from './casekit.js';
import { onLive } from './live.js';

const list = document.getElementById('my-cases');
const statusLine = document.getElementById('list-status');
const moreButton = document.getElementById('more');
let cursor = '';
let look = null;
let pending = null;

async function load(more = false) {
  look ||= { cats: await categories(), plain: true }; // cases carry their place names; plain words
  const q = new URLSearchParams({ mine: 'true', sort: 'newest', limit: '20' });
  if (more && cursor) q.set('cursor', cursor);
  try {
    const res = await api('GET', 'cases?' + q);
    if (!more) list.replaceChildren();
    list.append(...res.cases.map((c) => caseCard(c, look)));
    cursor = res.next_cursor || '';
    moreButton.hidden = !cursor;
    const n = list.children.length;
    statusLine.textContent = n ? t('desk.my.count', n) : '';
    if (!n) list.replaceChildren(el('li', { class: 'empty' }, t('desk.my.none'), ' ', el('a', { href: '/report' }, t('desk.nav.report'))));
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

// refresh reloads the first page soon after a change (several changes come in a burst).
function refresh() {
  clearTimeout(pending);
  pending = setTimeout(() => load(false), 300);
}

moreButton.addEventListener('click', () => load(true));
onLive('case', refresh);
onLive('reconnect', refresh);
load();
