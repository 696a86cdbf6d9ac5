// The scoring schemes (考评方案): GET /api/v1/eval/schemes lists every scheme's newest version
// and all versions. Each is shown with the standard it follows, the levels and posts it scores,
// its weighted terms (with each term's share of the score), count bands, grades and minimum
// sample. A district's sys_admin adds a version — the newest one's terms, weights, grades and
// minimum sample edited, from a day on (periods before it keep the version they were scored
// with) — or uploads a scheme file; both post the same JSON to POST /api/v1/eval/schemes, whose
// refusals (400 naming what is wrong, 409 for a back-dated version) are shown in the form.
import { api, busy, config, el, lang, number, roleName, show, t } from './api.js';
import { formDialog } from './ui/dialog.js';
import { clearErrors, fieldError, showErrors } from './ui/fields.js';
import { pagedTable } from './ui/table.js';

const cfg = config();
const list = document.getElementById('schemes-list');
const statusLine = document.getElementById('schemes-status');
const message = document.getElementById('schemes-message');
let counts = []; // count codes, for the minimum sample

const levelName = (level) => t('schemes.level.' + level);

function fact(label, value) {
  return [el('dt', {}, label), el('dd', {}, value)];
}

// termWhat says in words what a term measures.
function termWhat(term) {
  if (term.indicator) {
    return (term.invert ? t('schemes.term.inverted') + ' ' : '') + t('eval.rate.' + term.indicator);
  }
  if (term.den) {
    const num = (term.num || []).map((c) => t('eval.count.' + c)).join(' + ');
    return (term.invert ? t('schemes.term.inverted') + ' ' : '') + t('schemes.term.ratio', num, t('eval.count.' + term.den));
  }
  const bands = (term.bands || []).map((b) => {
    const range = b.min !== undefined && b.max !== undefined ? `${b.min}–${b.max}`
      : b.min !== undefined ? `≥ ${b.min}` : b.max !== undefined ? `≤ ${b.max}` : t('schemes.term.any');
    return t('schemes.term.band', range, number(b.score));
  });
  bands.push(t('schemes.term.otherwise', number(term.otherwise || 0)));
  return t('schemes.term.count', t('eval.count.' + term.count), bands.join('；'));
}

// schemeName is the scheme's name in the page's language.
function schemeName(scheme) {
  return !lang.startsWith('zh') && scheme.name_en ? scheme.name_en : scheme.name;
}

// termName is the scheme's own label of a term (written in Chinese); in English a rate's name.
function termName(term) {
  if (term.indicator && (!term.label || !lang.startsWith('zh'))) return t('eval.rate.' + term.indicator);
  return term.label || termWhat(term);
}

function termsTable(scheme) {
  const total = scheme.terms.reduce((s, term) => s + term.weight, 0);
  const table = el('table', { class: 'data-table stack-on-phone terms-table' });
  const rows = pagedTable(table, {
    columns: [
      { label: 'schemes.col.term', cell: (term) => el('strong', {}, termName(term)) },
      { label: 'schemes.col.measures', cell: termWhat },
      { label: 'schemes.col.weight', cell: (term) => number(term.weight, 2) },
      { label: 'schemes.col.share', cell: (term) => number((term.weight / total) * 100, 1) + '%' },
    ],
    key: (term) => scheme.terms.indexOf(term),
    load: async () => ({ items: scheme.terms }),
  });
  rows.reload();
  return el('div', { class: 'table-wrap' }, table);
}

function schemeCard(scheme, versions) {
  const grades = scheme.grades.map((g) => t('schemes.grade_line', g.grade, number(g.min, 2))).join('；');
  const card = el('article', { class: 'panel scheme-card', dataset: { code: scheme.code, version: String(scheme.version) } },
    el('h2', {}, schemeName(scheme), el('span', { class: 'dialog-user' }, t('schemes.version_badge', scheme.version)),
      scheme.default ? el('span', { class: 'status', dataset: { tone: 'info' } }, t('schemes.default')) : null),
    el('dl', { class: 'facts' },
      ...fact(t('schemes.code'), el('code', {}, scheme.code)),
      ...fact(t('schemes.standard_ref'), scheme.standard_ref),
      ...fact(t('schemes.levels'), scheme.levels.map(levelName).join('、')),
      ...(scheme.roles && scheme.roles.length ? fact(t('schemes.roles'), scheme.roles.map(roleName).join('、')) : []),
      ...fact(t('schemes.min_sample'), t('schemes.min_sample_line', t('eval.count.' + scheme.min_sample.count), scheme.min_sample.n)),
      ...fact(t('schemes.grades'), grades),
      ...fact(t('schemes.valid_from'), scheme.valid_from)),
    scheme.note ? el('p', { class: 'hint' }, scheme.note) : null,
    el('h3', {}, t('schemes.terms')),
    termsTable(scheme),
    el('h3', {}, t('schemes.versions')),
    el('ol', { class: 'version-list' }, versions.map((v) => el('li', { dataset: { version: String(v.version) } },
      t('schemes.version_line', v.version, v.valid_from)))));
  if (cfg.can_configure) {
    const add = el('button', { type: 'button', class: 'btn btn-small add-version' }, t('schemes.version.add'));
    add.addEventListener('click', () => versionDialog.open(scheme));
    card.append(el('div', { class: 'actions' }, add));
  }
  return card;
}

async function load() {
  statusLine.textContent = t('web.loading');
  list.setAttribute('aria-busy', 'true');
  try {
    const [res, defs] = await Promise.all([api('GET', 'eval/schemes'), counts.length ? null : api('GET', 'indicators/definitions').catch(() => null)]);
    if (defs) counts = defs.counts.map((c) => c.code);
    const all = res.versions || [];
    list.replaceChildren(...res.schemes.map((s) => schemeCard(s, all.filter((v) => v.code === s.code))));
    statusLine.textContent = t('schemes.count', res.schemes.length, all.length);
    list.dataset.ready = String(all.length);
  } catch (err) {
    statusLine.textContent = '';
    show(message, err.message);
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

// ---- a new version: the newest one's figures, edited

const termsBox = document.getElementById('version-terms');
const gradesBox = document.getElementById('version-grades');
const sampleCount = document.getElementById('version-sample-count');

function head(...keys) {
  return el('thead', {}, el('tr', {}, keys.map((k) => el('th', { scope: 'col' }, k ? t(k) : ''))));
}

function input(attrs) {
  return el('input', { autocomplete: 'off', ...attrs });
}

function termRow(term, i) {
  const remove = el('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': t('schemes.term.remove', term.label || termWhat(term)) }, '×');
  const tr = el('tr', { dataset: { index: String(i) } },
    el('td', {}, input({ name: `terms.${i}.label`, value: term.label || '', maxlength: '100', 'aria-label': t('schemes.col.term') })),
    el('td', {}, termWhat(term)),
    el('td', {}, input({ name: `terms.${i}.weight`, type: 'number', step: 'any', min: '0', value: term.weight, required: true, 'aria-label': t('schemes.col.weight') })),
    el('td', {}, remove));
  remove.addEventListener('click', () => {
    if (termsBox.tBodies[0].rows.length > 1) tr.remove();
  });
  return tr;
}

function gradeRow(g, i) {
  return el('tr', {},
    el('td', {}, input({ name: `grades.${i}.grade`, value: g.grade, maxlength: '10', required: true, 'aria-label': t('schemes.col.grade') })),
    el('td', {}, input({ name: `grades.${i}.min`, type: 'number', step: 'any', value: g.min, required: true, 'aria-label': t('schemes.col.grade_min') })));
}

// firstOfNextMonth is the default start of a new version: periods already scored keep theirs.
function firstOfNextMonth() {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

// readVersion builds the new version from the form, or shows what is wrong at the fields.
function readVersion(scheme, form) {
  const body = structuredClone(scheme);
  delete body.version;
  const problems = [];
  const value = (name) => form.elements[name].value.trim();
  body.valid_from = value('valid_from');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(body.valid_from)) problems.push(['valid_from', t('schemes.check.valid_from')]);
  else if (body.valid_from < scheme.valid_from) problems.push(['valid_from', t('schemes.check.backdated', scheme.valid_from)]);
  body.terms = [...termsBox.tBodies[0].rows].map((tr) => {
    const i = Number(tr.dataset.index);
    const term = { ...scheme.terms[i], label: value(`terms.${i}.label`) };
    if (!term.label) delete term.label;
    term.weight = Number(value(`terms.${i}.weight`));
    if (!(term.weight > 0)) problems.push([`terms.${i}.weight`, t('schemes.check.weight')]);
    return term;
  });
  body.grades = scheme.grades.map((g, i) => ({ grade: value(`grades.${i}.grade`), min: Number(value(`grades.${i}.min`)) }));
  body.grades.forEach((g, i) => {
    if (!g.grade || Number.isNaN(g.min) || value(`grades.${i}.min`) === '') problems.push([`grades.${i}.grade`, t('schemes.check.grade')]);
    else if (i > 0 && g.min >= body.grades[i - 1].min) problems.push([`grades.${i}.min`, t('schemes.check.grade_order')]);
  });
  const n = Number(value('min_sample'));
  if (!Number.isInteger(n) || n < 0 || value('min_sample') === '') problems.push(['min_sample', t('schemes.check.min_sample')]);
  body.min_sample = { count: sampleCount.value, n };
  body.note = value('note');
  if (!body.note) delete body.note;
  return { body, problems };
}

const versionDialog = formDialog(document.getElementById('version-dialog'), {
  prepare(scheme, form) {
    document.getElementById('version-name').textContent = `${schemeName(scheme)} · ${t('schemes.version_badge', scheme.version + 1)}`;
    form.elements.valid_from.value = firstOfNextMonth() > scheme.valid_from ? firstOfNextMonth() : scheme.valid_from;
    form.elements.valid_from.min = scheme.valid_from;
    document.getElementById('version-valid-hint').textContent = t('schemes.valid_from_hint', scheme.valid_from);
    termsBox.replaceChildren(head('schemes.col.term', 'schemes.col.measures', 'schemes.col.weight', ''), el('tbody', {}, scheme.terms.map(termRow)));
    gradesBox.replaceChildren(head('schemes.col.grade', 'schemes.col.grade_min'), el('tbody', {}, scheme.grades.map(gradeRow)));
    const codes = counts.length ? counts : [scheme.min_sample.count];
    sampleCount.replaceChildren(...codes.map((c) => el('option', { value: c, selected: c === scheme.min_sample.count }, t('eval.count.' + c))));
    form.elements.min_sample.value = scheme.min_sample.n;
    form.elements.note.value = scheme.note || '';
  },
  async submit(scheme, form) {
    const { body, problems } = readVersion(scheme, form);
    if (problems.length) {
      const err = new Error(t('schemes.check.fix'));
      err.details = problems.map(([field, text]) => ({ field, message: text }));
      throw err;
    }
    let saved;
    try {
      saved = await api('POST', 'eval/schemes', body);
    } catch (err) {
      // A back-dated version is refused with the day it must not precede: that is the start field.
      if (err.key === 'eval.scheme_backdated') err.details = [{ field: 'valid_from', message: err.message }];
      throw err;
    }
    await load();
    show(message, t('schemes.version.saved', schemeName(saved), saved.version, saved.valid_from), 'ok');
  },
});

// ---- a scheme file: the same body as the form posts

const upload = document.getElementById('upload-form');
if (upload) {
  upload.addEventListener('submit', async (e) => {
    e.preventDefault();
    const box = document.getElementById('upload-message');
    clearErrors(upload, box);
    const file = upload.elements.file.files[0];
    if (!file) {
      fieldError(upload, 'file', t('schemes.upload.choose'));
      show(box, t('schemes.upload.choose'));
      return;
    }
    await busy(document.getElementById('upload-submit'), async () => {
      let body;
      try {
        body = JSON.parse(await file.text());
      } catch {
        fieldError(upload, 'file', t('schemes.upload.not_json'));
        show(box, t('schemes.upload.not_json'));
        return;
      }
      try {
        const saved = await api('POST', 'eval/schemes', body);
        upload.reset();
        show(box, t('schemes.version.saved', schemeName(saved), saved.version, saved.valid_from), 'ok');
        await load();
      } catch (err) {
        showErrors(upload, box, err);
      }
    });
  });
}

load();
