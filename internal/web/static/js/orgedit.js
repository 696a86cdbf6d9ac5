// The org-tree editor of the org page (territory.write: sys_admin). It lists every node in reach
// (GET /api/v1/org/nodes), retired ones greyed with their date, and adds, renames, moves and
// retires nodes, adds zones, puts grids in zones and grid workers on grids; each node's history
// (GET /api/v1/org/history/{code}) shows who changed what and when. The API decides everything:
// a refusal is shown as the API worded it.
import { api, busy, el, has, lang, show, t, when } from './api.js';
import { confirmDialog } from './ui/dialog.js';

// Under which kinds of node each kind may be added or moved (org.parentKinds).
const parentKinds = { subdistrict: ['district'], community: ['subdistrict'], department: ['district', 'subdistrict'] };

const state = { nodes: [], zones: [], reload: async () => {} };

const listBox = document.getElementById('edit-tree');
const panel = document.getElementById('edit-panel');
const result = document.getElementById('edit-result');

function nameOf(node) {
  return lang === 'en' && node.name_en ? node.name_en : node.name;
}

function kindName(kind) {
  return t('orgedit_page.kind.' + kind);
}

function labelled(id, label, control) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), control);
}

function parentOptions(kind, exclude) {
  const allowed = parentKinds[kind] || [];
  return state.nodes.filter((n) => !n.retired_at && allowed.includes(n.kind) && n.code !== exclude)
    .map((n) => el('option', { value: n.code }, `${nameOf(n)} (${n.code})`));
}

// ---- the list

function actionButton(action, node, label) {
  const b = el('button', { type: 'button', class: 'btn btn-small', dataset: { action, code: node.code } }, label);
  b.addEventListener('click', () => actions[action](node));
  return b;
}

function nodeRow(node, byParent) {
  const retired = Boolean(node.retired_at);
  const buttons = [actionButton('history', node, t('orgedit_page.history'))];
  if (!retired && node.kind !== 'district') {
    buttons.unshift(actionButton('rename', node, t('orgedit_page.rename')));
    if (parentKinds[node.kind] && node.kind !== 'subdistrict') buttons.push(actionButton('move', node, t('orgedit_page.move')));
    if (node.kind === 'community') buttons.push(actionButton('grids', node, t('orgedit_page.grids')));
    buttons.push(actionButton('retire', node, t('orgedit_page.retire')));
  } else if (!retired) {
    buttons.unshift(actionButton('rename', node, t('orgedit_page.rename')));
  }
  const kids = byParent.get(node.code) || [];
  return el('li', { class: 'edit-node' + (retired ? ' retired' : ''), dataset: { code: node.code } },
    el('div', { class: 'edit-row' },
      el('span', { class: `kind-tag kind-tag-${node.kind}` }, kindName(node.kind)), ' ',
      el('span', { class: 'edit-name' }, nameOf(node)), ' ', el('code', {}, node.code),
      retired ? el('span', { class: 'retired-on' }, ' ', t('orgedit_page.retired_on', when(node.retired_at))) : null,
      el('span', { class: 'edit-actions' }, buttons)),
    kids.length ? el('ul', { class: 'edit-list' }, kids.map((k) => nodeRow(k, byParent))) : null);
}

function renderList() {
  const codes = new Set(state.nodes.map((n) => n.code));
  const byParent = new Map();
  for (const n of state.nodes) {
    if (!byParent.has(n.parent_code)) byParent.set(n.parent_code, []);
    byParent.get(n.parent_code).push(n);
  }
  const roots = state.nodes.filter((n) => !codes.has(n.parent_code));
  listBox.replaceChildren(el('ul', { class: 'edit-list edit-root' }, roots.map((n) => nodeRow(n, byParent))));
  listBox.setAttribute('aria-busy', 'false');
  fillAddForms();
}

async function refresh() {
  const res = await api('GET', 'org/nodes');
  state.nodes = res.nodes;
  state.zones = res.zones;
  renderList();
}

// done reloads the editor and the tree and map beside it after a change.
async function done(message) {
  show(result, message, 'ok');
  await refresh();
  await state.reload();
}

// ---- actions on a node

function formPanel(title, fields, submitLabel, submit) {
  const save = el('button', { type: 'submit', class: 'btn btn-primary', id: 'edit-save' }, submitLabel);
  const cancel = el('button', { type: 'button', class: 'btn' }, t('orgedit_page.cancel'));
  const form = el('form', { class: 'form', id: 'edit-form' }, fields, el('div', { class: 'actions' }, save, cancel));
  cancel.addEventListener('click', () => panel.replaceChildren());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await busy(save, submit);
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  });
  panel.replaceChildren(el('h3', {}, title), form);
  form.querySelector('input, select')?.focus();
}

const actions = {
  rename(node) {
    const name = el('input', { id: 'edit-name', value: node.name, required: true, maxlength: 100 });
    const nameEN = el('input', { id: 'edit-name-en', value: node.name_en || '', maxlength: 200 });
    formPanel(`${t('orgedit_page.rename')} — ${nameOf(node)}`, [labelled('edit-name', t('orgedit_page.name'), name),
      labelled('edit-name-en', t('orgedit_page.name_en'), nameEN)], t('orgedit_page.save'), async () => {
      await api('PATCH', 'org/nodes/' + node.code, { name: name.value, name_en: nameEN.value });
      panel.replaceChildren();
      await done(t('orgedit_page.saved'));
    });
  },

  move(node) {
    const parent = el('select', { id: 'edit-parent', required: true }, parentOptions(node.kind, node.parent_code));
    formPanel(`${t('orgedit_page.move')} — ${nameOf(node)}`, [labelled('edit-parent', t('orgedit_page.parent'), parent)],
      t('orgedit_page.move'), async () => {
        const moved = await api('POST', `org/nodes/${node.code}/move`, { parent_code: parent.value });
        panel.replaceChildren();
        await done(t('orgedit_page.moved', moved.grids, moved.grants, moved.cases));
      });
  },

  async retire(node) {
    const ok = await confirmDialog({ title: t('orgedit_page.retire'), text: t('orgedit_page.retire_confirm', nameOf(node)),
      confirm: t('orgedit_page.retire'), danger: true });
    if (!ok) return;
    try {
      await api('POST', `org/nodes/${node.code}/retire`);
      await done(t('orgedit_page.saved'));
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  },

  async history(node) {
    await showHistory(node.code, nameOf(node));
  },

  async grids(node) {
    try {
      const res = await api('GET', `org/communities/${node.code}/grids`);
      panel.replaceChildren(el('h3', {}, t('orgedit_page.grids_of', nameOf(node))), gridTable(res));
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  },
};

// change says what a history entry changed: "field: before → after" for each field.
function change(entry) {
  const before = entry.before || {};
  const after = entry.after || {};
  const value = (v) => (Array.isArray(v) ? v.join(', ') || '—' : v === '' || v == null ? '—' : String(v));
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((k) => {
    const label = has('orgedit_page.field.' + k) ? t('orgedit_page.field.' + k) : k;
    if (k in before && k in after) return `${label}: ${value(before[k])} → ${value(after[k])}`;
    return `${label}: ${value(k in after ? after[k] : before[k])}`;
  }).join('; ');
}

async function showHistory(code, title) {
  try {
    const res = await api('GET', 'org/history/' + code);
    const body = res.history.length
      ? el('table', { class: 'table', id: 'edit-history' },
        el('thead', {}, el('tr', {}, el('th', {}, t('orgedit_page.at')), el('th', {}, t('orgedit_page.actor')),
          el('th', {}, t('orgedit_page.what')), el('th', {}, t('orgedit_page.change')))),
        el('tbody', {}, res.history.map((h) => el('tr', { dataset: { action: h.action } },
          el('td', {}, when(h.at)), el('td', {}, h.actor_name), el('td', {}, t('orgedit_page.action.' + h.action)), el('td', {}, change(h))))))
      : el('p', { class: 'muted', id: 'edit-history' }, t('orgedit_page.no_history'));
    panel.replaceChildren(el('h3', {}, t('orgedit_page.history_of', title)), body);
  } catch (err) {
    show(result, err.message, 'error', err.details);
  }
}

// ---- grids: zone and grid workers

function gridTable(res) {
  if (!res.grids.length) return el('p', { class: 'muted' }, t('orgedit_page.no_grids'));
  return el('table', { class: 'table', id: 'edit-grids' },
    el('thead', {}, el('tr', {}, el('th', {}, t('orgedit_page.grids')), el('th', {}, t('orgedit_page.zone')),
      el('th', {}, t('orgedit_page.workers')), el('th', {}))),
    el('tbody', {}, res.grids.map((g) => gridRow(g, res))));
}

function gridRow(g, res) {
  const zone = el('select', { 'aria-label': t('orgedit_page.zone') + ' ' + g.code },
    el('option', { value: '' }, t('orgedit_page.no_zone')),
    res.zones.map((z) => el('option', { value: z.code, selected: z.code === g.zone_code }, `${nameOf(z)} (${z.code})`)));
  const onDuty = new Set(g.workers.map((w) => w.user_id));
  const boxes = res.candidates.map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: c.user_id, checked: onDuty.has(c.user_id) }), ' ', c.display_name || c.username));
  const save = el('button', { type: 'button', class: 'btn btn-small' }, t('orgedit_page.save'));
  const history = el('button', { type: 'button', class: 'btn btn-small' }, t('orgedit_page.history'));
  save.addEventListener('click', () => busy(save, async () => {
    const workerIDs = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    try {
      await api('PATCH', 'org/grids/' + g.code, { zone_code: zone.value, worker_ids: workerIDs });
      show(result, t('orgedit_page.saved'), 'ok');
      await state.reload();
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  }));
  history.addEventListener('click', () => showHistory(g.code, g.name));
  return el('tr', { dataset: { code: g.code } }, el('td', {}, g.name, ' ', el('code', {}, g.code)), el('td', {}, zone),
    el('td', {}, boxes), el('td', {}, save, ' ', history));
}

// ---- add a node, add a zone

function fillAddForms() {
  const kind = document.getElementById('add-kind');
  const parent = document.getElementById('add-parent');
  if (kind && parent) parent.replaceChildren(...parentOptions(kind.value));
  const sub = document.getElementById('zone-subdistrict');
  if (sub) sub.replaceChildren(...parentOptions('community'));
}

function initAddForms() {
  const kind = document.getElementById('add-kind');
  kind.replaceChildren(...Object.keys(parentKinds).map((k) => el('option', { value: k }, kindName(k))));
  kind.value = 'community';
  kind.addEventListener('change', fillAddForms);
  const add = document.getElementById('add-form');
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (id) => document.getElementById(id).value;
    try {
      await busy(document.getElementById('add-submit'), () => api('POST', 'org/nodes', {
        kind: v('add-kind'), code: v('add-code').trim(), name: v('add-name'), name_en: v('add-name-en'), parent_code: v('add-parent'),
      }));
      add.reset();
      kind.value = 'community';
      await done(t('orgedit_page.saved'));
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  });
  const zone = document.getElementById('zone-form');
  zone.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (id) => document.getElementById(id).value;
    try {
      await busy(document.getElementById('zone-submit'), () => api('POST', 'org/zones', {
        code: v('zone-code').trim(), name: v('zone-name'), subdistrict_code: v('zone-subdistrict'), lead_organisation: v('zone-lead'),
      }));
      zone.reset();
      await done(t('orgedit_page.saved'));
    } catch (err) {
      show(result, err.message, 'error', err.details);
    }
  });
}

/** initEdit starts the editor; reload redraws the tree and map after a change. */
export async function initEdit(reload) {
  if (!listBox) return;
  state.reload = reload;
  initAddForms();
  try {
    await refresh();
  } catch (err) {
    show(result, err.message);
  }
}
