// 通知模板: every message the platform sends — in-app notifications (also sent by WeChat) and
// text messages — as the district words it. Choose a template, a language, write the text with
// the same parameters in the same order ({1}, {2} … stand for them in the preview), choose when
// it takes effect, save; each save is a version. An empty text puts the standard wording back.
import { el, t, when } from './api.js';
import { beijingInstant, failed, saved, versionBadge } from './settings.js';

let api = null;
let root = null;
let templates = [];
let chosen = null; // the template in the editor

const verbRE = /%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]/g;

/** preview words text with {1}, {2} … for its parameters, as a message would read. */
export function preview(text) {
  let n = 0;
  return text.replace(verbRE, (v) => (v === '%%' ? '%' : `{${++n}}`));
}

function drawList() {
  const q = root.querySelector('#tpl-q').value.trim().toLowerCase();
  const channel = root.querySelector('#tpl-channel').value;
  const onlyCustom = root.querySelector('#tpl-custom').checked;
  const rows = templates.filter((tp) => (!channel || tp.channel === channel) &&
    (!onlyCustom || Object.values(tp.texts).some((x) => x.custom || x.versions.some((v) => v.state === 'pending'))) &&
    (!q || tp.key.toLowerCase().includes(q) || Object.values(tp.texts).some((x) => x.current.toLowerCase().includes(q))));
  const body = root.querySelector('#tpl-list tbody');
  body.replaceChildren(...rows.map((tp) => {
    const zh = tp.texts['zh-CN'];
    const pending = Object.values(tp.texts).some((x) => x.versions.some((v) => v.state === 'pending'));
    const b = el('button', { type: 'button', class: 'link-button', dataset: { key: tp.key } }, tp.key);
    b.addEventListener('click', () => choose(tp));
    return el('tr', { class: chosen && chosen.key === tp.key ? 'row-chosen' : '' },
      el('td', {}, b),
      el('td', {}, t('settings.tpl.channel.' + tp.channel)),
      el('td', {}, preview(zh.current)),
      el('td', {}, Object.values(tp.texts).some((x) => x.custom) ? el('span', { class: 'badge badge-ok' }, t('settings.tpl.custom')) : null,
        pending ? el('span', { class: 'badge badge-warn' }, t('settings.cal.state.pending')) : null));
  }));
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: 4, class: 'hint' }, t('settings.tpl.none'))));
}

function drawEditor() {
  const form = root.querySelector('#tpl-editor');
  const lang = form.elements.lang.value;
  const text = chosen.texts[lang];
  root.querySelector('#tpl-title').textContent = chosen.key;
  root.querySelector('#tpl-default').textContent = preview(text.default);
  root.querySelector('#tpl-params').textContent = chosen.params
    ? t('settings.tpl.params', chosen.params, (text.default.match(verbRE) || []).filter((v) => v !== '%%').join(' '))
    : t('settings.tpl.no_params');
  form.elements.text.value = text.current;
  drawPreview();
  const list = root.querySelector('#tpl-versions');
  list.replaceChildren();
  if (!text.versions.length) list.append(el('li', { class: 'hint' }, t('settings.tpl.no_versions')));
  for (const v of [...text.versions].reverse()) {
    list.append(el('li', { dataset: { state: v.state } }, versionBadge(v.state), ' ',
      t('settings.tpl.version', when(v.effective_from), v.created_by || t('settings.history.system'), when(v.created_at)), ' ',
      el('q', {}, v.data.text ? preview(v.data.text) : t('settings.tpl.back_to_default'))));
  }
}

function drawPreview() {
  const form = root.querySelector('#tpl-editor');
  root.querySelector('#tpl-preview').textContent = preview(form.elements.text.value.trim() || chosen.texts[form.elements.lang.value].default);
}

function choose(tp) {
  chosen = tp;
  root.querySelector('#tpl-editor').hidden = false;
  drawList();
  drawEditor();
}

async function store(text, button) {
  const form = root.querySelector('#tpl-editor');
  const body = { lang: form.elements.lang.value, text };
  const from = beijingInstant(form.elements.from.value);
  if (from) body.effective_from = from;
  button.disabled = true;
  try {
    const tp = await api('PUT', `notify/templates/${encodeURIComponent(chosen.key)}`, body);
    templates[templates.findIndex((x) => x.key === tp.key)] = tp;
    chosen = tp;
    saved(from ? t('settings.tpl.saved_from', chosen.key, when(from)) : t('settings.tpl.saved_now', chosen.key));
    drawList();
    drawEditor();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

export async function start(body, call) {
  api = call;
  root = body;
  ({ templates } = await api('GET', 'notify/templates'));
  body.append(
    el('p', { class: 'hint' }, t('settings.tpl.intro')),
    el('div', { class: 'settings-layout' },
      el('div', {},
        el('div', { class: 'filters' },
          el('div', { class: 'field' }, el('label', { for: 'tpl-q' }, t('settings.tpl.search')),
            el('input', { id: 'tpl-q', type: 'search', placeholder: t('settings.tpl.search_hint') })),
          el('div', { class: 'field' }, el('label', { for: 'tpl-channel' }, t('settings.tpl.channel')),
            el('select', { id: 'tpl-channel' }, el('option', { value: '' }, t('settings.tpl.channel.all')),
              ['notify', 'sms'].map((c) => el('option', { value: c }, t('settings.tpl.channel.' + c))))),
          el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'tpl-custom' }), ' ', t('settings.tpl.only_custom'))),
        el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'tpl-list' },
          el('thead', {}, el('tr', {}, ['key', 'channel', 'text', 'state'].map((c) => el('th', {}, t('settings.tpl.col.' + c))))),
          el('tbody')))),
      el('aside', { class: 'settings-side settings-side-wide' },
        el('form', { id: 'tpl-editor', class: 'settings-panel', hidden: true, novalidate: true },
          el('h2', { id: 'tpl-title' }),
          el('div', { class: 'field' }, el('label', { for: 'tpl-lang' }, t('settings.tpl.lang')),
            el('select', { id: 'tpl-lang', name: 'lang' }, ['zh-CN', 'en'].map((l) => el('option', { value: l }, t('settings.tpl.lang.' + l))))),
          el('p', {}, el('strong', {}, t('settings.tpl.default')), ' ', el('span', { id: 'tpl-default' })),
          el('p', { class: 'hint', id: 'tpl-params' }),
          el('div', { class: 'field' }, el('label', { for: 'tpl-text' }, t('settings.tpl.text')),
            el('textarea', { id: 'tpl-text', name: 'text', rows: 4, maxlength: 300 })),
          el('p', {}, el('strong', {}, t('settings.tpl.preview')), ' ', el('span', { id: 'tpl-preview' })),
          el('div', { class: 'field' }, el('label', { for: 'tpl-from' }, t('settings.effective_from')),
            el('input', { id: 'tpl-from', name: 'from', type: 'datetime-local' }), el('p', { class: 'hint' }, t('settings.tpl.effective_hint'))),
          el('div', { class: 'actions' },
            el('button', { type: 'submit', class: 'btn btn-primary', id: 'tpl-save' }, t('settings.save')),
            el('button', { type: 'button', class: 'btn', id: 'tpl-reset' }, t('settings.tpl.reset'))),
          el('h3', {}, t('settings.tpl.versions')),
          el('ol', { id: 'tpl-versions', class: 'settings-history' })))));
  for (const id of ['#tpl-q', '#tpl-channel', '#tpl-custom']) body.querySelector(id).addEventListener('input', drawList);
  const form = body.querySelector('#tpl-editor');
  form.elements.lang.addEventListener('change', drawEditor);
  form.elements.text.addEventListener('input', drawPreview);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    store(form.elements.text.value.trim(), body.querySelector('#tpl-save'));
  });
  body.querySelector('#tpl-reset').addEventListener('click', (e) => store('', e.currentTarget));
  drawList();
  body.dataset.ready = 'true';
}
