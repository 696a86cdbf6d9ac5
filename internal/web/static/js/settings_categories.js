// 类别与时限: the catalogue, major → minor, with a search; choose a minor to edit its name and
// whether it is in use, and its time limits per urgency × stage in a grid. Below, who changed
// the catalogue and when.
import { el, t } from './api.js';
import { failed, historyList, saved } from './settings.js';

const urgencies = ['normal', 'urgent', 'emergency'];
const stages = ['confirm', 'register', 'dispatch', 'sign', 'handle', 'verify'];
const inputFields = ['class', 'code', 'major_code', 'major_name', 'major_name_en', 'name', 'name_en', 'standard_ref', 'old_code',
  'old_standard_ref', 'keywords', 'confirm_required', 'duplicate_radius_m', 'duplicate_window_hours', 'active'];

let api = null;
let root = null;
let majors = [];
let chosen = null; // the minor in the editor

function drawList() {
  const q = root.querySelector('#cat-q').value.trim().toLowerCase();
  const list = root.querySelector('#cat-list');
  list.replaceChildren();
  for (const m of majors) {
    const minors = m.minors.filter((c) => !q || c.code.startsWith(q) || c.name.toLowerCase().includes(q) ||
      (c.name_en || '').toLowerCase().includes(q) || m.name.toLowerCase().includes(q) || (c.keywords || []).some((k) => k.toLowerCase().includes(q)));
    if (!minors.length) continue;
    const items = minors.map((c) => {
      const b = el('button', { type: 'button', class: 'cat-minor' + (chosen && chosen.code === c.code && chosen.class === c.class ? ' cat-chosen' : ''),
        dataset: { code: c.code, class: c.class } }, el('code', {}, c.code), ' ', c.name,
      c.active ? null : el('span', { class: 'badge badge-muted' }, t('settings.cat.inactive')));
      b.addEventListener('click', () => choose(c));
      return el('li', {}, b);
    });
    list.append(el('li', { class: 'cat-major' }, el('strong', {}, `${m.code} ${m.name}`), ' ',
      el('span', { class: 'hint' }, t('settings.class.' + m.class)), el('ul', {}, items)));
  }
  if (!list.children.length) list.append(el('li', { class: 'hint' }, t('settings.cat.none')));
}

function limitCell(urgency, stage, limit) {
  const value = el('input', { type: 'number', min: 0, max: 10000, step: 1, value: limit ? limit.value : 0, class: 'cat-limit',
    name: `${urgency}.${stage}.value`, 'aria-label': `${t('settings.urgency.' + urgency)} ${t('settings.stage.' + stage)}` });
  const unit = el('select', { name: `${urgency}.${stage}.unit`, 'aria-label': t('settings.cat.unit') },
    ['hours', 'days'].map((u) => el('option', { value: u, selected: (limit ? limit.unit : 'hours') === u }, t('settings.unit.' + u))));
  return el('td', {}, value, unit);
}

function choose(c) {
  chosen = c;
  drawList();
  const form = root.querySelector('#cat-editor');
  form.hidden = false;
  form.elements.name.value = c.name;
  form.elements.name_en.value = c.name_en || '';
  form.elements.active.checked = c.active;
  form.elements.requires_photo.checked = Boolean(c.requires_photo);
  form.elements.sensitive.checked = Boolean(c.sensitive);
  root.querySelector('#cat-title').textContent = `${c.code} ${c.name}`;
  const grid = root.querySelector('#cat-limits');
  grid.replaceChildren(el('thead', {}, el('tr', {}, el('th', {}, t('settings.cat.urgency_stage')),
    stages.map((s) => el('th', {}, t('settings.stage.' + s))))),
  el('tbody', {}, urgencies.map((u) => el('tr', {}, el('th', {}, t('settings.urgency.' + u)),
    stages.map((s) => limitCell(u, s, ((c.limits || {})[u] || {})[s]))))));
}

async function save(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    const input = {};
    for (const f of inputFields) if (chosen[f] !== undefined) input[f] = chosen[f];
    input.name = form.elements.name.value.trim();
    input.name_en = form.elements.name_en.value.trim();
    input.active = form.elements.active.checked;
    input.requires_photo = form.elements.requires_photo.checked;
    input.sensitive = form.elements.sensitive.checked;
    await api('PUT', `categories/${chosen.class}/${chosen.code}`, input);
    const set = {};
    for (const u of urgencies) {
      set[u] = {};
      for (const s of stages) {
        set[u][s] = { value: Number(form.elements[`${u}.${s}.value`].value), unit: form.elements[`${u}.${s}.unit`].value };
      }
    }
    const minor = await api('PUT', `categories/${chosen.class}/${chosen.code}/limits`, set);
    Object.assign(chosen, minor);
    saved(t('settings.cat.saved', chosen.code, chosen.name));
    drawList();
    await loadHistory();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function loadHistory() {
  const { changes } = await api('GET', 'categories/history');
  root.querySelector('#cat-history').replaceWith(historyList('cat-history', changes,
    (c) => t('settings.cat.action.' + c.action.replace('category.', ''), c.object_id)));
}

export async function start(body, call) {
  api = call;
  root = body;
  const res = await api('GET', 'categories?include_inactive=true');
  majors = res.majors;
  body.append(
    el('p', { class: 'hint' }, t('settings.cat.intro')),
    el('div', { class: 'settings-layout' },
      el('div', {},
        el('div', { class: 'field' }, el('label', { for: 'cat-q' }, t('settings.cat.search')),
          el('input', { id: 'cat-q', type: 'search', placeholder: t('settings.cat.search_hint') })),
        el('ul', { id: 'cat-list', class: 'cat-list' })),
      el('aside', { class: 'settings-side settings-side-wide' },
        el('form', { id: 'cat-editor', class: 'settings-panel', hidden: true, novalidate: true },
          el('h2', { id: 'cat-title' }),
          el('div', { class: 'field' }, el('label', { for: 'cat-name' }, t('settings.cat.name')), el('input', { id: 'cat-name', name: 'name', maxlength: 100 })),
          el('div', { class: 'field' }, el('label', { for: 'cat-name-en' }, t('settings.cat.name_en')), el('input', { id: 'cat-name-en', name: 'name_en', maxlength: 200 })),
          el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'active' }), ' ', t('settings.cat.active')),
          el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'requires_photo', id: 'cat-requires-photo' }), ' ', t('settings.cat.requires_photo')),
          el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'sensitive', id: 'cat-sensitive' }), ' ', t('settings.cat.sensitive')),
          el('h3', {}, t('settings.cat.limits')),
          el('p', { class: 'hint' }, t('settings.cat.limits_hint')),
          el('div', { class: 'table-wrap' }, el('table', { class: 'data-table cat-limits', id: 'cat-limits' })),
          el('button', { type: 'submit', class: 'btn btn-primary' }, t('settings.save'))),
        el('div', { class: 'settings-panel' }, el('h2', {}, t('settings.history')), el('ol', { id: 'cat-history' })))));
  body.querySelector('#cat-q').addEventListener('input', drawList);
  body.querySelector('#cat-editor').addEventListener('submit', save);
  drawList();
  await loadHistory();
  body.dataset.ready = 'true';
}
