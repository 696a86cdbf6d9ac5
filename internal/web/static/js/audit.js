// The audit page: search the audit log (GET /api/v1/audit, newest first, paged with
// next_before) and verify its hash chain (GET /api/v1/audit/verify).
import { api, el, has, roleName, t, when } from './api.js';
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
  for (const name of ['actor', 'action', 'result', 'from']) {
    const v = form.elements[name].value.trim();
    if (v) q.set(name, v);
  }
  if (form.elements.to.value) q.set('to', nextDay(form.elements.to.value));
  return q;
}

function actionName(action) {
  return has('web.action.' + action) ? t('web.action.' + action) : action;
}

// shortID shows the start of a long identifier; the whole of it is in the tooltip.
function shortID(id) {
  return id.length > 12 ? el('code', { class: 'sub', title: id }, id.slice(0, 8) + '…') : el('code', { class: 'sub' }, id);
}

function change(r) {
  if (!r.before && !r.after) return '—';
  return [r.before ? el('span', { class: 'before' }, r.before) : '', r.before && r.after ? ' → ' : '', r.after ? el('span', { class: 'after' }, r.after) : ''];
}

// Newest first, paged with next_before (the sequence number the next page starts below).
const table = pagedTable(document.getElementById('audit-table'), {
  columns: [
    { label: 'web.audit.seq', cell: (r) => String(r.seq) },
    { label: 'web.audit.at', cell: (r) => el('time', { datetime: r.at, class: 'nowrap' }, when(r.at)) },
    { label: 'web.audit.actor', cell: (r) => r.actor_name || t('web.audit.anonymous') },
    { label: 'web.audit.role', cell: (r) => [r.role ? roleName(r.role) : '—', r.org_code ? el('code', { class: 'sub' }, r.org_code) : ''] },
    { label: 'web.audit.action', cell: (r) => [actionName(r.action), el('code', { class: 'sub' }, r.action)] },
    { label: 'web.audit.object', cell: (r) => [r.object_type || '—', r.object_id ? shortID(r.object_id) : ''] },
    { label: 'web.audit.change', cell: change },
    { label: 'web.audit.ip', cell: (r) => r.ip || '—' },
    { label: 'web.audit.result', cell: (r) => resultChip(r.result) },
  ],
  key: (r) => r.seq,
  row: (r) => ({ dataset: { seq: r.seq } }),
  status: document.getElementById('audit-status'),
  more: document.getElementById('audit-more'),
  async load(before) {
    const q = new URLSearchParams(params);
    if (before) q.set('before', String(before));
    const res = await api('GET', 'audit?' + q);
    return { items: res.records || [], next: res.next_before };
  },
  count: (records) => (records.length ? t('web.audit.count', records.length) : t('web.audit.none')),
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  params = filterParams();
  table.reload();
});
form.addEventListener('reset', () => {
  // The fields clear after this event; search once they have.
  setTimeout(() => {
    params = filterParams();
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
table.reload();
