// What the ranking pages share (the 赛马场's person tables and the department league table): the
// period form of templates/parts.html (presets in Beijing time, kept in the URL so that a link
// shows the same table), the cells of a ranked row (rank, change, score, grade) and a row's
// figures as its scheme's terms. Texts come from the catalogue's "ranking." keys.
import { api, el, lang, number, t } from '../api.js';

const gradeTones = { A: 'ok', B: 'info', C: 'neutral', D: 'warn', E: 'danger' };

// ---- the period

const beijing = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const iso = (y, m, d) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);

/** presetPeriod is a preset's dates, to today in Beijing. */
export function presetPeriod(name) {
  const [y, m, d] = beijing.format(new Date()).split('-').map(Number);
  switch (name) {
    case 'last_month':
      return { from: iso(y, m - 2, 1), to: iso(y, m - 1, 0) };
    case 'quarter': {
      const first = Math.floor((m - 1) / 3) * 3;
      return { from: iso(y, first, 1), to: iso(y, m - 1, d) };
    }
    case 'year':
      return { from: iso(y, 0, 1), to: iso(y, m - 1, d) };
    default:
      return { from: iso(y, m - 1, 1), to: iso(y, m - 1, d) };
  }
}

/**
 * periodForm runs the form #period-form: it reads the period from the URL, keeps the dates in
 * step with the preset, and calls load({from, to}) at start, on submit (pushing the period into
 * the URL) and on the browser's back and forward.
 */
export function periodForm(load) {
  const form = document.getElementById('period-form');
  const preset = document.getElementById('period-preset');
  const fromInput = document.getElementById('period-from');
  const toInput = document.getElementById('period-to');
  const current = () => ({ from: fromInput.value, to: toInput.value });
  const customDates = (on) => {
    fromInput.readOnly = !on;
    toInput.readOnly = !on;
  };
  const readURL = () => {
    const q = new URLSearchParams(location.search);
    const name = q.get('preset') || (q.get('from') ? 'custom' : 'month');
    preset.value = [...preset.options].some((o) => o.value === name) ? name : 'month';
    const p = preset.value === 'custom' ? { from: q.get('from') || '', to: q.get('to') || '' } : presetPeriod(preset.value);
    fromInput.value = p.from;
    toInput.value = p.to;
    customDates(preset.value === 'custom');
  };
  preset.addEventListener('change', () => {
    if (preset.value !== 'custom') {
      const p = presetPeriod(preset.value);
      fromInput.value = p.from;
      toInput.value = p.to;
    }
    customDates(preset.value === 'custom');
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ preset: preset.value });
    if (preset.value === 'custom') {
      q.set('from', fromInput.value);
      q.set('to', toInput.value);
    }
    history.pushState(null, '', '?' + q);
    load(current());
  });
  window.addEventListener('popstate', () => {
    readURL();
    load(current());
  });
  readURL();
  load(current());
}

/** periodError turns the API's refusal of a period into errors at both dates (for showErrors). */
export function periodError(err) {
  if (err.key === 'eval.bad_period') err.details = ['from', 'to'].map((field) => ({ field, message: err.message }));
  return err;
}

// ---- schemes: a row's figures are its scheme's terms

let schemes = null; // "code v1" → scheme version, read once per page

/** loadSchemes reads the schemes once; schemeOf then finds a row's. */
export async function loadSchemes() {
  if (!schemes) {
    const set = await api('GET', 'eval/schemes');
    schemes = new Map((set.versions || []).map((s) => [`${s.code} v${s.version}`, s]));
  }
}

/** schemeOf is the scheme version a row was scored with (after loadSchemes), or undefined. */
export function schemeOf(row) {
  return schemes && schemes.get(row.scheme);
}

/** schemeName is the scheme's name in the page's language. */
export function schemeName(scheme) {
  return !lang.startsWith('zh') && scheme.name_en ? scheme.name_en : scheme.name;
}

/**
 * termValue is a term of the scheme as the row's figures show it: a rate, a ratio of counts (the
 * counts themselves, so that nothing is computed twice), or a count scored by bands.
 */
export function termValue(term, row) {
  if (term.indicator) {
    const v = row.rates[term.indicator];
    return v === null || v === undefined ? '—' : number(v, 2) + '%';
  }
  if (term.den) {
    const num = (term.num || []).reduce((sum, c) => sum + (row.counts[c] || 0), 0);
    return t('ranking.ratio', num, row.counts[term.den] || 0);
  }
  return number(row.counts[term.count] || 0);
}

/**
 * termLabel names a term: a rate by its catalogue name; another term by the scheme's own label
 * (written in Chinese), or in English by the counts it is made of.
 */
export function termLabel(term) {
  if (term.indicator) return t('eval.rate.' + term.indicator);
  if (term.label && lang.startsWith('zh')) return term.label;
  if (term.den) return t('ranking.ratio_of', (term.num || []).map((c) => t('eval.count.' + c)).join(' + '), t('eval.count.' + term.den));
  return t('eval.count.' + term.count);
}

/** figure is a label and its value; a value not measured (no denominator) is a muted dash. */
export function figure(label, value) {
  return el('li', { dataset: { figure: label } }, el('span', { class: 'muted' }, label + ' '),
    value === '—' ? el('span', { class: 'muted' }, value) : el('strong', {}, value));
}

/** termsCell lists the row's figures as its scheme's terms. */
export function termsCell(row) {
  const scheme = schemeOf(row);
  if (!scheme) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'rate-list' }, scheme.terms.map((term) => figure(termLabel(term), termValue(term, row))));
}

// ---- the cells of a ranked row

/** isRanked: the row has a rank (it is not below its scheme's minimum sample). */
export const isRanked = (row) => row.rank !== null && row.rank !== undefined;

/** rankCell is the rank "of" how many (ofKey: the page's "of %d" text). */
export function rankCell(row, ofKey) {
  if (!isRanked(row)) return el('span', { class: 'status', dataset: { tone: 'muted', state: 'unranked' } }, t('ranking.unranked'));
  return [el('strong', {}, String(row.rank)), el('span', { class: 'sub muted' }, t(ofKey, row.of))];
}

/** changeCell is the change of rank since the period before: an arrow for the eye, words for a screen reader. */
export function changeCell(row) {
  const c = row.rank_change;
  if (!isRanked(row)) return el('span', { class: 'muted' }, '—');
  if (c === null || c === undefined) return el('span', { class: 'status', dataset: { tone: 'info' } }, t('ranking.change.new'));
  const chip = (tone, mark, words) => el('span', { class: 'status', dataset: { tone }, title: words },
    el('span', { 'aria-hidden': 'true' }, mark), el('span', { class: 'visually-hidden' }, words));
  if (c > 0) return chip('ok', '▲ ' + c, t('ranking.change.up_n', c));
  if (c < 0) return chip('danger', '▼ ' + -c, t('ranking.change.down_n', -c));
  return chip('neutral', '＝', t('ranking.change.same'));
}

export function scoreCell(row) {
  return row.score === null || row.score === undefined ? el('span', { class: 'muted' }, '—') : el('strong', {}, number(row.score, 2));
}

export function gradeCell(row) {
  if (!row.grade) return el('span', { class: 'muted' }, '—');
  return el('span', { class: 'status', dataset: { tone: gradeTones[row.grade] || 'neutral', grade: row.grade } }, row.grade);
}
