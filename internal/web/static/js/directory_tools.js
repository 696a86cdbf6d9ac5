// The 导入导出, 同义词 and 零结果查询 tabs of the editors' page (/directory). Import checks a file
// first (POST /api/v1/services/import?dry_run=true: every row's problems as a table), then turns
// its rows into changes waiting for review; export is plain links. Synonyms are groups of words
// a search treats as one (居住证 = 暂住证), one group a line. 零结果查询 lists what residents
// searched and did not find, most frequent first: the entries or synonyms to add next.
import { api, el, has, hide, number, show, t, when } from './api.js';
import { say, words } from './directorykit.js';

// ---- 导入

const importForm = document.getElementById('import-form');
const fileInput = document.getElementById('import-file');
const importBox = document.getElementById('import-message');
const runButton = document.getElementById('import-run');
const summary = document.getElementById('import-summary');
const errorsWrap = document.getElementById('import-errors-wrap');
const errorsTable = document.getElementById('import-errors');
const importedHandlers = [];

/** onImported runs fn after an import made changes (the 待审核 tab reloads). */
export function onImported(fn) {
  importedHandlers.push(fn);
}

const types = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json',
};

function chosenFile() {
  const file = fileInput.files[0];
  if (!file) throw new Error(t('directory_page.import.no_file'));
  const ext = file.name.split('.').pop().toLowerCase();
  if (!types[ext]) throw new Error(t('directory_page.import.bad_type'));
  return { file, type: types[ext] };
}

/** fieldName names an import column as the entry form does (places: 办理地点). */
function fieldName(field) {
  const key = 'directory_page.field.' + (field === 'places' ? 'place_ids' : field);
  return field && has(key) ? t(key) : field || '—';
}

function showErrors(errors) {
  errorsWrap.hidden = !errors.length;
  errorsTable.replaceChildren(
    el('thead', {}, el('tr', {}, ['row', 'field', 'message'].map((c) => el('th', { scope: 'col' }, t('directory_page.import.' + c))))),
    el('tbody', {}, errors.map((e) => el('tr', { dataset: { row: String(e.row) } },
      el('td', { dataset: { label: t('directory_page.import.row') } }, String(e.row)),
      el('td', { dataset: { label: t('directory_page.import.field') }, title: e.field || '' }, fieldName(e.field)),
      el('td', { dataset: { label: t('directory_page.import.message') } }, e.message)))));
}

async function send(dryRun) {
  hide(importBox);
  const { file, type } = chosenFile();
  const res = await api('POST', 'services/import' + (dryRun ? '?dry_run=true' : ''), file, { raw: true, contentType: type });
  const errors = res.errors || [];
  showErrors(errors);
  return { res, errors };
}

importForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  runButton.disabled = true;
  const button = document.getElementById('import-check');
  button.disabled = true;
  try {
    const { res, errors } = await send(true);
    summary.textContent = t('directory_page.import.checked', number(res.rows), number(res.valid), number(errors.length));
    runButton.disabled = errors.length > 0 || !res.rows;
    if (errors.length) show(importBox, t('directory_page.import.fix_first'), 'warn');
  } catch (err) {
    show(importBox, err.message, 'error', err.details || []);
  } finally {
    button.disabled = false;
  }
});

runButton.addEventListener('click', async () => {
  runButton.disabled = true;
  try {
    const { res, errors } = await send(false);
    if (errors.length) {
      show(importBox, t('directory_page.import.fix_first'), 'warn');
      return;
    }
    summary.textContent = t('directory_page.import.done', number(res.changes || 0));
    show(importBox, t('directory_page.import.done', number(res.changes || 0)), 'ok');
    for (const fn of importedHandlers) fn();
  } catch (err) {
    show(importBox, err.message, 'error', err.details || []);
  }
});
fileInput.addEventListener('change', () => {
  runButton.disabled = true;
  summary.textContent = '';
  errorsWrap.hidden = true;
  hide(importBox);
});

// ---- 同义词

const synonymsForm = document.getElementById('synonyms-form');
const synonymsText = document.getElementById('synonyms-text');
const synonymsBox = document.getElementById('synonyms-message');

const groupsText = (groups) => (groups || []).map((g) => g.join('、')).join('\n');

/** loadSynonyms fills the text box with the groups in force. */
export async function loadSynonyms() {
  try {
    const res = await api('GET', 'services/synonyms');
    synonymsText.value = groupsText(res.groups);
  } catch (err) {
    show(synonymsBox, err.message);
  }
}

synonymsForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(synonymsBox);
  const button = document.getElementById('synonyms-save');
  button.disabled = true;
  try {
    const groups = words(synonymsText.value, true).map((line) => words(line)).filter((g) => g.length);
    const res = await api('PUT', 'services/synonyms', { groups });
    synonymsText.value = groupsText(res.groups);
    show(synonymsBox, t('directory_page.synonyms.saved', (res.groups || []).length), 'ok');
  } catch (err) {
    show(synonymsBox, err.message, 'error', err.details || []);
  } finally {
    button.disabled = false;
  }
});

// ---- 零结果查询

const queriesForm = document.getElementById('queries-form');
const queriesTable = document.getElementById('queries-table');

/** loadQueries fills the table of residents' searches for the chosen period. */
export async function loadQueries() {
  const q = new URLSearchParams({ days: queriesForm.elements.days.value });
  if (queriesForm.elements.zero.checked) q.set('zero', 'true');
  queriesTable.setAttribute('aria-busy', 'true');
  try {
    const res = await api('GET', 'services/queries?' + q);
    const list = res.queries || [];
    const cols = ['q', 'count', 'zero_count', 'last_at'];
    queriesTable.replaceChildren(
      el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, t('directory_page.queries.' + c))))),
      el('tbody', {}, list.length ? list.map((r) => el('tr', { dataset: { q: r.q } },
        el('td', { dataset: { label: t('directory_page.queries.q') } }, el('a', { href: '/services?' + new URLSearchParams({ q: r.q }) }, r.q)),
        el('td', { dataset: { label: t('directory_page.queries.count') } }, number(r.count)),
        el('td', { dataset: { label: t('directory_page.queries.zero_count') } }, number(r.zero_count)),
        el('td', { dataset: { label: t('directory_page.queries.last_at') } }, when(r.last_at))))
        : el('tr', {}, el('td', { colspan: '4', class: 'empty' }, t('directory_page.queries.none')))));
  } catch (err) {
    say(err.message);
  } finally {
    queriesTable.setAttribute('aria-busy', 'false');
  }
}

queriesForm.addEventListener('submit', (e) => {
  e.preventDefault();
  loadQueries();
});
queriesForm.addEventListener('change', () => loadQueries());
