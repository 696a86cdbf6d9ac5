// The notification bell in the top bar: the unread count, a drop-down list of the newest
// notifications (GET /api/v1/notifications) that marks one read when it is opened and all with
// one button, kept current by the live stream.
import { api, el, t, when } from './api.js';
import { onLive } from './live.js';

const bell = document.getElementById('bell');

function setCount(count) {
  const badge = document.getElementById('bell-count');
  badge.textContent = count > 99 ? '99+' : String(count);
  badge.hidden = count === 0;
  document.getElementById('bell-button').setAttribute('aria-label', t('desk.bell.unread', count));
}

// linkOf is the page of a notification's object: a briefing's names the briefing (its page's
// query); a whistle's and a directive's their own pages; a patrol's finding the week's coverage;
// a volunteer's hours the rosters; a case's (its kind has no module prefix) the case.
function linkOf(n) {
  const id = encodeURIComponent(n.case_id || '');
  if (n.kind === 'eval.briefing') return '/briefing?' + n.case_id;
  if (n.kind.startsWith('whistle.')) return '/whistles/' + id;
  if (n.kind.startsWith('directive.')) return '/directives/' + id;
  if (n.kind.startsWith('patrol.')) return '/patrols/coverage';
  if (n.kind.startsWith('participant.')) return '/rosters';
  return n.case_id ? '/cases/' + id : '#';
}

function item(n) {
  const href = linkOf(n);
  const link = el('a', { href, class: 'bell-item' + (n.read_at ? '' : ' unread') },
    el('span', { class: 'bell-text' }, n.text), el('span', { class: 'bell-time' }, when(n.created_at)));
  link.addEventListener('click', async (e) => {
    if (n.read_at) return;
    e.preventDefault();
    try {
      await api('POST', `notifications/${encodeURIComponent(n.id)}/read`);
    } catch {
      // Still follow the link: the list is refreshed on the next page anyway.
    }
    if (n.case_id) location.assign(href);
    else load();
  });
  return el('li', { dataset: { id: n.id } }, link);
}

async function load() {
  const list = document.getElementById('bell-list');
  try {
    const res = await api('GET', 'notifications');
    const items = res.notifications || [];
    setCount(res.unread || 0);
    list.replaceChildren(...(items.length ? items.map(item) : [el('li', { class: 'bell-empty muted' }, t('desk.bell.none'))]));
  } catch (err) {
    list.replaceChildren(el('li', { class: 'bell-empty muted' }, err.message));
  }
}

function init() {
  const button = document.getElementById('bell-button');
  const panel = document.getElementById('bell-panel');
  const setOpen = (open) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    setOpen(panel.hidden);
  });
  panel.addEventListener('click', (e) => e.stopPropagation());
  document.addEventListener('click', () => setOpen(false));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') setOpen(false);
  });
  document.getElementById('bell-read-all').addEventListener('click', async () => {
    try {
      await api('POST', 'notifications/all/read');
    } finally {
      load();
    }
  });
  onLive('notification', () => load());
  onLive('reconnect', () => load());
  load();
}

if (bell) init();
