// The department league table (部门考评排行 · 对标找差): GET /api/v1/rankings?level=department ranks
// the handling units in the caller's reach with the department scheme (GB/T 30428.4 部门评价),
// with the change of rank since the period before and each unit's gap in score to the best and
// to the median. A row opens the unit's last 12 months (GET /api/v1/indicators/trend) beside its
// peers; the table downloads as a workbook (GET /api/v1/indicators?level=department&format=xlsx).
// Beside it, the league of 报到 (GET /api/v1/whistles/figures): the units summoned by whistles,
// ranked by their on-time check-in rate (报到及时率), then by their median minutes to arrive.
import { api, el, lang, number, show, t } from './api.js';
import { openDialog } from './ui/dialog.js';
import { clearErrors, showErrors } from './ui/fields.js';
import { chart, trendLines } from './ui/chart.js';
import {
  changeCell, gradeCell, isRanked, loadSchemes, periodError, periodForm, rankCell, schemeName, schemeOf, scoreCell, termsCell,
} from './ui/ranking.js';
import { pagedTable } from './ui/table.js';

const form = document.getElementById('period-form');
const statusLine = document.getElementById('league-status');
const tableNode = document.getElementById('league-table');

let period = { from: '', to: '' };
let rows = [];

const points = (v) => (v === null || v === undefined ? '—' : number(v, 2));

// gapCell: how far the unit's score is behind the best and the median of its ranked peers
// (0: level with or ahead of it).
function gapCell(row) {
  const g = (row.gaps || {}).score;
  if (!isRanked(row) || !g) return el('span', { class: 'muted' }, '—');
  const behind = (v) => (v > 0 ? '−' + number(v, 2) : t('league.gap.level'));
  return el('ul', { class: 'gap-list' },
    el('li', {}, el('span', { class: 'muted' }, t('league.gap.best') + ' '), el('strong', {}, behind(g.to_best))),
    el('li', {}, el('span', { class: 'muted' }, t('league.gap.median') + ' '), el('strong', {}, behind(g.to_median))));
}

function actionsCell(row) {
  const open = el('button', { type: 'button', class: 'btn btn-small trend-button' }, t('league.trend'));
  open.addEventListener('click', () => openTrend(row));
  return open;
}

const unitName = (row) => (!lang.startsWith('zh') && row.name_en ? row.name_en : row.name);

const table = pagedTable(tableNode, {
  columns: [
    { label: 'league.col.rank', cell: (row) => rankCell(row, 'league.of') },
    { label: 'league.col.change', cell: changeCell },
    { label: 'league.col.unit', cell: (row) => el('strong', { class: 'unit-name' }, unitName(row)) },
    { label: 'league.col.score', cell: scoreCell },
    { label: 'league.col.grade', cell: gradeCell },
    { label: 'league.col.figures', cell: termsCell },
    { label: 'league.col.gap', cell: gapCell },
    { label: 'league.col.actions', cell: actionsCell },
  ],
  key: (row) => row.code,
  row: (row) => ({ dataset: { id: row.code, ranked: String(isRanked(row)), rank: row.rank ?? '' } }),
  empty: 'league.none',
  load: async () => ({ items: rows }),
});

async function load(p) {
  period = p;
  const box = document.getElementById('period-message');
  clearErrors(form, box);
  statusLine.textContent = t('web.loading');
  tableNode.setAttribute('aria-busy', 'true');
  const q = new URLSearchParams({ level: 'department', from: period.from, to: period.to });
  document.getElementById('league-xlsx').href = '/api/v1/indicators?' + q + '&format=xlsx&lang=' + encodeURIComponent(lang);
  try {
    const [ranking] = await Promise.all([api('GET', 'rankings?' + q), loadSchemes()]);
    rows = ranking.rows || [];
    const ranked = rows.filter(isRanked).length;
    document.getElementById('league-count').textContent = t('league.count', ranked, rows.length);
    const scheme = rows.map(schemeOf).find(Boolean);
    document.getElementById('league-scheme').textContent = scheme ? t('league.scheme_line', schemeName(scheme), scheme.version) : '';
    statusLine.textContent = t('league.status', ranking.from, ranking.to, ranking.previous.from, ranking.previous.to);
    await Promise.all([table.reload(), loadCheckIns()]);
    tableNode.dataset.ready = period.from + '/' + period.to;
  } catch (err) {
    statusLine.textContent = '';
    rows = [];
    table.reload();
    showErrors(form, box, periodError(err));
  } finally {
    tableNode.setAttribute('aria-busy', 'false');
  }
}

// ---- 报到: the units summoned by whistles, ranked by on-time check-ins

let checkIns = [];

// rankCheckIns ranks the units with a due check-in by rate (higher first), then by median
// minutes (fewer first); equal on both share a rank (1, 1, 3). The others are listed unranked.
function rankCheckIns(rows) {
  const ranked = rows.filter((r) => r.on_time_check_in_rate !== null && r.on_time_check_in_rate !== undefined);
  const minutes = (r) => (r.median_check_in_minutes === null || r.median_check_in_minutes === undefined ? Infinity : r.median_check_in_minutes);
  ranked.sort((a, b) => b.on_time_check_in_rate - a.on_time_check_in_rate || minutes(a) - minutes(b) || a.code.localeCompare(b.code));
  ranked.forEach((r, i) => {
    const prev = ranked[i - 1];
    r.rank = prev && prev.on_time_check_in_rate === r.on_time_check_in_rate && minutes(prev) === minutes(r) ? prev.rank : i + 1;
    r.of = ranked.length;
  });
  const rest = rows.filter((r) => !ranked.includes(r)).map((r) => ({ ...r, rank: null }));
  return [...ranked, ...rest];
}

const dash = (v, digits = 0, suffix = '') => (v === null || v === undefined ? el('span', { class: 'muted' }, '—') : number(v, digits) + suffix);

const checkInTable = pagedTable(document.getElementById('checkin-table'), {
  columns: [
    { label: 'league.col.rank', cell: (row) => rankCell(row, 'league.of') },
    { label: 'league.col.unit', cell: (row) => el('strong', { class: 'unit-name' }, row.name || row.code) },
    { label: 'league.checkin.received', cell: (row) => String(row.whistles_received) },
    { label: 'league.checkin.on_time', cell: (row) => t('ranking.ratio', row.checked_in_on_time, row.should_check_in) },
    { label: 'league.checkin.rate', cell: (row) => dash(row.on_time_check_in_rate, 2, '%') },
    { label: 'league.checkin.late', cell: (row) => String(row.late) },
    { label: 'league.checkin.minutes', cell: (row) => dash(row.median_check_in_minutes, 0) },
    { label: 'league.checkin.rating', cell: (row) => (row.ratings ? t('league.checkin.stars', number(row.rating, 1), row.ratings) : el('span', { class: 'muted' }, '—')) },
  ],
  key: (row) => row.code,
  row: (row) => ({ dataset: { id: row.code, ranked: String(isRanked(row)), rank: row.rank ?? '' } }),
  empty: 'league.checkin.none',
  load: async () => ({ items: checkIns }),
});

async function loadCheckIns() {
  const q = new URLSearchParams({ level: 'department', from: period.from, to: period.to });
  try {
    const res = await api('GET', 'whistles/figures?' + q);
    checkIns = rankCheckIns(res.rows || []);
  } catch {
    checkIns = []; // a period the figures refuse leaves the table empty; the form shows why
  }
  document.getElementById('checkin-count').textContent = t('league.count', checkIns.filter(isRanked).length, checkIns.length);
  await checkInTable.reload();
}

// ---- a unit's last 12 months beside its peers (纵向看自己, 横向比同行)

const dialog = document.getElementById('trend-dialog');
const trendStatus = document.getElementById('trend-status');
const trendTable = document.getElementById('trend-table');
let trendChart = null;
let shown = null;

async function openTrend(row) {
  shown = row;
  document.getElementById('trend-name').textContent = unitName(row);
  document.getElementById('trend-message').hidden = true;
  trendTable.replaceChildren();
  delete dialog.dataset.ready;
  dialog.dataset.id = row.code;
  trendStatus.textContent = t('web.loading');
  openDialog(dialog, dialog.querySelector('[data-close]'));
  trendChart ||= chart('trend-chart');
  try {
    const q = new URLSearchParams({ level: 'department', code: row.code, to: period.to.slice(0, 7), months: '12' });
    const res = await api('GET', 'indicators/trend?' + q);
    if (shown !== row) return;
    const months = res.points.map((p) => p.period);
    if (trendChart) {
      trendLines(trendChart, months, [
        { name: unitName(row), data: res.points.map((p) => p.score) },
        { name: t('league.trend.median'), data: res.points.map((p) => p.peers.median_score) },
        { name: t('league.trend.best'), data: res.points.map((p) => p.peers.best_score) },
      ], points, false);
    }
    trendTable.append(
      el('thead', {}, el('tr', {}, ['league.trend.month', 'league.col.rank', 'league.col.score', 'league.trend.median', 'league.trend.best']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, res.points.slice().reverse().map((p) => el('tr', { dataset: { period: p.period } },
        el('td', {}, p.period),
        el('td', {}, p.rank ? t('league.rank_of', p.rank, p.of) : t('ranking.unranked')),
        el('td', {}, points(p.score)),
        el('td', {}, points(p.peers.median_score)),
        el('td', {}, points(p.peers.best_score))))));
    trendStatus.textContent = t('league.trend.status', months[0], months[months.length - 1]);
    dialog.dataset.ready = 'true';
  } catch (err) {
    trendStatus.textContent = '';
    show(document.getElementById('trend-message'), err.message);
  }
}

periodForm(load);
