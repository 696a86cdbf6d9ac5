// 办事指南维护 (/directory): the editors' page of 一网速查, on a desk. Tabs: 服务列表 (the entries in
// reach, filtered; new, edit, delete and 确认无误 as changes), 待审核 (the changes waiting for a
// second editor, shown field by field against the entry before; one's own change cannot be
// approved by oneself), 地点 (directory_places.js), 导入导出, 同义词 and 零结果查询
// (directory_tools.js). Nothing an editor writes is published until another editor approves it;
// the API enforces that and scopes everything to the editor's unit.
import { api, el, t, when } from './api.js';
import { confirmDialog, formDialog } from './ui/dialog.js';
import { formValues } from './ui/fields.js';
import { pagedTable } from './ui/table.js';
import { categories, flag, places, say, unitOptions, words, nodes } from './directorykit.js';
import { loadPlaces } from './directory_places.js';
import { loadQueries, loadSynonyms, onImported } from './directory_tools.js';
import { day } from './serviceskit.js';

// ---- tabs: one panel at a time, the choice kept in the address (#changes …)

const tabs = ['services', 'changes', 'places', 'import', 'synonyms', 'queries'];
const loaded = new Set();
const loaders = { places: loadPlaces, synonyms: loadSynonyms, queries: loadQueries, changes: () => loadChanges() };

function showTab(name) {
  for (const n of tabs) {
    document.getElementById('tab-' + n).setAttribute('aria-selected', String(n === name));
    document.getElementById('panel-' + n).hidden = n !== name;
  }
  if (loaders[name] && !loaded.has(name)) {
    loaded.add(name);
    loaders[name]();
  }
}
for (const n of tabs) {
  document.getElementById('tab-' + n).addEventListener('click', () => {
    history.replaceState(null, '', '#' + n);
    showTab(n);
  });
}

// ---- 服务列表

const filter = document.getElementById('svc-filter');
const serviceTable = pagedTable(document.getElementById('svc-table'), {
  columns: [
    { label: 'directory_page.name', cell: (s) => [el('a', { href: '/services/' + encodeURIComponent(s.id), class: 'svc-link' }, s.name),
      s.aliases && s.aliases.length ? el('span', { class: 'sub muted' }, s.aliases.join('、')) : null] },
    { label: 'directory_page.category', cell: (s) => s.category_name || s.category },
    { label: 'directory_page.unit', cell: (s) => s.unit_name || s.unit_code },
    { label: 'directory_page.places', cell: (s) => String((s.places || []).length) },
    { label: 'directory_page.state', cell: (s) => el('span', { class: 'dir-flags' }, s.pending ? flag('pending', 'role') : null,
      s.stale ? flag('stale', 'warn') : null) },
    { label: 'directory_page.reviewed_at', cell: (s) => day(s.reviewed_at) || '—' },
    { label: 'directory_page.actions', cell: serviceActions },
  ],
  load: async (cursor) => {
    const q = new URLSearchParams({ limit: '50' });
    const v = formValues(filter);
    if (v.q) q.set('q', v.q);
    if (v.category) q.set('category', v.category);
    if (v.stale) q.set('stale', 'true');
    if (v.pending) q.set('pending', 'true');
    if (cursor) q.set('cursor', cursor);
    const res = await api('GET', 'services?' + q);
    return { items: res.services || [], next: res.next_cursor };
  },
  row: (s) => ({ dataset: { id: s.id, name: s.name } }),
  status: document.getElementById('svc-count'),
  more: document.getElementById('svc-more'),
  empty: 'directory_page.none',
  count: (items, more) => t(more ? 'directory_page.count_more' : 'directory_page.count', items.length),
});

function serviceActions(s) {
  const edit = el('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'edit' } }, t('directory_page.edit'));
  edit.addEventListener('click', () => serviceDialog.open(s));
  const review = el('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'review' }, title: t('directory_page.review_hint') },
    t('directory_page.review'));
  review.addEventListener('click', async () => {
    review.disabled = true;
    try {
      serviceTable.replace(await api('POST', `services/${encodeURIComponent(s.id)}/review`));
      say(t('directory_page.reviewed_done', s.name));
    } catch (err) {
      say(err.message);
      review.disabled = false;
    }
  });
  const remove = el('button', { type: 'button', class: 'btn btn-small btn-danger-outline', dataset: { action: 'delete' } }, t('directory_page.delete'));
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({ title: t('directory_page.delete'), text: t('directory_page.delete_confirm', s.name),
      confirm: t('directory_page.delete'), danger: true });
    if (!sure) return;
    try {
      await api('DELETE', `services/${encodeURIComponent(s.id)}`);
      proposed(s.name);
    } catch (err) {
      say(err.message);
    }
  });
  return el('span', { class: 'row-actions' }, edit, review, remove);
}

/** proposed says a change waits for review and refreshes what shows it. */
function proposed(name) {
  say(t('directory_page.proposed', name));
  serviceTable.reload();
  loadChanges();
}

filter.addEventListener('submit', (e) => {
  e.preventDefault();
  serviceTable.reload();
});
filter.addEventListener('change', (e) => {
  if (e.target.type === 'checkbox' || e.target.tagName === 'SELECT') serviceTable.reload();
});

// ---- the entry form (ServiceInput)

const serviceForm = document.querySelector('#service-dialog form');

async function placeChecks(chosen) {
  const box = document.getElementById('s-places');
  box.replaceChildren(el('span', { class: 'muted' }, t('web.loading')));
  const list = await places();
  box.replaceChildren(...(list.length ? list.map((p) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'place_ids', value: p.id, checked: chosen.includes(p.id) }), ' ',
    el('span', {}, p.name), el('span', { class: 'muted' }, p.address ? ' · ' + p.address : '')))
    : [el('span', { class: 'muted' }, t('directory_page.no_places'))]));
}

const serviceDialog = formDialog(document.getElementById('service-dialog'), {
  async prepare(s, form) {
    document.getElementById('service-dialog-title').textContent = t(s ? 'directory_page.edit_service' : 'directory_page.new_service');
    const cats = await categories();
    const category = form.elements.category;
    category.replaceChildren(...cats.map((c) => el('option', { value: c.code, selected: s && s.category === c.code }, c.name)));
    await unitOptions(form.elements.unit_code, s ? s.unit_code : '');
    if (s) {
      form.elements.name.value = s.name || '';
      form.elements.aliases.value = (s.aliases || []).join('、');
      form.elements.description.value = s.description || '';
      form.elements.materials.value = (s.materials || []).join('\n');
      form.elements.fees.value = s.fees || '';
      form.elements.processing_time.value = s.processing_time || '';
      form.elements.legal_basis.value = s.legal_basis || '';
      form.elements.online.checked = Boolean(s.online);
      form.elements.online_url.value = s.online_url || '';
    }
    await placeChecks(s ? (s.places || []).map((p) => p.id) : []);
  },
  async submit(s, form) {
    const v = formValues(form);
    // The places in the entry's order (the first is shown when no distance decides), new ones after.
    const before = s ? (s.places || []).map((p) => p.id) : [];
    const checked = [...form.querySelectorAll('input[name="place_ids"]:checked')].map((c) => c.value);
    const body = {
      name: v.name || '', aliases: words(form.elements.aliases.value), category: v.category || '',
      description: form.elements.description.value.trim(), materials: words(form.elements.materials.value, true),
      fees: v.fees || '', processing_time: v.processing_time || '', legal_basis: v.legal_basis || '',
      online: form.elements.online.checked, online_url: v.online_url || '', unit_code: v.unit_code || '',
      place_ids: [...before.filter((id) => checked.includes(id)), ...checked.filter((id) => !before.includes(id))],
    };
    if (s) await api('PUT', `services/${encodeURIComponent(s.id)}`, { ...body, version: s.version });
    else await api('POST', 'services', body);
    proposed(body.name);
  },
});

document.getElementById('svc-new').addEventListener('click', () => serviceDialog.open(null));

// ---- 待审核: each change against the entry before it, field by field

const changeList = document.getElementById('changes-list');
const changeStatus = document.getElementById('ch-status');
const changeCount = document.getElementById('changes-count');

const fields = ['name', 'aliases', 'category', 'unit_code', 'description', 'materials', 'fees', 'processing_time',
  'legal_basis', 'online', 'online_url', 'place_ids'];

/** shown words one field of a ServiceInput for people. */
function shown(field, input, look) {
  if (!input) return '';
  const v = input[field];
  switch (field) {
    case 'aliases':
      return (v || []).join('、');
    case 'materials':
      return (v || []).join('\n');
    case 'online':
      return v ? t('directory_page.yes') : t('directory_page.no');
    case 'category':
      return look.categories.get(v) || v || '';
    case 'unit_code':
      return look.units.get(v) || v || '';
    case 'place_ids':
      return (v || []).map((p) => look.places.get(p) || p).join('、');
    default:
      return v === undefined || v === null ? '' : String(v);
  }
}

async function lookups() {
  const [cats, units, list] = await Promise.all([categories().catch(() => []), nodes().catch(() => []), places().catch(() => [])]);
  return { categories: new Map(cats.map((c) => [c.code, c.name])), units: new Map(units.map((u) => [u.code, u.name])),
    places: new Map(list.map((p) => [p.id, p.name])) };
}

function changeItem(c, look) {
  const after = c.op === 'delete' ? null : c.service;
  const before = c.before;
  const rows = [];
  for (const f of fields) {
    const was = shown(f, before, look);
    const now = shown(f, after, look);
    if (was === now) continue;
    rows.push(el('tr', { dataset: { field: f } }, el('th', { scope: 'row' }, t('directory_page.field.' + f)),
      el('td', { class: 'before', dataset: { label: t('directory_page.change.before') } }, was || '—'),
      el('td', { class: 'after', dataset: { label: t('directory_page.change.after') } }, now || '—')));
  }
  const name = (after && after.name) || (before && before.name) || '';
  const item = el('li', { class: 'dir-change', dataset: { id: c.id, op: c.op, status: c.status, service: c.service_id || '' } },
    el('h3', {}, el('span', { class: 'badge badge-' + (c.op === 'delete' ? 'danger' : c.op === 'create' ? 'ok' : 'role') }, t('directory_page.op.' + c.op)),
      el('span', { class: 'dir-change-name' }, name)),
    el('p', { class: 'dir-change-meta' }, t('directory_page.change.by', c.proposed_by_name || '—', when(c.proposed_at), c.unit_name || c.unit_code || '')),
    c.reviewed_at ? el('p', { class: 'dir-change-meta' }, t('directory_page.change.reviewed_by', c.reviewed_by_name || '—', when(c.reviewed_at)),
      c.note ? ' · ' + c.note : '') : null,
    rows.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'data-table stack-on-phone dir-diff' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('directory_page.change.field')),
        el('th', { scope: 'col' }, t('directory_page.change.before')), el('th', { scope: 'col' }, t('directory_page.change.after')))),
      el('tbody', {}, rows))) : el('p', { class: 'muted' }, t('directory_page.change.no_difference')));
  if (c.status === 'pending') item.append(reviewActions(c, name));
  return item;
}

function reviewActions(c, name) {
  const approve = el('button', { type: 'button', class: 'btn btn-primary', dataset: { action: 'approve' }, disabled: !c.can_review }, t('directory_page.change.approve'));
  const reject = el('button', { type: 'button', class: 'btn btn-danger-outline', dataset: { action: 'reject' }, disabled: !c.can_review }, t('directory_page.change.reject'));
  approve.addEventListener('click', () => reviewDialog.open({ change: c, name, verdict: 'approve' }));
  reject.addEventListener('click', () => reviewDialog.open({ change: c, name, verdict: 'reject' }));
  const box = el('div', { class: 'actions' }, approve, reject);
  if (!c.can_review) {
    const reason = el('p', { class: 'reason', id: 'reason-' + c.id }, t('directory_page.change.own'));
    approve.setAttribute('aria-describedby', reason.id);
    reject.setAttribute('aria-describedby', reason.id);
    box.append(reason);
  }
  return box;
}

const reviewDialog = formDialog(document.getElementById('review-dialog'), {
  prepare(ctx) {
    const label = t('directory_page.change.' + ctx.verdict);
    document.getElementById('review-dialog-title').textContent = `${label} · ${ctx.name}`;
    document.getElementById('review-submit').textContent = label;
  },
  async submit(ctx, form) {
    await api('POST', `services/changes/${encodeURIComponent(ctx.change.id)}/${ctx.verdict}`, { note: form.elements.note.value.trim() });
    say(t(ctx.verdict === 'approve' ? 'directory_page.change.approved_done' : 'directory_page.change.rejected_done', ctx.name));
    loadChanges();
    serviceTable.reload();
  },
});

let changesAsked = 0;
async function loadChanges() {
  const mine = ++changesAsked;
  changeList.setAttribute('aria-busy', 'true');
  try {
    const [res, look] = await Promise.all([api('GET', 'services/changes?' + new URLSearchParams({ status: changeStatus.value })), lookups()]);
    if (mine !== changesAsked) return;
    const list = res.changes || [];
    changeList.replaceChildren(...(list.length ? list.map((c) => changeItem(c, look))
      : [el('li', { class: 'svc-empty' }, t('directory_page.change.none'))]));
    if (changeStatus.value === 'pending') {
      changeCount.textContent = String(list.length);
      changeCount.hidden = !list.length;
    }
  } catch (err) {
    if (mine === changesAsked) changeList.replaceChildren(el('li', { class: 'alert alert-error' }, err.message));
  } finally {
    if (mine === changesAsked) changeList.setAttribute('aria-busy', 'false');
  }
}
changeStatus.addEventListener('change', () => loadChanges());
onImported(() => loadChanges());

// ---- start

async function start() {
  try {
    const cats = await categories();
    filter.elements.category.append(...cats.map((c) => el('option', { value: c.code }, c.name)));
  } catch (err) {
    say(err.message);
  }
}
start();
serviceTable.reload();
loaded.add('changes');
loadChanges(); // the count of waiting changes shows on its tab at once
showTab(tabs.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'services');
