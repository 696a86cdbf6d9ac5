// The audit page: search the audit log in plain words (GET /api/v1/audit/plain, newest first,
// paged with next_before), export the same words (GET /api/v1/audit/export) and verify the hash
// chain (GET /api/v1/audit/verify). The server words every record: no codes or JSON reach the table.
import { api, el, has, t, when } from './api.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const pageSize = 50;
const form = document.getElementById('audit-filter');
const verifyButton = document.getElementById('verify-button');
const verifyResult = document.getElementById('verify-result');

const resultChip = statusKind('web.audit.result.', { ok: 'ok', denied: 'warn', failed: 'danger' });

let params = new URLSearchParams();

// nextDay turns the inclusive "to" date of the form into the API's exclusive bound.
function nextDay(date) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function filterParams() {
  const q = new URLSearchParams({ limit: String(pageSize) });
  for (const name of ['actor', 'action', 'object', 'result', 'from']) {
    const v = form.elements[name].value.trim();
    if (v) q.set(name, v);
  }
  if (form.elements.to.value) q.set('to', nextDay(form.elements.to.value));
  return q;
}

// who: the person, their role and unit in words.
function who(r) {
  const sub = [r.role, r.unit].filter(Boolean).join(' · ');
  return [el('span', {}, r.actor), sub ? el('span', { class: 'sub' }, sub) : ''];
}

// what: the record's sentence, with the object linked where a page shows it.
function what(r) {
  const parts = [el('span', { class: 'sentence' }, r.sentence)];
  if (r.object && r.object.link) parts.push(el('a', { class: 'sub', href: r.object.link }, [r.object.kind, r.object.label].filter(Boolean).join(' ')));
  return parts;
}

// changes: one line per field, before → after.
function changes(r) {
  if (!r.changes || !r.changes.length) return '—';
  return el('ul', { class: 'diff' }, ...r.changes.map((c) => el('li', {},
    el('span', { class: 'field' }, c.field), ' ',
    c.before ? el('del', { class: 'before' }, c.before) : '', c.before && c.after ? ' → ' : '',
    c.after ? el('ins', { class: 'after' }, c.after) : '')));
}

function exportLinks() {
  for (const format of ['csv', 'xlsx']) {
    const q = new URLSearchParams(params);
    q.delete('limit');
    q.set('format', format);
    document.getElementById('export-' + format).href = '/api/v1/audit/export?' + q;
  }
}

// Newest first, paged with next_before (the sequence number the next page starts below).
const table = pagedTable(document.getElementById('audit-table'), {
  columns: [
    { label: 'web.audit.seq', cell: (r) => String(r.seq) },
    { label: 'web.audit.at', cell: (r) => el('time', { datetime: r.at, class: 'nowrap' }, when(r.at)) },
    { label: 'web.audit.actor', cell: who },
    { label: 'web.audit.action', cell: what },
    { label: 'web.audit.change', cell: changes },
    { label: 'web.audit.ip', cell: (r) => r.ip || '—' },
    { label: 'web.audit.result', cell: (r) => resultChip(r.result_kind) },
  ],
  key: (r) => r.seq,
  row: (r) => ({ dataset: { seq: r.seq, action: r.action_code } }),
  status: document.getElementById('audit-status'),
  more: document.getElementById('audit-more'),
  async load(before) {
    const q = new URLSearchParams(params);
    if (before) q.set('before', String(before));
    const res = await api('GET', 'audit/plain?' + q);
    return { items: res.records || [], next: res.next_before };
  },
  count: (records) => (records.length ? t('web.audit.count', records.length) : t('web.audit.none')),
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  params = filterParams();
  exportLinks();
  table.reload();
});
form.addEventListener('reset', () => {
  // The fields clear after this event; search once they have.
  setTimeout(() => {
    params = filterParams();
    exportLinks();
    table.reload();
  });
});

verifyButton.addEventListener('click', async () => {
  verifyButton.disabled = true;
  verifyResult.className = 'verify-result';
  verifyResult.textContent = t('web.audit.verifying');
  try {
    const rep = await api('GET', 'audit/verify');
    if (rep.break) {
      const reason = has('web.audit.break.' + rep.break.reason) ? t('web.audit.break.' + rep.break.reason) : rep.break.reason;
      verifyResult.textContent = t('web.audit.broken', rep.break.seq, reason);
      verifyResult.title = rep.break.detail || '';
      verifyResult.classList.add('broken');
    } else {
      verifyResult.textContent = t('web.audit.intact', rep.records);
      verifyResult.title = rep.head || '';
      verifyResult.classList.add('intact');
    }
  } catch (err) {
    verifyResult.textContent = err.message;
    verifyResult.classList.add('broken');
  } finally {
    verifyButton.disabled = false;
  }
});

params = filterParams();
exportLinks();
table.reload();
