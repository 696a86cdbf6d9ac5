// Shared parts of the 一网速查 pages (service directory): the open-now badge with the next change,
// distances, today's hours and a safe link out. The words are the resident's (现在开门, 已下班).
import { el, lang, number, t } from './api.js';

const weekday = new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', weekday: 'short' });
const clock = new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** changeTime words a moment of opening or closing in Beijing time: "周四 08:30". */
export function changeTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${weekday.format(d)} ${clock.format(d)}`;
}

/**
 * openBadge is the 现在开门 / 已下班 badge; with next (the API's next_change) it adds when that
 * changes: "现在开门 · 周三 17:30 下班", "已下班 · 周四 08:30 开门".
 */
export function openBadge(open, next, attrs = {}) {
  const when = changeTime(next);
  let text = t(open ? 'directory_page.open' : 'directory_page.closed');
  if (when) text += ' · ' + t(open ? 'directory_page.closes_at' : 'directory_page.opens_at', when);
  return el('span', { ...attrs, class: 'badge ' + (open ? 'badge-ok' : 'badge-muted'), dataset: { open: String(Boolean(open)) } }, text);
}

/**
 * serviceChange is when the service as a whole next changes: while open, the latest closing of
 * its open places; while closed, the earliest opening of any place.
 */
export function serviceChange(open, places) {
  const times = (places || []).filter((p) => p.next_change && Boolean(p.open_now) === Boolean(open)).map((p) => p.next_change);
  if (!times.length) return '';
  times.sort();
  return open ? times[times.length - 1] : times[0];
}

/** distanceText words metres for a resident: "350 米", "1.2 公里". */
export function distanceText(metres) {
  if (metres === undefined || metres === null || !Number.isFinite(Number(metres))) return '';
  const m = Number(metres);
  return m < 1000 ? t('directory_page.metres', number(Math.round(m / 10) * 10)) : t('directory_page.kilometres', number(m / 1000, 1));
}

/** todayText is today's opening hours of a place, or that it does not open today. */
export function todayText(place) {
  if (place.hours && place.hours.rule === 'always') return t('directory_page.always_open');
  const spans = (place.today || []).map((p) => `${p.open}-${p.close}`);
  return spans.length ? t('directory_page.today', spans.join('、')) : t('directory_page.today_closed');
}

/** safeURL returns url when it is an http(s) address, else '' (never a javascript: link). */
export function safeURL(url) {
  try {
    const u = new URL(url, location.origin);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : '';
  } catch {
    return '';
  }
}

/** telURL is a tel: link of a phone number as written ("0595-22500000" → tel:059522500000). */
export function telURL(phone) {
  const digits = String(phone || '').replace(/[^\d+]/g, '');
  return digits ? 'tel:' + digits : '';
}

/** day is an ISO time's date in Beijing: 2026-11-30. */
export function day(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  // A time never set comes as Go's zero time (0001-01-01).
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 ? '' : new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
}
