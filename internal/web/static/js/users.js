// The users page: accounts in the caller's scope (GET /api/v1/users). A security administrator
// (config.can_write) also creates accounts, disables and enables them, resets passwords and
// grants and revokes roles; a leader reads only.
import { api, config, el, lang, roleName, show, t, when } from './api.js';
import { confirmDialog, formDialog } from './ui/dialog.js';
import { clearErrors, showErrors } from './ui/fields.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const cfg = config();
const pageSize = 100;
const statusLine = document.getElementById('users-status');
const searchForm = document.getElementById('user-search');
const userStatus = statusKind('web.users.', { active: 'ok', disabled: 'danger', locked: 'warn', must_change: 'muted' });

let filter = { q: '', role: '' };
let orgOptions = null; // [{code, kind, label}] where roles may be granted

// ---- list

function statusCell(u) {
  const parts = [];
  if (u.disabled) parts.push(userStatus('disabled'));
  else if (u.locked_until && new Date(u.locked_until) > new Date()) parts.push(userStatus('locked', { title: when(u.locked_until) }));
  else parts.push(userStatus('active'));
  if (u.must_change_password) parts.push(' ', userStatus('must_change'));
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

const table = pagedTable(document.getElementById('users-table'), {
  columns: [
    { label: 'web.users.username', cell: (u) => el('strong', {}, u.username) },
    { label: 'web.users.display_name', cell: (u) => u.display_name },
    { label: 'web.users.phone', cell: (u) => u.phone || '—' },
    { label: 'web.users.roles', cell: roleChips },
    { label: 'web.users.status', cell: statusCell },
    { label: 'web.users.last_login', cell: (u) => when(u.last_login_at) },
    ...(cfg.can_write ? [{ label: 'web.users.actions', cell: actions }] : []),
  ],
  row: (u) => ({ dataset: { id: u.id, username: u.username } }),
  status: statusLine,
  more: document.getElementById('users-more'),
  // Paged by user name: the next page starts after the last one shown.
  async load(after) {
    const q = new URLSearchParams({ limit: String(pageSize) });
    if (filter.q) q.set('q', filter.q);
    if (filter.role) q.set('role', filter.role);
    if (after) q.set('after', after);
    const users = (await api('GET', 'users?' + q)).users || [];
    return { items: users, next: users.length === pageSize ? users[users.length - 1].username : '' };
  },
  count: (users) => (users.length ? t('web.users.count', users.length) : t('web.users.none')),
});

// ---- actions (sec_admin)

function actions(u) {
  if (u.id === cfg.self) return el('span', { class: 'muted' }, t('web.users.self'));
  const toggle = el('button', { type: 'button', class: 'btn btn-small' + (u.disabled ? '' : ' btn-danger-outline') },
    u.disabled ? t('web.users.enable') : t('web.users.disable'));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      table.replace(await api('POST', `users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}`));
      statusLine.textContent = t(u.disabled ? 'web.users.enabled_done' : 'web.users.disabled_done', u.username);
    } catch (err) {
      statusLine.textContent = err.message;
      toggle.disabled = false;
    }
  });
  const reset = el('button', { type: 'button', class: 'btn btn-small' }, t('web.users.reset'));
  reset.addEventListener('click', () => dialogs.reset.open(u));
  const grant = el('button', { type: 'button', class: 'btn btn-small' }, t('web.users.grant'));
  grant.addEventListener('click', () => dialogs.grant.open(u));
  // A lost phone: the account's second factor is removed and it enrols again at its next sign-in.
  const mfa = el('button', { type: 'button', class: 'btn btn-small mfa-reset' }, t('web.users.mfa_reset'));
  mfa.addEventListener('click', () => resetSecondFactor(u, mfa));
  return el('div', { class: 'row-actions' }, toggle, reset, grant, mfa);
}

async function resetSecondFactor(u, button) {
  const sure = await confirmDialog({ title: t('web.users.mfa_reset'), danger: true, confirm: t('web.users.mfa_reset'),
    text: t('web.users.mfa_reset_confirm', u.username) });
  if (!sure) return;
  button.disabled = true;
  try {
    await api('DELETE', `users/${encodeURIComponent(u.id)}/mfa`);
    statusLine.textContent = t('web.users.mfa_reset_done', u.username);
  } catch (err) {
    statusLine.textContent = err.message;
  }
  button.disabled = false;
}

async function revokeRole(u, g) {
  const sure = await confirmDialog({ title: t('web.action.user.revoke'), danger: true, confirm: t('web.action.user.revoke'),
    text: t('web.users.revoke_confirm', roleName(g.role), g.org_name || g.org_code, u.username) });
  if (!sure) return;
  try {
    table.replace(await api('DELETE', `users/${encodeURIComponent(u.id)}/roles/${encodeURIComponent(g.id)}`));
    statusLine.textContent = t('web.users.revoked_done', u.username, roleName(g.role));
  } catch (err) {
    statusLine.textContent = err.message;
  }
}

// The two dialogs of an account (users.html); each is opened with the user it is about.
function userDialog(kind, submit) {
  const dialog = document.getElementById(kind + '-dialog');
  return formDialog(dialog, {
    prepare(u) {
      dialog.querySelector('.dialog-user').textContent = `${u.display_name}（${u.username}）`;
      if (kind === 'grant') fillOrgSelect(document.getElementById('grant-role'), document.getElementById('grant-org'));
    },
    submit,
  });
}

const dialogs = {};

function initDialogs() {
  dialogs.reset = userDialog('reset', async (u) => {
    await api('POST', `users/${encodeURIComponent(u.id)}/password`, { password: document.getElementById('reset-password').value });
    statusLine.textContent = t('web.users.reset_done', u.username);
    table.reload();
  });
  dialogs.grant = userDialog('grant', async (u) => {
    table.replace(await api('POST', `users/${encodeURIComponent(u.id)}/roles`, {
      role: document.getElementById('grant-role').value, org_code: document.getElementById('grant-org').value,
    }));
    statusLine.textContent = t('web.users.granted_done', u.username);
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
    clearErrors(form, box);
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
      table.reload();
    } catch (err) {
      showErrors(form, box, err);
    }
  });
}

// ---- start

searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  filter = { q: document.getElementById('q').value.trim(), role: document.getElementById('role-filter').value };
  table.reload();
});

if (cfg.can_write) {
  for (const select of document.querySelectorAll('.role-select')) fillRoleSelect(select);
  const pairs = [['new-role', 'new-org'], ['grant-role', 'grant-org']];
  for (const [role, org] of pairs) {
    document.getElementById(role).addEventListener('change', (e) => fillOrgSelect(e.target, document.getElementById(org)));
  }
  initCreate();
  initDialogs();
}
table.reload();
