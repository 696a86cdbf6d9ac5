// 网关设置: where text messages and WeChat template messages leave the platform. Each channel
// shows what is in force (set here, or by the server's start-up options, or nothing) with its
// address masked, a form to set a new address (and WeChat's template IDs) effective from a chosen
// time, a test send that says what the gateway answered, and the channel's versions.
import { el, t, when } from './api.js';
import { beijingInstant, failed, saved, versionBadge } from './settings.js';

let api = null;
let root = null;

/** parseTemplates reads "key = ID" lines into {key: ID}; null when a line is malformed. */
export function parseTemplates(text) {
  const out = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([\w.]+)\s*=\s*([\w-]+)$/.exec(line);
    if (!m) return null;
    out[m[1]] = m[2];
  }
  return out;
}

function panel(g) {
  const id = g.channel;
  const form = el('form', { class: 'settings-panel', id: `gw-${id}`, novalidate: true },
    el('h2', {}, t('settings.gw.channel.' + id)),
    el('p', {}, el('span', { class: 'badge ' + (g.source === 'none' ? 'badge-warn' : 'badge-ok'), id: `gw-${id}-source` },
      t('settings.gw.source.' + g.source)), ' ', el('code', { id: `gw-${id}-url` }, g.url || t('settings.gw.no_url'))),
    el('p', { class: 'hint' }, t('settings.gw.hint.' + id)),
    el('div', { class: 'field' }, el('label', { for: `gw-${id}-new-url` }, t('settings.gw.url')),
      el('input', { id: `gw-${id}-new-url`, name: 'url', type: 'url', maxlength: 1000, placeholder: 'https://', autocomplete: 'off' }),
      el('p', { class: 'hint' }, t('settings.gw.url_hint'))),
    id === 'wechat' ? [
      el('div', { class: 'field' }, el('label', { for: 'gw-wechat-default' }, t('settings.gw.default_template')),
        el('input', { id: 'gw-wechat-default', name: 'default_template', maxlength: 64, value: g.default_template || '' })),
      el('div', { class: 'field' }, el('label', { for: 'gw-wechat-templates' }, t('settings.gw.templates')),
        el('textarea', { id: 'gw-wechat-templates', name: 'templates', rows: 4 },
          Object.entries(g.templates || {}).map(([k, v]) => `${k} = ${v}`).join('\n')),
        el('p', { class: 'hint' }, t('settings.gw.templates_hint'))),
    ] : null,
    el('div', { class: 'field' }, el('label', { for: `gw-${id}-from` }, t('settings.effective_from')),
      el('input', { id: `gw-${id}-from`, name: 'from', type: 'datetime-local' })),
    el('button', { type: 'submit', class: 'btn btn-primary' }, t('settings.save')),
    el('h3', {}, t('settings.gw.test')),
    el('div', { class: 'field' }, el('label', { for: `gw-${id}-to` }, t('settings.gw.to.' + id)),
      el('input', { id: `gw-${id}-to`, name: 'to', maxlength: 64 })),
    el('button', { type: 'button', class: 'btn', id: `gw-${id}-send` }, t('settings.gw.send')),
    el('p', { id: `gw-${id}-result`, role: 'status' }),
    el('h3', {}, t('settings.gw.versions')),
    el('ol', { class: 'settings-history', id: `gw-${id}-versions` },
      g.versions.length ? [...g.versions].reverse().map((v) => el('li', { dataset: { state: v.state } }, versionBadge(v.state), ' ',
        t('settings.tpl.version', when(v.effective_from), v.created_by || t('settings.history.system'), when(v.created_at)), ' ',
        el('code', {}, v.url || t('settings.gw.back_to_options'))))
        : el('li', { class: 'hint' }, t('settings.tpl.no_versions'))));
  form.addEventListener('submit', (e) => save(e, id));
  form.querySelector(`#gw-${id}-send`).addEventListener('click', (e) => test(e.currentTarget, id));
  return form;
}

async function save(e, id) {
  e.preventDefault();
  const form = e.currentTarget;
  const body = { url: form.elements.url.value.trim() };
  if (id === 'wechat') {
    body.default_template = form.elements.default_template.value.trim();
    const templates = parseTemplates(form.elements.templates.value);
    if (!templates) {
      failed(new Error(t('settings.gw.bad_templates')));
      return;
    }
    body.templates = templates;
  }
  const from = beijingInstant(form.elements.from.value);
  if (from) body.effective_from = from;
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    await api('PUT', `notify/gateways/${id}`, body);
    saved(from ? t('settings.gw.saved_from', t('settings.gw.channel.' + id), when(from)) : t('settings.gw.saved_now', t('settings.gw.channel.' + id)));
    await draw();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function test(button, id) {
  const to = root.querySelector(`#gw-${id}-to`).value.trim();
  const out = root.querySelector(`#gw-${id}-result`);
  button.disabled = true;
  try {
    const res = await api('POST', `notify/gateways/${id}/test`, { to });
    out.textContent = res.sent ? t('settings.gw.sent.' + res.source) : t('settings.gw.not_sent', res.error || '');
    out.dataset.sent = String(res.sent);
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function draw() {
  const { gateways } = await api('GET', 'notify/gateways');
  root.querySelector('#gw-panels').replaceChildren(...gateways.map(panel));
}

export async function start(body, call) {
  api = call;
  root = body;
  body.append(el('p', { class: 'hint' }, t('settings.gw.intro')), el('div', { class: 'settings-columns', id: 'gw-panels' }));
  await draw();
  body.dataset.ready = 'true';
}
