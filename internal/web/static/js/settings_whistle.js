// 吹哨规则: how long each kind of whistle gives the summoned units to check in on site, counted by
// the clock or on the work calendar, and how far from the place a check-in is flagged. A save is a
// version effective from a chosen time (Beijing time; empty: now); a whistle keeps the deadlines
// and the distance of the rules in force when it was blown (GET/PUT /api/v1/whistles/rules).
import { el, t, when } from './api.js';
import { beijingInstant, failed, saved, versionBadge } from './settings.js';
import { kinds, rulesSummary as summary } from './whistlekit.js';

const units = ['minutes', 'working_minutes', 'working_days'];

let api = null;
let root = null;
let view = null;

function fill(form, r) {
  for (const k of kinds) {
    form.elements['value-' + k].value = r.limits[k].value;
    form.elements['unit-' + k].value = r.limits[k].unit;
  }
  form.elements.distance.value = r.flag_distance_m;
}

function draw() {
  root.querySelector('#wh-now').textContent = summary(view.rules);
  root.querySelector('#wh-since').textContent = view.since ? t('settings.wh.since', when(view.since)) : t('settings.wh.since_shipped');
  const list = root.querySelector('#wh-versions');
  list.replaceChildren();
  if (!view.versions.length) list.append(el('li', { class: 'hint' }, t('settings.tpl.no_versions')));
  for (const v of [...view.versions].reverse()) {
    list.append(el('li', { dataset: { state: v.state } }, versionBadge(v.state), ' ',
      t('settings.tpl.version', when(v.effective_from), v.created_by || t('settings.history.system'), when(v.created_at)), ' ',
      el('q', {}, summary(v.data))));
  }
  const form = root.querySelector('#wh-form');
  fill(form, view.rules);
  for (const node of form.elements) node.disabled = !view.can_edit;
  root.querySelector('#wh-readonly').hidden = view.can_edit;
}

async function store(form) {
  const body = { limits: {}, flag_distance_m: Number(form.elements.distance.value) };
  for (const k of kinds) body.limits[k] = { value: Number(form.elements['value-' + k].value), unit: form.elements['unit-' + k].value };
  const from = beijingInstant(form.elements.from.value);
  if (from) body.effective_from = from;
  const button = root.querySelector('#wh-save');
  button.disabled = true;
  try {
    view = await api('PUT', 'whistles/rules', body);
    form.elements.from.value = '';
    saved(from ? t('settings.wh.saved_from', when(from)) : t('settings.wh.saved_now'));
    draw();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = !view.can_edit;
  }
}

export async function start(body, call) {
  api = call;
  root = body;
  view = await api('GET', 'whistles/rules');
  const form = el('form', { id: 'wh-form', class: 'settings-panel', novalidate: true },
    ...kinds.map((k) => el('fieldset', { class: 'field wh-limit', dataset: { field: 'limits.' + k } },
      el('legend', {}, t('whistle_page.kind.' + k)),
      el('div', { class: 'wh-limit-row' },
        el('input', { type: 'number', id: 'wh-value-' + k, name: 'value-' + k, min: '1', max: '10080', inputmode: 'numeric', required: true,
          'aria-label': t('whistle_page.kind.' + k) + ' ' + t('settings.wh.value') }),
        el('select', { id: 'wh-unit-' + k, name: 'unit-' + k, 'aria-label': t('whistle_page.kind.' + k) + ' ' + t('settings.wh.unit') },
          units.map((u) => el('option', { value: u }, t('settings.wh.unit.' + u))))))),
    el('div', { class: 'field', dataset: { field: 'flag_distance_m' } },
      el('label', { for: 'wh-distance' }, t('settings.wh.distance')),
      el('input', { type: 'number', id: 'wh-distance', name: 'distance', min: '50', max: '5000', inputmode: 'numeric', required: true }),
      el('p', { class: 'hint' }, t('settings.wh.distance_hint'))),
    el('div', { class: 'field' }, el('label', { for: 'wh-from' }, t('settings.effective_from')),
      el('input', { id: 'wh-from', name: 'from', type: 'datetime-local' }), el('p', { class: 'hint' }, t('settings.wh.effective_hint'))),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'btn btn-primary', id: 'wh-save' }, t('settings.save')),
      el('button', { type: 'button', class: 'btn', id: 'wh-shipped' }, t('settings.wh.shipped'))));
  body.append(
    el('p', { class: 'hint' }, t('settings.wh.intro')),
    el('div', { class: 'settings-layout' },
      el('div', {},
        el('p', {}, el('strong', {}, t('settings.wh.now')), ' ', el('span', { id: 'wh-now' })),
        el('p', { class: 'hint', id: 'wh-since' }),
        el('p', { class: 'alert', id: 'wh-readonly', hidden: true }, t('settings.wh.readonly')),
        form),
      el('aside', { class: 'settings-side' },
        el('h3', {}, t('settings.wh.versions')),
        el('ol', { id: 'wh-versions', class: 'settings-history' }))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    store(form);
  });
  // The shipped rules back in the form, to save as they are or adjust first.
  body.querySelector('#wh-shipped').addEventListener('click', () => fill(form, view.shipped));
  draw();
  body.dataset.ready = 'true';
}
