// The users page: accounts in the caller's scope (GET /api/v1/users). A security administrator
// (config.can_write) also creates accounts, disables and enables them, resets passwords and
// grants and revokes roles; a leader reads only.
import { api, config, el, hide, lang, roleName, show, t, when } from './api.js';

const cfg = config();
const pageSize = 100;
const table = document.querySelector('#users-table tbody');
const statusLine = document.getElementById('users-status');
const moreButton = document.getElementById('users-more');
const searchForm = document.getElementById('user-search');

let filter = { q: '', role: '' };
let last = '';
let shown = 0;
let orgOptions = null; // [{code, kind, label}] where roles may be granted

// ---- list

function query(after) {
  const q = new URLSearchParams({ limit: String(pageSize) });
  if (filter.q) q.set('q', filter.q);
  if (filter.role) q.set('role', filter.role);
  if (after) q.set('after', after);
  return 'users?' + q;
}

async function load(more = false) {
  statusLine.textContent = t('web.loading');
  try {
    const res = await api('GET', query(more ? last : ''));
    const users = res.users || [];
    if (!more) {
      table.replaceChildren();
      shown = 0;
    }
    for (const u of users) table.append(userRow(u));
    shown += users.length;
    if (users.length) last = users[users.length - 1].username;
    moreButton.hidden = users.length < pageSize;
    statusLine.textContent = shown ? t('web.users.count', shown) : t('web.users.none');
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

function statusCell(u) {
  const parts = [];
  if (u.disabled) parts.push(el('span', { class: 'badge badge-danger' }, t('web.users.disabled')));
  else if (u.locked_until && new Date(u.locked_until) > new Date()) {
    parts.push(el('span', { class: 'badge badge-warn', title: when(u.locked_until) }, t('web.users.locked')));
  } else parts.push(el('span', { class: 'badge badge-ok' }, t('web.users.active')));
  if (u.must_change_password) parts.push(' ', el('span', { class: 'badge badge-muted' }, t('web.users.must_change')));
  return parts;
}

function roleChips(u) {
  return el('ul', { class: 'chips' }, (u.roles || []).map((g) => {
    const chip = el('li', { class: 'chip' }, roleName(g.role), g.org_name ? el('span', { class: 'chip-org' }, g.org_name) : '');
    if (cfg.can_write && u.id !== cfg.self) {
      const revoke = el('button', { type: 'button', class: 'chip-remove', 'aria-label': t('web.users.revoke', roleName(g.role)), title: t('web.users.revoke', roleName(g.role)) }, '×');
      revoke.addEventListener('click', () => revokeRole(u, g));
      chip.append(revoke);
    }
    return chip;
  }));
}

// cell is a table cell; its label shows when the table becomes cards on a phone.
function cell(labelKey, ...content) {
  return el('td', { dataset: { label: t(labelKey) } }, el('div', { class: 'cell' }, ...content));
}

function userRow(u) {
  const tr = el('tr', { dataset: { id: u.id, username: u.username } },
    cell('web.users.username', el('strong', {}, u.username)),
    cell('web.users.display_name', u.display_name),
    cell('web.users.phone', u.phone || '—'),
    cell('web.users.roles', roleChips(u)),
    cell('web.users.status', statusCell(u)),
    cell('web.users.last_login', when(u.last_login_at)));
  if (cfg.can_write) tr.append(cell('web.users.actions', actions(u)));
  return tr;
}

function replaceRow(u) {
  const old = table.querySelector(`tr[data-id="${CSS.escape(u.id)}"]`);
  if (old) old.replaceWith(userRow(u));
}

// ---- actions (sec_admin)

function actions(u) {
  if (u.id === cfg.self) return el('span', { class: 'muted' }, t('web.users.self'));
  const toggle = el('button', { type: 'button', class: 'btn btn-small' + (u.disabled ? '' : ' btn-danger-outline') },
    u.disabled ? t('web.users.enable') : t('web.users.disable'));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      replaceRow(await api('POST', `users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}`));
      statusLine.textContent = t(u.disabled ? 'web.users.enabled_done' : 'web.users.disabled_done', u.username);
    } catch (err) {
      statusLine.textContent = err.message;
      toggle.disabled = false;
    }
  });
  const reset = el('button', { type: 'button', class: 'btn btn-small' }, t('web.users.reset'));
  reset.addEventListener('click', () => openDialog('reset', u));
  const grant = el('button', { type: 'button', class: 'btn btn-small' }, t('web.users.grant'));
  grant.addEventListener('click', () => openDialog('grant', u));
  return el('div', { class: 'row-actions' }, toggle, reset, grant);
}

async function revokeRole(u, g) {
  if (!window.confirm(t('web.users.revoke_confirm', roleName(g.role), g.org_name || g.org_code, u.username))) return;
  try {
    replaceRow(await api('DELETE', `users/${encodeURIComponent(u.id)}/roles/${encodeURIComponent(g.id)}`));
    statusLine.textContent = t('web.users.revoked_done', u.username, roleName(g.role));
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

let dialogUser = null;

function openDialog(kind, u) {
  dialogUser = u;
  const dialog = document.getElementById(kind + '-dialog');
  dialog.querySelector('.dialog-user').textContent = `${u.display_name}（${u.username}）`;
  dialog.querySelector('form').reset();
  hide(dialog.querySelector('.alert'));
  if (kind === 'grant') fillOrgSelect(document.getElementById('grant-role'), document.getElementById('grant-org'));
  dialog.showModal();
}

function initDialogs() {
  for (const dialog of document.querySelectorAll('dialog')) {
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
  }
  const resetForm = document.getElementById('reset-form');
  resetForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const box = document.getElementById('reset-message');
    try {
      await api('POST', `users/${encodeURIComponent(dialogUser.id)}/password`, { password: document.getElementById('reset-password').value });
      document.getElementById('reset-dialog').close();
      statusLine.textContent = t('web.users.reset_done', dialogUser.username);
      load();
    } catch (err) {
      show(box, err.message, 'error', err.details);
    }
  });
  const grantForm = document.getElementById('grant-form');
  grantForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const box = document.getElementById('grant-message');
    try {
      const u = await api('POST', `users/${encodeURIComponent(dialogUser.id)}/roles`, {
        role: document.getElementById('grant-role').value, org_code: document.getElementById('grant-org').value,
      });
      document.getElementById('grant-dialog').close();
      replaceRow(u);
      statusLine.textContent = t('web.users.granted_done', dialogUser.username);
    } catch (err) {
      show(box, err.message, 'error', err.details);
    }
  });
}

// ---- role × org node selects

async function loadOrgOptions() {
  if (orgOptions) return orgOptions;
  const [tree, deps] = await Promise.all([api('GET', 'org/tree'), api('GET', 'departments')]);
  orgOptions = [];
  const walk = (node, depth) => {
    if (!node.context) {
      const name = lang === 'en' && node.name_en ? node.name_en : node.name;
      orgOptions.push({ code: node.code, kind: node.kind, label: `${'　'.repeat(depth)}${t('kind.' + node.kind)} · ${name}（${node.code}）` });
    }
    for (const child of node.children || []) walk(child, node.context ? depth : depth + 1);
  };
  walk(tree, 0);
  for (const d of deps.departments || []) {
    const name = lang === 'en' && d.name_en ? d.name_en : d.name;
    orgOptions.push({ code: d.code, kind: 'department', label: `${t('kind.department')} · ${name}（${d.code}）` });
  }
  return orgOptions;
}

function fillRoleSelect(select) {
  select.replaceChildren(...cfg.roles.map((r) => el('option', { value: r.role }, r.name)));
}

async function fillOrgSelect(roleSelect, orgSelect) {
  const role = cfg.roles.find((r) => r.role === roleSelect.value);
  const kinds = role ? role.kinds : [];
  orgSelect.replaceChildren(el('option', { value: '' }, t('web.loading')));
  try {
    const options = (await loadOrgOptions()).filter((o) => kinds.includes(o.kind));
    orgSelect.replaceChildren(...options.map((o) => el('option', { value: o.code }, o.label)));
  } catch (err) {
    orgSelect.replaceChildren(el('option', { value: '' }, err.message));
  }
}

function initCreate() {
  const form = document.getElementById('create-form');
  const box = document.getElementById('create-message');
  const roleSelect = document.getElementById('new-role');
  const orgSelect = document.getElementById('new-org');
  document.getElementById('create-panel').addEventListener('toggle', (e) => {
    if (e.target.open && !orgSelect.options.length) fillOrgSelect(roleSelect, orgSelect);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hide(box);
    const body = {
      username: document.getElementById('new-username').value.trim(),
      display_name: document.getElementById('new-display-name').value.trim(),
      password: document.getElementById('new-user-password').value,
      roles: [{ role: roleSelect.value, org_code: orgSelect.value }],
    };
    const phone = document.getElementById('new-phone').value.trim();
    if (phone) body.phone = phone;
    try {
      const u = await api('POST', 'users', body);
      show(box, t('web.users.created_done', u.username), 'ok');
      form.reset();
      fillOrgSelect(roleSelect, orgSelect);
      load();
    } catch (err) {
      show(box, err.message, 'error', err.details);
    }
  });
}

// ---- start

searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  filter = { q: document.getElementById('q').value.trim(), role: document.getElementById('role-filter').value };
  load();
});
moreButton.addEventListener('click', () => load(true));

if (cfg.can_write) {
  for (const select of document.querySelectorAll('.role-select')) fillRoleSelect(select);
  const pairs = [['new-role', 'new-org'], ['grant-role', 'grant-org']];
  for (const [role, org] of pairs) {
    document.getElementById(role).addEventListener('change', (e) => fillOrgSelect(e.target, document.getElementById(org)));
  }
  initCreate();
  initDialogs();
}
load();
