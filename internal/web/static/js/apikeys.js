// The Open311 client keys (接入密钥) of a district-level sys_admin: GET /api/v1/apikeys lists
// them, POST issues one (its key is in that answer only: shown once here, with a copy button,
// and dropped from the page once the administrator says it is stored), DELETE revokes one after
// a confirmation.
import { api, busy, el, hide, show, t, when } from './api.js';

const table = document.querySelector('#apikeys-table tbody');
const statusLine = document.getElementById('apikeys-status');
const form = document.getElementById('apikey-form');
const createBox = document.getElementById('create-message');
const nameInput = document.getElementById('key-name');
const rateInput = document.getElementById('key-rate');
const secretPanel = document.getElementById('secret-panel');
const secretValue = document.getElementById('secret-value');
const copyStatus = document.getElementById('copy-status');
const revokeDialog = document.getElementById('revoke-dialog');
const revokeBox = document.getElementById('revoke-message');

let defaultRate = 0;
let revoking = null; // the key the dialog asks about

// cell is a table cell; its label shows when the table becomes cards on a phone.
function cell(labelKey, ...content) {
  return el('td', { dataset: { label: t(labelKey) } }, el('div', { class: 'cell' }, ...content));
}

function rateText(k) {
  if (k.rate_per_minute) return t('web.apikeys.per_minute', k.rate_per_minute);
  return defaultRate ? t('web.apikeys.rate_default_n', defaultRate) : t('web.apikeys.rate_default');
}

function statusBadge(k) {
  if (k.revoked_at) {
    return [el('span', { class: 'badge badge-danger' }, t('web.apikeys.revoked')),
      el('span', { class: 'sub muted' }, when(k.revoked_at))];
  }
  return el('span', { class: 'badge badge-ok' }, t('web.apikeys.active'));
}

function keyRow(k) {
  const tr = el('tr', { dataset: { id: k.id, name: k.name, state: k.revoked_at ? 'revoked' : 'active' } },
    cell('web.apikeys.name', el('strong', {}, k.name)),
    cell('web.apikeys.status', statusBadge(k)),
    cell('web.apikeys.rate_column', rateText(k)),
    cell('web.apikeys.created', when(k.created_at), el('span', { class: 'sub muted' }, k.created_by)),
    cell('web.apikeys.last_used', k.last_used_at ? when(k.last_used_at) : el('span', { class: 'muted' }, t('web.apikeys.never'))));
  let actions = el('span', { class: 'muted' }, '—');
  if (!k.revoked_at) {
    const revoke = el('button', { type: 'button', class: 'btn btn-small btn-danger-outline revoke-button' }, t('web.apikeys.revoke'));
    revoke.addEventListener('click', () => askRevoke(k));
    actions = el('div', { class: 'row-actions' }, revoke);
  }
  tr.append(cell('web.apikeys.actions', actions));
  return tr;
}

async function load() {
  statusLine.textContent = t('web.loading');
  try {
    const res = await api('GET', 'apikeys');
    defaultRate = res.default_rate_per_minute || 0;
    document.getElementById('rate-hint').textContent = t('web.apikeys.rate_hint', defaultRate, res.max_rate_per_minute);
    const keys = res.keys || [];
    table.replaceChildren(...keys.map(keyRow));
    if (!keys.length) table.append(el('tr', {}, el('td', { class: 'empty', colspan: 6 }, t('web.apikeys.none'))));
    const active = keys.filter((k) => !k.revoked_at).length;
    statusLine.textContent = keys.length ? t('web.apikeys.count', active, keys.length - active) : '';
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

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
  hide(createBox);
  const body = { name: nameInput.value.trim() };
  if (rateInput.value.trim() !== '') {
    const rate = Number(rateInput.value);
    if (!Number.isInteger(rate)) {
      show(createBox, t('web.apikeys.rate_integer'));
      return;
    }
    body.rate_per_minute = rate;
  }
  await busy(document.getElementById('create-submit'), async () => {
    try {
      const created = await api('POST', 'apikeys', body);
      form.reset();
      show(createBox, t('web.apikeys.created_done', created.name), 'ok');
      showSecret(created);
      await load();
    } catch (err) {
      show(createBox, err.message, 'error', err.details);
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

function askRevoke(k) {
  revoking = k;
  document.getElementById('revoke-name').textContent = k.name;
  hide(revokeBox);
  revokeDialog.showModal();
}

revokeDialog.querySelector('[data-close]').addEventListener('click', () => revokeDialog.close());
document.getElementById('revoke-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!revoking) return;
  const k = revoking;
  await busy(document.getElementById('revoke-submit'), async () => {
    try {
      await api('DELETE', 'apikeys/' + encodeURIComponent(k.name));
      revokeDialog.close();
      revoking = null;
      await load();
      statusLine.textContent = t('web.apikeys.revoked_done', k.name);
    } catch (err) {
      show(revokeBox, err.message, 'error', err.details);
    }
  });
});

load();
