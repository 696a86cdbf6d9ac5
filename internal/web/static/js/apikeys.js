// The Open311 client keys (接入密钥) of a district-level sys_admin: GET /api/v1/apikeys lists
// them, POST issues one (its key is in that answer only: shown once here, with a copy button,
// and dropped from the page once the administrator says it is stored), DELETE revokes one after
// a confirmation.
import { api, busy, el, hide, show, t, when } from './api.js';
import { formDialog } from './ui/dialog.js';
import { clearErrors, fieldError, formValues, showErrors } from './ui/fields.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const statusLine = document.getElementById('apikeys-status');
const form = document.getElementById('apikey-form');
const createBox = document.getElementById('create-message');
const secretPanel = document.getElementById('secret-panel');
const secretValue = document.getElementById('secret-value');
const copyStatus = document.getElementById('copy-status');
const keyStatus = statusKind('web.apikeys.', { active: 'ok', revoked: 'danger' });

let defaultRate = 0;

function rateText(k) {
  if (k.rate_per_minute) return t('web.apikeys.per_minute', k.rate_per_minute);
  return defaultRate ? t('web.apikeys.rate_default_n', defaultRate) : t('web.apikeys.rate_default');
}

function statusCell(k) {
  return k.revoked_at ? [keyStatus('revoked'), el('span', { class: 'sub muted' }, when(k.revoked_at))] : keyStatus('active');
}

function actionsCell(k) {
  if (k.revoked_at) return el('span', { class: 'muted' }, '—');
  const revoke = el('button', { type: 'button', class: 'btn btn-small btn-danger-outline revoke-button' }, t('web.apikeys.revoke'));
  revoke.addEventListener('click', () => revokeDialog.open(k));
  return el('div', { class: 'row-actions' }, revoke);
}

// Every key at once (a district has few): no paging.
const table = pagedTable(document.getElementById('apikeys-table'), {
  columns: [
    { label: 'web.apikeys.name', cell: (k) => el('strong', {}, k.name) },
    { label: 'web.apikeys.status', cell: statusCell },
    { label: 'web.apikeys.rate_column', cell: rateText },
    { label: 'web.apikeys.created', cell: (k) => [when(k.created_at), el('span', { class: 'sub muted' }, k.created_by)] },
    { label: 'web.apikeys.last_used', cell: (k) => (k.last_used_at ? when(k.last_used_at) : el('span', { class: 'muted' }, t('web.apikeys.never'))) },
    { label: 'web.apikeys.actions', cell: actionsCell },
  ],
  row: (k) => ({ dataset: { id: k.id, name: k.name, state: k.revoked_at ? 'revoked' : 'active' } }),
  status: statusLine,
  empty: 'web.apikeys.none',
  async load() {
    const res = await api('GET', 'apikeys');
    defaultRate = res.default_rate_per_minute || 0;
    document.getElementById('rate-hint').textContent = t('web.apikeys.rate_hint', defaultRate, res.max_rate_per_minute);
    return { items: res.keys || [] };
  },
  count(keys) {
    const active = keys.filter((k) => !k.revoked_at).length;
    return keys.length ? t('web.apikeys.count', active, keys.length - active) : '';
  },
});

// ---- issue a key: the answer holds the key, shown here once

function showSecret(created) {
  document.getElementById('secret-name').textContent = created.name;
  secretValue.value = created.key;
  copyStatus.textContent = '';
  secretPanel.hidden = false;
  secretPanel.scrollIntoView({ block: 'nearest' });
  secretValue.focus();
  secretValue.select();
}

function forgetSecret() {
  secretValue.value = '';
  document.getElementById('secret-name').textContent = '';
  copyStatus.textContent = '';
  secretPanel.hidden = true;
}

async function copySecret() {
  const value = secretValue.value;
  if (!value) return;
  try {
    await navigator.clipboard.writeText(value);
    copyStatus.textContent = t('web.apikeys.copied');
  } catch {
    // No clipboard access (a plain-HTTP address, or the browser refused): leave it selected.
    secretValue.focus();
    secretValue.select();
    copyStatus.textContent = t('web.apikeys.copy_manually');
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors(form, createBox);
  const body = formValues(form); // {name, rate_per_minute}
  if ('rate_per_minute' in body && !Number.isInteger(body.rate_per_minute)) {
    show(createBox, t('web.apikeys.rate_integer'));
    fieldError(form, 'rate_per_minute', t('web.apikeys.rate_integer'));
    return;
  }
  body.name ||= '';
  await busy(document.getElementById('create-submit'), async () => {
    try {
      const created = await api('POST', 'apikeys', body);
      form.reset();
      show(createBox, t('web.apikeys.created_done', created.name), 'ok');
      showSecret(created);
      await table.reload();
    } catch (err) {
      showErrors(form, createBox, err);
    }
  });
});

document.getElementById('secret-copy').addEventListener('click', copySecret);
document.getElementById('secret-done').addEventListener('click', () => {
  forgetSecret();
  hide(createBox);
});
// Leaving the page drops the key with it; a warning asks first while it is still shown.
window.addEventListener('beforeunload', (e) => {
  if (!secretPanel.hidden && secretValue.value) e.preventDefault();
});

// ---- revoke, after a confirmation

const revokeDialog = formDialog(document.getElementById('revoke-dialog'), {
  prepare(k) {
    document.getElementById('revoke-name').textContent = k.name;
  },
  async submit(k) {
    await api('DELETE', 'apikeys/' + encodeURIComponent(k.name));
    await table.reload();
    statusLine.textContent = t('web.apikeys.revoked_done', k.name);
  },
});

table.reload();
