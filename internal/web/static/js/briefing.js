// The briefing (简报): one unit's period on one printable A4 page — key figures, rank and its
// change, the most overdue cases, the top categories and places — from GET /api/v1/briefings.
// The link names the unit and period (?level&code&from&to, as the notification's link does);
// without one the page shows the caller's own unit for last month. The same content downloads
// as a workbook (&format=xlsx).
import { api, config, el, hide, lang, number, show, t, when } from './api.js';

const form = document.getElementById('briefing-controls');
const sheet = document.getElementById('briefing');
const status = document.getElementById('briefing-status');
const alertBox = document.getElementById('briefing-alert');
const levelSelect = document.getElementById('b-level');
const codeSelect = document.getElementById('b-code');

/** pad2 writes a day or month with two digits. */
const pad2 = (n) => String(n).padStart(2, '0');

/** lastMonth is the calendar month before today's, in Beijing time, as [from, to]. */
function lastMonth() {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date()).split('-').map(Number);
  const year = m === 1 ? y - 1 : y;
  const month = m === 1 ? 12 : m - 1;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return [`${year}-${pad2(month)}-01`, `${year}-${pad2(month)}-${pad2(days)}`];
}

/** query is the briefing's parameters: the link's, else the caller's unit and last month. */
function query() {
  const link = new URLSearchParams(location.search);
  const cfg = config();
  const [from, to] = lastMonth();
  return {
    level: link.get('level') || cfg.level || 'subdistrict',
    code: link.get('code') || cfg.code || '',
    from: link.get('from') || from,
    to: link.get('to') || to,
  };
}

/** units fills the unit list with the level's units the caller reaches (the indicators' rows). */
async function units(q) {
  const res = await api('GET', 'indicators?' + new URLSearchParams({ level: q.level, from: q.from, to: q.to }));
  const rows = res.rows || [];
  codeSelect.replaceChildren(...rows.map((r) => el('option', { value: r.code }, unitName(r))));
  if (rows.length === 0) codeSelect.append(el('option', { value: '' }, t('briefing.no_units')));
  if (rows.some((r) => r.code === q.code)) codeSelect.value = q.code;
  return rows;
}

// A due time in the list: month, day and time in Beijing, short enough for one line.
const shortTime = new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hour12: false });
const due = (iso) => (iso ? shortTime.format(new Date(iso)) : '—');
const unitName = (u) => (lang === 'en' && u.name_en ? u.name_en : u.name);
const dash = '—';
const rate = (v) => (v === null || v === undefined ? dash : number(v, 2) + '%');
const points = (v) => number(Math.abs(v), 2);
// Chinese text takes full-width brackets and commas; English its own.
const paren = (s) => (lang === 'en' ? ' (' + s + ')' : '（' + s + '）');
const comma = lang === 'en' ? ', ' : '，';
const semicolon = lang === 'en' ? '; ' : '；';

function figure(label, value, extra = {}) {
  return el('div', { class: 'briefing-figure' + (extra.class ? ' ' + extra.class : ''), dataset: extra.dataset || {} },
    el('dt', {}, label), el('dd', {}, value));
}

function figures(b) {
  const f = b.figures;
  const items = [figure(t('briefing.score'), f.score === null ? t('briefing.no_score')
    : [number(f.score, 2), f.grade ? ' · ' + t('briefing.grade', f.grade) : ''], { class: 'score', dataset: { figure: 'score' } })];
  for (const c of b.key_counts) items.push(figure(t('eval.count.' + c), number(f.counts[c] || 0), { dataset: { figure: c } }));
  for (const r of b.key_rates) items.push(figure(t('eval.rate.' + r), rate(f.rates[r]), { dataset: { figure: r } }));
  document.getElementById('briefing-figures').replaceChildren(...items);
}

function rank(b) {
  const line = document.getElementById('briefing-rank');
  if (b.rank === null) {
    line.replaceChildren(t('briefing.not_ranked'));
    line.dataset.rank = '';
    return;
  }
  const parts = [el('strong', {}, t('briefing.rank', b.rank, b.of))];
  if (b.previous_rank === null) parts.push(paren(t('briefing.rank_new')));
  else {
    const change = b.rank_change > 0 ? t('briefing.rank_up', b.rank_change)
      : b.rank_change < 0 ? t('briefing.rank_down', -b.rank_change) : t('briefing.rank_same');
    parts.push(paren(t('briefing.rank_previous', b.previous_rank) + comma + change));
  }
  const gap = b.gaps && b.gaps.score;
  if (gap && gap.to_best !== null && gap.to_best !== undefined) {
    parts.push(semicolon, gap.to_best <= 0 ? t('briefing.at_best') : t('briefing.gap_best', points(gap.to_best)));
    if (gap.to_median > 0) parts.push(comma, t('briefing.gap_median', points(gap.to_median)));
  }
  line.replaceChildren(...parts);
  line.dataset.rank = String(b.rank);
}

/** rows fills a table's body, or says there is nothing. */
function rows(id, items, row) {
  const body = document.querySelector(`#${id} tbody`);
  const cols = document.querySelectorAll(`#${id} thead th`).length;
  body.replaceChildren(...(items.length ? items.map(row)
    : [el('tr', {}, el('td', { colspan: cols, class: 'briefing-empty' }, t('briefing.none')))]));
}

const num = (v) => el('td', { class: 'num' }, number(v));

function lists(b) {
  rows('briefing-overdue', b.overdue, (c) => el('tr', { dataset: { id: c.id } },
    el('td', {}, el('a', { href: '/cases/' + encodeURIComponent(c.id) }, c.number)),
    el('td', { title: c.category }, c.category),
    el('td', {}, t('desk.stage.' + c.stage)),
    el('td', { title: c.address || c.grid_code }, c.address || c.grid_code),
    el('td', { title: c.lead_department || '' }, c.lead_department || dash),
    el('td', { title: when(c.due) }, due(c.due)),
    el('td', { class: 'num' }, t('briefing.late', number(c.late_minutes / 60, 1)))));
  const groupName = (g) => (lang === 'en' && g.name_en ? g.name_en : g.name);
  const group = (g) => el('tr', { dataset: { key: g.key } }, el('td', { title: groupName(g) }, groupName(g)),
    num(g.count), num(g.open), num(g.closed));
  rows('briefing-categories', b.categories, group);
  rows('briefing-places', b.places, group);
}

function render(b) {
  const name = unitName(b);
  document.getElementById('briefing-title').textContent = name + ' ' + t('briefing.heading');
  document.getElementById('briefing-period').textContent = t('briefing.period', b.from, b.to);
  document.getElementById('briefing-generated').textContent = t('briefing.generated_at', when(b.generated_at));
  document.title = t('briefing.title', name, b.from, b.to);
  figures(b);
  rank(b);
  lists(b);
  document.getElementById('briefing-source').textContent = t('briefing.source', b.figures.scheme
    ? b.figures.scheme + (b.standard_ref ? paren(b.standard_ref) : '') : dash);
}

async function load(q) {
  hide(alertBox);
  sheet.setAttribute('aria-busy', 'true');
  delete sheet.dataset.ready;
  status.textContent = t('briefing.loading');
  const params = new URLSearchParams(q);
  document.getElementById('briefing-xlsx').href = '/api/v1/briefings?' + params + '&format=xlsx&lang=' + encodeURIComponent(lang);
  try {
    render(await api('GET', 'briefings?' + params));
    status.textContent = '';
    sheet.dataset.ready = 'true';
  } catch (err) {
    status.textContent = '';
    show(alertBox, err.message, 'error', err.details);
  } finally {
    sheet.setAttribute('aria-busy', 'false');
  }
}

async function start() {
  const q = query();
  levelSelect.value = q.level;
  form.elements.from.value = q.from;
  form.elements.to.value = q.to;
  try {
    const list = await units(q);
    if (!q.code && list.length) q.code = list[0].code;
  } catch (err) {
    show(alertBox, err.message, 'error', err.details);
  }
  await load(q);
}

levelSelect.addEventListener('change', async () => {
  try {
    await units({ level: levelSelect.value, code: '', from: form.elements.from.value, to: form.elements.to.value });
  } catch (err) {
    show(alertBox, err.message, 'error', err.details);
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = { level: levelSelect.value, code: codeSelect.value, from: form.elements.from.value, to: form.elements.to.value };
  history.replaceState(null, '', '/briefing?' + new URLSearchParams(q));
  load(q);
});

document.getElementById('briefing-print').addEventListener('click', () => window.print());

start();
