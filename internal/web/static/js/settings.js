// Configuration pages (系统配置) of the district's sys_admin: the category catalogue and time
// limits, the routing rules with their tester (试一试), the work calendar, the message templates
// the SMS and WeChat gateways, and the whistle rules (吹哨规则). One section a
// page (/settings/{section}); each lives in its own module. Every change goes through the API,
// which checks the permission, audits it and keeps its history.
import { api, config, el, show, t, when } from './api.js';

const { section } = config();
const body = document.getElementById('settings-body');
const box = document.getElementById('settings-message');

/** pad2 writes n with two digits. */
export const pad2 = (n) => String(n).padStart(2, '0');

/** beijingNow is now in Beijing as {year, month, day, hour, minute}. */
export function beijingNow() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour) % 24, minute: Number(parts.minute) };
}

/** beijingInstant reads a datetime-local value as Beijing time, as RFC 3339; '' stays ''. */
export function beijingInstant(value) {
  return value ? value.slice(0, 16) + ':00+08:00' : '';
}

/** historyList shows changes ({at, by, action, object_id}) newest first. */
export function historyList(id, changes, describe) {
  const list = el('ol', { class: 'settings-history', id });
  if (!changes.length) list.append(el('li', { class: 'hint' }, t('settings.history.none')));
  for (const c of changes) {
    list.append(el('li', {}, el('time', { datetime: c.at }, when(c.at)), ' ', el('strong', {}, c.by || t('settings.history.system')), ' ', describe(c)));
  }
  return list;
}

/** versionBadge is a saved version's state (current, pending, past) as a badge. */
export function versionBadge(state) {
  return el('span', { class: 'badge ' + ({ current: 'badge-ok', pending: 'badge-warn' }[state] || 'badge-muted') }, t('settings.cal.state.' + state));
}

/** failed shows an API error in the page's alert box. */
export function failed(err) {
  show(box, err.message, 'error', err.details || []);
}

/** saved says a change was stored. */
export function saved(message) {
  show(box, message, 'ok');
}

const sections = {
  categories: () => import('./settings_categories.js'),
  routing: () => import('./settings_routing.js'),
  calendar: () => import('./settings_calendar.js'),
  templates: () => import('./settings_templates.js'),
  gateways: () => import('./settings_gateways.js'),
  whistle: () => import('./settings_whistle.js'),
};

sections[section]().then((m) => m.start(body, api)).catch(failed);
