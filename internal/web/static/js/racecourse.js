// The person tables (赛马场 · 比学赶超): GET /api/v1/rankings?level=person ranks every member of
// staff in reach among the holders of the same post, each post with its own scheme (GB/T 30428.4
// 岗位评价: 监督员, 受理员, 值班长, 派遣员, and the departments' staff). A table per post shows rank,
// change since the period before, score, grade and the terms of the post's scheme; a person
// below the scheme's minimum sample is listed greyed, not ranked. A row opens the person's
// evidence (the steps behind the figures, with links to the cases); a leader may pick the person
// as a 担当者 candidate with a reason, and the picks are listed with who picked, when and why.
import { api, config, el, number, roleName, show, t, when } from './api.js';
import { formDialog, openDialog } from './ui/dialog.js';
import { clearErrors, showErrors } from './ui/fields.js';
import {
  changeCell, figure, gradeCell, isRanked, loadSchemes, periodError, periodForm, rankCell, schemeName, schemeOf,
  scoreCell, termLabel, termsCell, termValue,
} from './ui/ranking.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const cfg = config();
// The posts, in the order of the standard's 岗位 list.
const posts = ['grid_worker', 'intake_operator', 'shift_lead', 'dispatcher', 'department_staff'];
const stepStatus = statusKind('case.status.', {});

const form = document.getElementById('period-form');
const statusLine = document.getElementById('racecourse-status');
const postsBox = document.getElementById('posts');

let period = { from: '', to: '' };

function actionsCell(row) {
  const open = el('button', { type: 'button', class: 'btn btn-small evidence-button' }, t('racecourse.evidence'));
  open.addEventListener('click', () => openEvidence(row));
  const actions = [open];
  if (cfg.can_pick) {
    const pick = el('button', { type: 'button', class: 'btn btn-small pick-button' }, t('racecourse.pick'));
    pick.addEventListener('click', () => pickDialog.open(row));
    actions.push(pick);
  }
  return el('div', { class: 'row-actions' }, actions);
}

const columns = [
  { label: 'racecourse.col.rank', cell: (row) => rankCell(row, 'racecourse.of') },
  { label: 'racecourse.col.change', cell: changeCell },
  { label: 'racecourse.col.name', cell: (row) => el('strong', { class: 'person-name' }, row.name) },
  { label: 'racecourse.col.score', cell: scoreCell },
  { label: 'racecourse.col.grade', cell: gradeCell },
  { label: 'racecourse.col.figures', cell: termsCell },
  { label: 'racecourse.col.actions', cell: actionsCell },
];

// ---- one table per post

function postSection(post, rows) {
  const ranked = rows.filter(isRanked).length;
  const scheme = rows.map(schemeOf).find(Boolean);
  const table = el('table', { class: 'data-table stack-on-phone', id: 'table-' + post });
  const section = el('section', { class: 'panel post-section', dataset: { post }, 'aria-labelledby': 'heading-' + post },
    el('h2', { id: 'heading-' + post }, roleName(post),
      el('span', { class: 'dialog-user' }, t('racecourse.post_count', ranked, rows.length))),
    scheme ? el('p', { class: 'hint' }, t('racecourse.scheme_line', schemeName(scheme), scheme.version)) : null,
    el('div', { class: 'table-wrap' }, table));
  const list = pagedTable(table, {
    columns,
    key: (row) => row.code,
    row: (row) => ({ dataset: { id: row.code, ranked: String(isRanked(row)), rank: row.rank ?? '' } }),
    empty: 'racecourse.none',
    load: async () => ({ items: rows }),
  });
  list.reload();
  return section;
}

async function load(p) {
  period = p;
  const box = document.getElementById('period-message');
  clearErrors(form, box);
  statusLine.textContent = t('web.loading');
  postsBox.setAttribute('aria-busy', 'true');
  try {
    const q = new URLSearchParams({ level: 'person', from: period.from, to: period.to });
    const [ranking] = await Promise.all([api('GET', 'rankings?' + q), loadSchemes()]);
    // The API lists everyone who ever took a step; a person with nothing in this period has no
    // place in its tables.
    const all = ranking.rows || [];
    const rows = all.filter((r) => Object.values(r.counts).some((n) => n > 0));
    const sections = posts.map((post) => [post, rows.filter((r) => r.role === post)]).filter(([, list]) => list.length);
    postsBox.replaceChildren(...sections.map(([post, list]) => postSection(post, list)));
    if (!sections.length) postsBox.append(el('p', { class: 'panel muted', id: 'posts-empty' }, t('racecourse.nobody')));
    statusLine.textContent = t('racecourse.status', ranking.from, ranking.to, ranking.previous.from, ranking.previous.to) +
      (all.length > rows.length ? ' ' + t('racecourse.idle', all.length - rows.length) : '');
    postsBox.dataset.ready = period.from + '/' + period.to;
  } catch (err) {
    statusLine.textContent = '';
    postsBox.replaceChildren();
    showErrors(form, box, periodError(err));
  } finally {
    postsBox.setAttribute('aria-busy', 'false');
  }
}

// ---- evidence

const evidence = document.getElementById('evidence-dialog');
const evidenceStatus = document.getElementById('evidence-status');
const pickButton = document.getElementById('evidence-pick');
let shown = null; // the row whose evidence is open

function fact(label, value) {
  return [el('dt', {}, label), el('dd', {}, value)];
}

function ratingName(rating) {
  return rating ? t('desk.rating.' + rating) : '—';
}

async function openEvidence(row) {
  shown = row;
  document.getElementById('evidence-name').textContent = `${row.name} · ${roleName(row.role)}`;
  const facts = document.getElementById('evidence-facts');
  const rates = document.getElementById('evidence-rates');
  const steps = document.getElementById('evidence-steps');
  const picks = document.getElementById('evidence-picks');
  for (const node of [facts, rates, steps, picks]) node.replaceChildren();
  document.getElementById('evidence-message').hidden = true;
  pickButton.hidden = !cfg.can_pick;
  evidence.dataset.id = row.code;
  delete evidence.dataset.ready;
  evidenceStatus.textContent = t('web.loading');
  openDialog(evidence, evidence.querySelector('[data-close]'));
  try {
    const q = new URLSearchParams({ from: period.from, to: period.to });
    const ev = await api('GET', `eval/people/${encodeURIComponent(row.code)}/evidence?` + q);
    if (shown !== row) return;
    const p = ev.person;
    facts.append(
      ...fact(t('racecourse.col.rank'), row.rank ? t('racecourse.rank_of', row.rank, row.of) : t('ranking.unranked')),
      ...fact(t('racecourse.col.score'), p.score === null ? '—' : number(p.score, 2)),
      ...fact(t('racecourse.col.grade'), p.grade || '—'),
      ...fact(t('racecourse.scheme'), p.scheme || '—'),
      ...fact(t('ranking.period'), `${period.from} – ${period.to}`));
    const scheme = schemeOf(p);
    const items = scheme ? scheme.terms.map((term) => [termLabel(term), termValue(term, p)]) : [];
    for (const [code, n] of Object.entries(p.counts)) if (n) items.push([t('eval.count.' + code), number(n)]);
    rates.append(...items.map(([label, value]) => figure(label, value)));
    steps.append(
      el('thead', {}, el('tr', {}, ['racecourse.step.case', 'racecourse.step.action', 'racecourse.step.at', 'racecourse.step.status', 'racecourse.step.rating']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, ev.steps.length ? ev.steps.map((s) => el('tr', { dataset: { case: s.case_id } },
        el('td', {}, el('a', { href: '/cases/' + encodeURIComponent(s.case_id) }, s.number)),
        el('td', {}, t('case.action.' + s.action)),
        el('td', { class: 'nowrap' }, when(s.at)),
        el('td', {}, stepStatus(s.status)),
        el('td', {}, ratingName(s.rating)))) : el('tr', {}, el('td', { colspan: '5', class: 'empty' }, t('racecourse.step.none')))));
    picks.append(...(ev.picks.length ? ev.picks.map(pickLine) : [el('li', { class: 'muted' }, t('racecourse.picks.none_for'))]));
    evidenceStatus.textContent = t('racecourse.evidence.count', ev.steps.length);
    evidence.dataset.ready = 'true';
  } catch (err) {
    evidenceStatus.textContent = '';
    show(document.getElementById('evidence-message'), err.message);
  }
}

function pickLine(p) {
  return el('li', {}, t('racecourse.pick_line', p.from, p.to, p.picked_by, when(p.created_at)), el('br'), el('q', {}, p.reason));
}

pickButton.addEventListener('click', () => {
  const row = shown;
  evidence.close();
  pickDialog.open(row);
});

// ---- picks: the reason is 2–500 characters (as the API checks); a refusal is shown at the field

const reasonMin = 2;
const reasonMax = 500;

// atReason shows err's message at the reason field too (formDialog puts details by their field).
function atReason(err) {
  err.details = [{ field: 'reason', message: err.message }];
  return err;
}

const pickDialog = formDialog(document.getElementById('pick-dialog'), {
  prepare(row) {
    document.getElementById('pick-name').textContent = `${row.name} · ${roleName(row.role)}`;
    document.getElementById('pick-period').textContent = t('racecourse.pick.period', period.from, period.to,
      row.score === null ? '—' : number(row.score, 2), row.grade || '—');
  },
  async submit(row, f) {
    const reason = f.elements.reason.value.trim();
    const n = [...reason].length;
    if (n < reasonMin || n > reasonMax) throw atReason(new Error(t('racecourse.pick.reason_length', reasonMin, reasonMax)));
    try {
      await api('POST', 'eval/picks', { user_id: row.code, from: period.from, to: period.to, reason });
    } catch (err) {
      // The API names no field for its reason check: the page knows which one it is.
      throw err.key === 'eval.pick_reason' ? atReason(err) : err;
    }
    statusLine.textContent = t('racecourse.picked', row.name);
    picksTable.reload();
  },
});

const picksTable = pagedTable(document.getElementById('picks-table'), {
  columns: [
    { label: 'racecourse.col.name', cell: (p) => el('strong', {}, p.name) },
    { label: 'racecourse.picks.period', cell: (p) => `${p.from} – ${p.to}` },
    { label: 'racecourse.picks.reason', cell: (p) => p.reason },
    { label: 'racecourse.picks.by', cell: (p) => p.picked_by },
    { label: 'racecourse.picks.at', cell: (p) => when(p.created_at) },
  ],
  row: (p) => ({ dataset: { id: p.id, user: p.user_id } }),
  status: document.getElementById('picks-status'),
  empty: 'racecourse.picks.none',
  count: (items) => (items.length ? t('racecourse.picks.count', items.length) : ''),
  async load() {
    const res = await api('GET', 'eval/picks');
    return { items: res.picks || [] };
  },
});

periodForm(load);
picksTable.reload();
