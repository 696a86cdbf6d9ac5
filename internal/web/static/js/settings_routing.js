// 派遣规则: the ordered rule list — the first active rule that matches a case names its
// department. Reorder (up/down), add, edit, switch off, then save the list as a whole. The
// tester (试一试): a point on the map (or an org code), a category, an urgency and a time; it
// shows the winning rule and, for each rule tried before it, the condition it did not meet.
import { el, t, when } from './api.js';
import { mapPicker } from './ui/map.js';
import { beijingInstant, failed, historyList, saved } from './settings.js';

let api = null;
let root = null;
let rules = [];
let categories = []; // [{class, code, name, major}]
let editing = -1; // the rule in the editor; rules.length for a new one

const fields = ['name', 'category_class', 'category_code', 'org_code', 'urgency', 'time_window', 'department_code', 'assisting'];

function categoryName(code) {
  if (!code) return t('settings.rt.any');
  const c = categories.find((x) => x.code === code) || categories.find((x) => x.major === code);
  if (!c) return code;
  return c.code === code ? `${code} ${c.name}` : `${code} ${c.majorName}`;
}

function describe(r) {
  const parts = [categoryName(r.category_code)];
  if (r.org_code) parts.push(t('settings.rt.in_org', r.org_code));
  if (r.urgency) parts.push(t('settings.urgency.' + r.urgency));
  if (r.time_window && r.time_window !== 'any') parts.push(t('settings.rt.window.' + r.time_window));
  return parts.join(' · ');
}

function drawRules() {
  const table = root.querySelector('#rt-rules');
  table.replaceChildren(el('thead', {}, el('tr', {},
    ['settings.rt.col.order', 'settings.rt.col.name', 'settings.rt.col.when', 'settings.rt.col.department', 'settings.rt.col.active', ''].map((k) => el('th', {}, k ? t(k) : '')))));
  const tbody = el('tbody');
  rules.forEach((r, i) => {
    const up = el('button', { type: 'button', class: 'btn btn-small', disabled: i === 0, 'aria-label': t('settings.rt.up') }, '↑');
    const down = el('button', { type: 'button', class: 'btn btn-small', disabled: i === rules.length - 1, 'aria-label': t('settings.rt.down') }, '↓');
    const edit = el('button', { type: 'button', class: 'btn btn-small' }, t('settings.edit'));
    const active = el('input', { type: 'checkbox', checked: r.active, 'aria-label': t('settings.rt.col.active') });
    up.addEventListener('click', () => move(i, -1));
    down.addEventListener('click', () => move(i, 1));
    edit.addEventListener('click', () => openEditor(i));
    active.addEventListener('change', () => { r.active = active.checked; dirty(); });
    tbody.append(el('tr', { dataset: { id: r.id || '' }, class: r.active ? '' : 'row-muted' },
      el('td', {}, String(i + 1)), el('td', {}, r.name), el('td', {}, describe(r)),
      el('td', {}, r.department_code, r.assisting && r.assisting.length ? el('small', { class: 'hint' }, ' + ' + r.assisting.join(', ')) : null),
      el('td', {}, active), el('td', { class: 'settings-actions' }, up, down, edit)));
  });
  table.append(tbody);
}

function dirty() {
  root.querySelector('#rt-dirty').hidden = false;
  drawRules();
}

function move(i, by) {
  const [r] = rules.splice(i, 1);
  rules.splice(i + by, 0, r);
  dirty();
}

function openEditor(i) {
  editing = i;
  const r = rules[i] || { active: true, time_window: 'any', assisting: [] };
  const form = root.querySelector('#rt-editor');
  form.hidden = false;
  for (const f of fields) {
    const input = form.elements[f];
    input.value = f === 'assisting' ? (r.assisting || []).join(', ') : (r[f] || '');
  }
  form.elements.name.focus();
}

function applyEditor(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const r = editing < rules.length ? rules[editing] : { active: true };
  for (const f of fields) {
    const v = form.elements[f].value.trim();
    r[f] = f === 'assisting' ? v.split(/[,，\s]+/).filter(Boolean) : v;
  }
  if (editing >= rules.length) rules.push(r);
  form.hidden = true;
  dirty();
}

async function save(button) {
  button.disabled = true;
  try {
    // The list's order is the order rules are tried in: priorities 10, 20, 30 …
    const body = { rules: rules.map((r, i) => ({ ...r, priority: (i + 1) * 10 })) };
    const res = await api('PUT', 'routing/rules', body);
    rules = res.rules;
    root.querySelector('#rt-dirty').hidden = true;
    drawRules();
    saved(t('settings.rt.saved', rules.length));
    await loadHistory();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function tryIt(e, picker) {
  e.preventDefault();
  const form = e.currentTarget;
  const out = root.querySelector('#rt-result');
  const input = { category_code: form.elements.try_category.value, urgency: form.elements.try_urgency.value };
  if (picker.place) {
    input.lat = picker.place.lat;
    input.lng = picker.place.lng;
  } else if (form.elements.try_org.value.trim()) {
    input.org_code = form.elements.try_org.value.trim();
  }
  const at = beijingInstant(form.elements.try_at.value);
  if (at) input.at = at;
  try {
    const res = await api('POST', 'routing/test', input);
    const head = res.matched
      ? el('p', { class: 'rt-winner', id: 'rt-winner' }, t('settings.rt.winner', res.decision.rule_name, res.decision.lead,
        res.decision.assisting.length ? res.decision.assisting.join(', ') : t('settings.rt.none')))
      : el('p', { class: 'rt-winner rt-nomatch', id: 'rt-winner' }, t('settings.rt.no_winner'));
    const facts = el('p', { class: 'hint' }, t('settings.rt.facts', categoryName(res.input.category_code), res.input.org_path || '—',
      t('settings.urgency.' + res.input.urgency), when(res.input.at), t(res.input.working ? 'settings.rt.working' : 'settings.rt.off_hours')));
    const steps = el('ol', { class: 'rt-steps', id: 'rt-steps' }, res.tried.map((tr) => el('li', { dataset: { outcome: tr.outcome, id: tr.rule_id } },
      el('strong', {}, tr.rule_name), ' — ',
      tr.outcome === 'no_match' ? t('settings.rt.failed.' + tr.failed) : t('settings.rt.outcome.' + tr.outcome))));
    out.replaceChildren(head, facts, el('h3', {}, t('settings.rt.why')), steps);
  } catch (err) {
    out.replaceChildren(el('p', { class: 'alert alert-error' }, err.message));
  }
}

async function loadHistory() {
  const { changes } = await api('GET', 'routing/history');
  root.querySelector('#rt-history').replaceWith(historyList('rt-history', changes, (c) => t('settings.rt.history_item', c.object_id)));
}

async function loadCategories() {
  const res = await api('GET', 'categories');
  categories = [];
  for (const m of res.majors) {
    for (const c of m.minors) categories.push({ class: c.class, code: c.code, name: c.name, major: m.code, majorName: m.name });
  }
}

function categorySelect(name, allowAny) {
  const select = el('select', { name, id: 'rt-' + name });
  if (allowAny) select.append(el('option', { value: '' }, t('settings.rt.any')));
  const groups = new Map();
  for (const c of categories) {
    if (!groups.has(c.major)) {
      const group = el('optgroup', { label: `${c.major} ${c.majorName}` });
      if (allowAny) group.append(el('option', { value: c.major }, t('settings.rt.whole_major', c.majorName)));
      groups.set(c.major, group);
    }
    groups.get(c.major).append(el('option', { value: c.code }, `${c.code} ${c.name}`));
  }
  select.append(...groups.values());
  return select;
}

const urgencyOptions = (any) => [any ? el('option', { value: '' }, t('settings.rt.any')) : null,
  ...['normal', 'urgent', 'emergency'].map((u) => el('option', { value: u }, t('settings.urgency.' + u)))];

export async function start(body, call) {
  api = call;
  root = body;
  const [list] = await Promise.all([api('GET', 'routing/rules'), loadCategories()]);
  rules = list.rules;
  const label = (id, key) => el('label', { for: id }, t(key));
  const editor = el('form', { id: 'rt-editor', class: 'settings-panel', hidden: true, novalidate: true },
    el('h2', {}, t('settings.rt.edit_rule')),
    el('div', { class: 'field' }, label('rt-name', 'settings.rt.col.name'), el('input', { name: 'name', id: 'rt-name', maxlength: 100, required: true })),
    el('div', { class: 'field' }, label('rt-category_class', 'settings.rt.class'), el('select', { name: 'category_class', id: 'rt-category_class' },
      ['', 'event', 'component'].map((c) => el('option', { value: c }, t(c ? 'settings.class.' + c : 'settings.rt.any'))))),
    el('div', { class: 'field' }, label('rt-category_code', 'settings.rt.category'), categorySelect('category_code', true)),
    el('div', { class: 'field' }, label('rt-org_code', 'settings.rt.org'), el('input', { name: 'org_code', id: 'rt-org_code', placeholder: t('settings.rt.org_hint') })),
    el('div', { class: 'field' }, label('rt-urgency', 'settings.rt.urgency'), el('select', { name: 'urgency', id: 'rt-urgency' }, urgencyOptions(true))),
    el('div', { class: 'field' }, label('rt-time_window', 'settings.rt.window'), el('select', { name: 'time_window', id: 'rt-time_window' },
      ['any', 'working', 'off_hours'].map((w) => el('option', { value: w }, t('settings.rt.window.' + w))))),
    el('div', { class: 'field' }, label('rt-department_code', 'settings.rt.col.department'), el('input', { name: 'department_code', id: 'rt-department_code', required: true })),
    el('div', { class: 'field' }, label('rt-assisting', 'settings.rt.assisting'), el('input', { name: 'assisting', id: 'rt-assisting', placeholder: t('settings.rt.assisting_hint') })),
    el('div', { class: 'field-button' }, el('button', { type: 'submit', class: 'btn' }, t('settings.rt.apply')),
      el('button', { type: 'button', class: 'btn btn-link', id: 'rt-cancel' }, t('settings.cancel'))));
  const tester = el('form', { id: 'rt-try', class: 'settings-panel', novalidate: true },
    el('h2', {}, t('settings.rt.try')),
    el('p', { class: 'hint' }, t('settings.rt.try_hint')),
    el('div', { id: 'rt-map', class: 'map map-pick', role: 'application', 'aria-label': t('settings.rt.map') }),
    el('p', { id: 'rt-where', class: 'where' }, t('settings.rt.pick')),
    el('input', { type: 'hidden', id: 'rt-lat' }), el('input', { type: 'hidden', id: 'rt-lng' }),
    el('div', { class: 'field' }, label('rt-try_org', 'settings.rt.or_org'), el('input', { name: 'try_org', id: 'rt-try_org', placeholder: t('settings.rt.org_hint') })),
    el('div', { class: 'field' }, label('rt-try_category', 'settings.rt.category'), categorySelect('try_category', false)),
    el('div', { class: 'field' }, label('rt-try_urgency', 'settings.rt.urgency'), el('select', { name: 'try_urgency', id: 'rt-try_urgency' }, urgencyOptions(false))),
    el('div', { class: 'field' }, label('rt-try_at', 'settings.rt.at'), el('input', { name: 'try_at', id: 'rt-try_at', type: 'datetime-local' }),
      el('p', { class: 'hint' }, t('settings.rt.at_hint'))),
    el('button', { type: 'submit', class: 'btn btn-primary', id: 'rt-try-run' }, t('settings.rt.run')),
    el('div', { id: 'rt-result', class: 'rt-result', 'aria-live': 'polite' }));
  body.append(
    el('p', { class: 'hint' }, t('settings.rt.intro')),
    el('div', { class: 'settings-layout' },
      el('div', {},
        el('div', { class: 'settings-bar' },
          el('button', { type: 'button', class: 'btn', id: 'rt-add' }, t('settings.rt.add')),
          el('button', { type: 'button', class: 'btn btn-primary', id: 'rt-save' }, t('settings.save')),
          el('span', { id: 'rt-dirty', class: 'badge badge-warn', hidden: true }, t('settings.unsaved'))),
        el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'rt-rules' })),
        editor,
        el('div', { class: 'settings-panel' }, el('h2', {}, t('settings.history')), el('ol', { id: 'rt-history' }))),
      el('aside', { class: 'settings-side' }, tester)));
  drawRules();
  editor.addEventListener('submit', applyEditor);
  body.querySelector('#rt-cancel').addEventListener('click', () => { editor.hidden = true; });
  body.querySelector('#rt-add').addEventListener('click', () => openEditor(rules.length));
  body.querySelector('#rt-save').addEventListener('click', (e) => save(e.currentTarget));
  const picker = mapPicker({ map: 'rt-map', where: 'rt-where', lat: 'rt-lat', lng: 'rt-lng' }, {});
  tester.addEventListener('submit', (e) => tryIt(e, picker));
  await loadHistory();
  body.dataset.ready = 'true';
}
