// The live feed: new cases and their steps as they happen (the page's live stream, live.js),
// newest on top, without reloading the page.
import { api, el, t } from '../api.js';
import { actionName, placeText, slaDot, statusChip } from '../casekit.js';
import { onLive } from '../live.js';
import { beijingDay } from './state.js';

const keep = 30; // items shown; older ones drop off the bottom

const clock = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const today = (d) => beijingDay(d) === beijingDay();
// stamp is the time of an item: the time alone today, the day and time before.
const stamp = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : today(d) ? clock.format(d) : dayTime.format(d);
};

function item(c, action, at, fresh) {
  return el('li', { class: fresh ? 'fresh' : '', dataset: { id: c.id, number: c.number || '', action } },
    el('span', { class: 'feed-time' }, stamp(at)),
    el('span', { class: 'feed-text' }, slaDot(c.sla), ' ',
      el('a', { href: '/cases/' + c.id }, c.number || c.id), ' ',
      el('strong', {}, actionName(action)), ' ', statusChip(c.status), ' ',
      [c.category_name, placeText(c)].filter(Boolean).join(' · ')));
}

/** feed fills the list id with the latest cases, then adds each change the stream brings. */
export async function feed(id) {
  const list = document.getElementById(id);
  const put = (node, top) => {
    list.querySelector('.dash-empty')?.remove();
    if (top) list.prepend(node);
    else list.append(node);
    while (list.children.length > keep) list.lastElementChild.remove();
  };
  onLive('case', async (m) => {
    if (!m.case_id) return;
    let c = { id: m.case_id, number: m.number, status: m.status };
    try {
      c = await api('GET', 'cases/' + encodeURIComponent(m.case_id));
    } catch {
      // shown with what the message carries
    }
    put(item(c, m.action || 'report', m.at || new Date().toISOString(), true), true);
  });
  try {
    const res = await api('GET', 'cases?sort=newest&limit=12');
    for (const c of res.cases) put(item(c, 'report', c.reported_at || c.created_at, false), false);
  } catch {
    // the feed still shows what arrives live
  }
  if (!list.children.length) list.append(el('li', { class: 'dash-empty' }, t('dashboard.live_empty')));
  list.dataset.ready = 'true';
}
