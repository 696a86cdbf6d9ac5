// The audit page: search the audit log (GET /api/v1/audit, newest first, paged with
// next_before) and verify its hash chain (GET /api/v1/audit/verify).
import { api, el, has, roleName, t, when } from './api.js';

const pageSize = 50;
const form = document.getElementById('audit-filter');
const table = document.querySelector('#audit-table tbody');
const statusLine = document.getElementById('audit-status');
const moreButton = document.getElementById('audit-more');
const verifyButton = document.getElementById('verify-button');
const verifyResult = document.getElementById('verify-result');

let params = new URLSearchParams();
let nextBefore = null;
let shown = 0;

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

function resultBadge(result) {
  const kind = { ok: 'badge-ok', denied: 'badge-warn', failed: 'badge-danger' }[result] || 'badge-muted';
  return el('span', { class: 'badge ' + kind }, has('web.audit.result.' + result) ? t('web.audit.result.' + result) : result);
}

// cell is a table cell; its label shows when the table becomes cards on a phone.
function cell(labelKey, ...content) {
  return el('td', { dataset: { label: t(labelKey) } }, el('div', { class: 'cell' }, ...content));
}

// shortID shows the start of a long identifier; the whole of it is in the tooltip.
function shortID(id) {
  return id.length > 12 ? el('code', { class: 'sub', title: id }, id.slice(0, 8) + '…') : el('code', { class: 'sub' }, id);
}

function recordRow(r) {
  const change = [r.before, r.after].some(Boolean)
    ? [r.before ? el('span', { class: 'before' }, r.before) : '', r.before && r.after ? ' → ' : '', r.after ? el('span', { class: 'after' }, r.after) : '']
    : '—';
  return el('tr', { dataset: { seq: r.seq } },
    cell('web.audit.seq', String(r.seq)),
    cell('web.audit.at', el('time', { datetime: r.at, class: 'nowrap' }, when(r.at))),
    cell('web.audit.actor', r.actor_name || t('web.audit.anonymous')),
    cell('web.audit.role', r.role ? roleName(r.role) : '—', r.org_code ? el('code', { class: 'sub' }, r.org_code) : ''),
    cell('web.audit.action', actionName(r.action), el('code', { class: 'sub' }, r.action)),
    cell('web.audit.object', r.object_type || '—', r.object_id ? shortID(r.object_id) : ''),
    cell('web.audit.change', change),
    cell('web.audit.ip', r.ip || '—'),
    cell('web.audit.result', resultBadge(r.result)));
}

async function search(more = false) {
  statusLine.textContent = t('web.loading');
  const q = new URLSearchParams(params);
  if (more && nextBefore) q.set('before', String(nextBefore));
  try {
    const res = await api('GET', 'audit?' + q);
    const records = res.records || [];
    if (!more) {
      table.replaceChildren();
      shown = 0;
    }
    for (const r of records) table.append(recordRow(r));
    shown += records.length;
    nextBefore = res.next_before || null;
    moreButton.hidden = !nextBefore;
    statusLine.textContent = shown ? t('web.audit.count', shown) : t('web.audit.none');
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  params = filterParams();
  search();
});
form.addEventListener('reset', () => {
  // The fields clear after this event; search once they have.
  setTimeout(() => {
    params = filterParams();
    search();
  });
});
moreButton.addEventListener('click', () => search(true));

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
search();
