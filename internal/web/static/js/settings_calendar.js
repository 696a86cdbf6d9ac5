// 工作日历: a year as twelve month grids — holidays red, make-up workdays marked, today outlined.
// A click on a day chooses it; the day editor makes it a holiday, a make-up workday or a normal
// day, with a name. Working hours, a year file to import (the calendar file format), and a save
// effective from a chosen time (Beijing time; empty: now). Below, the year's versions.
import { el, hide, t, when } from './api.js';
import { beijingInstant, beijingNow, failed, pad2, saved, versionBadge } from './settings.js';

let year = null; // the year being edited: {year, source, hours, summer, holidays, workdays}
let chosen = ''; // the chosen date
let api = null;
let root = null;

const dateOf = (y, m, d) => `${y}-${pad2(m)}-${pad2(d)}`;

function kindOf(date) {
  if (year.holidays.some((d) => d.date === date)) return 'holiday';
  if (year.workdays.some((d) => d.date === date)) return 'workday';
  return 'normal';
}

function nameOf(date) {
  const d = [...year.holidays, ...year.workdays].find((x) => x.date === date);
  return d ? d.name : '';
}

function monthGrid(month) {
  const now = beijingNow();
  const today = dateOf(now.year, now.month, now.day);
  const first = new Date(Date.UTC(year.year, month - 1, 1));
  const days = new Date(Date.UTC(year.year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // Monday first
  const grid = el('div', { class: 'cal-days' });
  for (const w of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) grid.append(el('span', { class: 'cal-weekday' }, t('settings.cal.wd.' + w)));
  for (let i = 0; i < lead; i++) grid.append(el('span', {}));
  for (let d = 1; d <= days; d++) {
    const date = dateOf(year.year, month, d);
    const weekday = new Date(Date.UTC(year.year, month - 1, d)).getUTCDay();
    const kind = kindOf(date);
    const classes = ['cal-day', 'cal-' + kind];
    if (weekday === 0 || weekday === 6) classes.push('cal-weekend');
    if (date === today) classes.push('cal-today');
    if (date === chosen) classes.push('cal-chosen');
    const label = kind === 'normal' ? date : `${date} ${t('settings.cal.kind.' + kind)} ${nameOf(date)}`;
    const button = el('button', { type: 'button', class: classes.join(' '), dataset: { date, kind }, title: label, 'aria-label': label },
      String(d), kind === 'workday' ? el('small', {}, t('settings.cal.mark_workday')) : null);
    button.addEventListener('click', () => choose(date));
    grid.append(button);
  }
  return el('section', { class: 'cal-month' }, el('h3', {}, t('settings.cal.month', month)), grid);
}

function drawYear() {
  const months = root.querySelector('#cal-months');
  months.replaceChildren(...Array.from({ length: 12 }, (_, i) => monthGrid(i + 1)));
  root.querySelector('#cal-hours').value = year.hours.map((p) => `${p.start}-${p.end}`).join(', ');
  const counts = root.querySelector('#cal-counts');
  counts.textContent = t('settings.cal.counts', year.holidays.length, year.workdays.length);
}

function choose(date) {
  chosen = date;
  const editor = root.querySelector('#cal-day-editor');
  editor.hidden = false;
  root.querySelector('#cal-day-date').textContent = date;
  root.querySelector('#cal-day-kind').value = kindOf(date);
  root.querySelector('#cal-day-name').value = nameOf(date);
  drawYear();
}

function applyDay() {
  const kind = root.querySelector('#cal-day-kind').value;
  const name = root.querySelector('#cal-day-name').value.trim();
  year.holidays = year.holidays.filter((d) => d.date !== chosen);
  year.workdays = year.workdays.filter((d) => d.date !== chosen);
  if (kind === 'holiday') year.holidays.push({ date: chosen, name });
  if (kind === 'workday') year.workdays.push({ date: chosen, name });
  root.querySelector('#cal-dirty').hidden = false;
  drawYear();
}

// readHours reads "08:30-12:00, 14:30-17:30" into periods; null when it cannot.
function readHours(text) {
  const periods = [];
  for (const part of text.split(/[,，;；\s]+/).filter(Boolean)) {
    const m = /^(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return null;
    periods.push({ start: m[1].padStart(5, '0'), end: m[2].padStart(5, '0') });
  }
  return periods;
}

async function load(y) {
  hide(document.getElementById('settings-message'));
  const data = await api('GET', `calendar/${y}`);
  year = { year: data.year, source: data.source || '', hours: data.hours || [], summer: data.summer || null,
    holidays: data.holidays || [], workdays: data.workdays || [] };
  chosen = '';
  root.querySelector('#cal-day-editor').hidden = true;
  root.querySelector('#cal-dirty').hidden = true;
  root.querySelector('#cal-origin').textContent = t('settings.cal.origin.' + data.origin);
  drawYear();
  await loadVersions();
}

async function loadVersions() {
  const list = root.querySelector('#cal-versions');
  const { versions } = await api('GET', `calendar/${year.year}/versions`);
  list.replaceChildren();
  if (!versions.length) list.append(el('li', { class: 'hint' }, t('settings.cal.no_versions')));
  for (const v of [...versions].reverse()) {
    list.append(el('li', { dataset: { state: v.state } },
      versionBadge(v.state), ' ',
      t('settings.cal.version', when(v.effective_from), v.created_by || t('settings.history.system'), when(v.created_at),
        v.data.holidays.length, v.data.workdays.length)));
  }
}

async function save(button) {
  const hours = readHours(root.querySelector('#cal-hours').value);
  if (!hours) {
    failed(new Error(t('settings.cal.bad_hours')));
    return;
  }
  const body = { ...year, hours };
  const from = beijingInstant(root.querySelector('#cal-from').value);
  if (from) body.effective_from = from;
  button.disabled = true;
  try {
    await api('PUT', `calendar/${year.year}`, body);
    saved(from ? t('settings.cal.saved_from', when(from)) : t('settings.cal.saved_now'));
    root.querySelector('#cal-dirty').hidden = true;
    await loadVersions();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function importFile(input) {
  const file = input.files[0];
  input.value = '';
  if (!file) return;
  try {
    if (file.size > 1 << 20) throw new Error(t('settings.cal.file_too_big'));
    const data = JSON.parse(await file.text());
    if (!data || typeof data !== 'object' || !Number.isInteger(data.year)) throw new Error(t('settings.cal.bad_file'));
    if (data.year !== year.year) await load(data.year).then(() => { root.querySelector('#cal-year').value = String(data.year); });
    year = { year: data.year, source: data.source || '', hours: data.hours || [], summer: data.summer || null,
      holidays: Array.isArray(data.holidays) ? data.holidays : [], workdays: Array.isArray(data.workdays) ? data.workdays : [] };
    root.querySelector('#cal-dirty').hidden = false;
    drawYear();
    saved(t('settings.cal.imported', file.name));
  } catch (err) {
    failed(err instanceof SyntaxError ? new Error(t('settings.cal.bad_file')) : err);
  }
}

export async function start(body, call) {
  api = call;
  root = body;
  const now = beijingNow();
  const years = [now.year - 1, now.year, now.year + 1];
  body.append(
    el('p', { class: 'hint' }, t('settings.cal.intro')),
    el('div', { class: 'settings-bar' },
      el('label', { for: 'cal-year' }, t('settings.cal.year')),
      el('select', { id: 'cal-year' }, years.map((y) => el('option', { value: y, selected: y === now.year }, String(y)))),
      el('span', { id: 'cal-origin', class: 'badge badge-muted' }),
      el('span', { id: 'cal-counts', class: 'hint' }),
      el('span', { id: 'cal-dirty', class: 'badge badge-warn', hidden: true }, t('settings.cal.unsaved'))),
    el('div', { class: 'cal-legend' },
      el('span', { class: 'cal-day cal-holiday' }, t('settings.cal.kind.holiday')),
      el('span', { class: 'cal-day cal-workday' }, t('settings.cal.kind.workday')),
      el('span', { class: 'cal-day cal-weekend' }, t('settings.cal.weekend')),
      el('span', { class: 'cal-day cal-today' }, t('settings.cal.today'))),
    el('div', { class: 'settings-layout' },
      el('div', { id: 'cal-months', class: 'cal-year' }),
      el('aside', { class: 'settings-side' },
        el('div', { id: 'cal-day-editor', class: 'settings-panel', hidden: true },
          el('h2', {}, t('settings.cal.day'), ' ', el('span', { id: 'cal-day-date' })),
          el('div', { class: 'field' }, el('label', { for: 'cal-day-kind' }, t('settings.cal.kind')),
            el('select', { id: 'cal-day-kind' }, ['normal', 'holiday', 'workday'].map((k) => el('option', { value: k }, t('settings.cal.kind.' + k))))),
          el('div', { class: 'field' }, el('label', { for: 'cal-day-name' }, t('settings.cal.name')),
            el('input', { id: 'cal-day-name', maxlength: 50, placeholder: t('settings.cal.name_hint') })),
          el('button', { type: 'button', class: 'btn', id: 'cal-day-apply' }, t('settings.cal.apply'))),
        el('div', { class: 'settings-panel' },
          el('div', { class: 'field' }, el('label', { for: 'cal-hours' }, t('settings.cal.hours')),
            el('input', { id: 'cal-hours', placeholder: '08:30-12:00, 14:30-17:30' }), el('p', { class: 'hint' }, t('settings.cal.hours_hint'))),
          el('div', { class: 'field' }, el('label', { for: 'cal-import' }, t('settings.cal.import')),
            el('input', { id: 'cal-import', type: 'file', accept: '.json,application/json' }), el('p', { class: 'hint' }, t('settings.cal.import_hint'))),
          el('div', { class: 'field' }, el('label', { for: 'cal-from' }, t('settings.effective_from')),
            el('input', { id: 'cal-from', type: 'datetime-local' }), el('p', { class: 'hint' }, t('settings.effective_hint'))),
          el('button', { type: 'button', class: 'btn btn-primary', id: 'cal-save' }, t('settings.save'))),
        el('div', { class: 'settings-panel' }, el('h2', {}, t('settings.cal.versions')), el('ol', { id: 'cal-versions', class: 'settings-history' })))),
  );
  body.querySelector('#cal-year').addEventListener('change', (e) => load(Number(e.target.value)).catch(failed));
  body.querySelector('#cal-day-apply').addEventListener('click', applyDay);
  body.querySelector('#cal-save').addEventListener('click', (e) => save(e.currentTarget));
  body.querySelector('#cal-import').addEventListener('change', (e) => importFile(e.target));
  body.dataset.ready = 'false';
  await load(now.year);
  body.dataset.ready = 'true';
}
