// Shared helpers of the page scripts: translated texts (rendered by the server into the
// <script type="application/json" id="i18n"> block), the page's config, JSON calls to /api/v1
// and small DOM builders that never parse strings as HTML.

const texts = readJSON('i18n');

/** The page language, as the server chose it. */
export const lang = document.documentElement.lang || 'zh-CN';

function readJSON(id) {
  const node = document.getElementById(id);
  if (!node) return {};
  try {
    return JSON.parse(node.textContent);
  } catch {
    return {};
  }
}

/** t translates key; %s and %d in the text take args in order (as the Go catalogue). */
export function t(key, ...args) {
  let text = Object.hasOwn(texts, key) ? texts[key] : key;
  for (const arg of args) text = text.replace(/%[sdv]/, String(arg));
  return text;
}

/** has reports whether the catalogue knows key. */
export function has(key) {
  return Object.hasOwn(texts, key);
}

/** config is what the server said about the page (what the caller may do there). */
export function config() {
  return readJSON('page-config');
}

/** APIError is an error answer of the API: {error, key, message, details}. */
export class APIError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : t('web.error.http', status));
    this.status = status;
    this.key = body && body.key;
    this.details = (body && body.details) || [];
  }
}

/**
 * api calls /api/v1/<path> and returns the decoded JSON answer (null for 204). The body is sent
 * as JSON unless it is FormData (sent as multipart) or options.raw is set (then as is, with
 * options.contentType). Error answers throw an APIError whose message the API has already
 * translated.
 */
export async function api(method, path, body, options = {}) {
  const url = new URL('/api/v1/' + path, location.origin);
  url.searchParams.set('lang', lang);
  // options.headers adds request headers (the offline queue's Idempotency-Key).
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...(options.headers || {}) } };
  if (body !== undefined) {
    if (body instanceof FormData) {
      init.body = body; // multipart: the browser sets the type with its boundary
    } else if (options.raw) {
      init.body = body;
      init.headers['Content-Type'] = options.contentType || 'application/octet-stream';
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new APIError(0, { message: t('web.error.network') });
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    // The session ended while the page was open: sign in again and come back.
    if (res.status === 401 && !path.startsWith('auth/')) {
      location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
    }
    throw new APIError(res.status, data);
  }
  return data;
}

/** el builds an element: el('td', {class: 'x', dataset: {id: 1}}, 'text', childNode). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * show puts a message into an alert box: kind is 'error', 'ok', 'warn' or 'info'. Details are
 * the API's per-item problems ({field, line, message}); their messages name the item already,
 * so only a field the message does not mention is added.
 */
export function show(box, message, kind = 'error', details = []) {
  if (!box) return;
  box.replaceChildren(el('span', {}, message));
  if (details.length) {
    box.append(el('ul', { class: 'details' }, details.map((d) => el('li', {},
      d.field && !d.message.includes(d.field) ? el('code', { class: 'detail-where' }, d.field) : null,
      d.message))));
  }
  box.className = 'alert alert-' + kind;
  box.hidden = false;
}

/** hide hides an alert box. */
export function hide(box) {
  if (box) box.hidden = true;
}

const dateTime = new Intl.DateTimeFormat(lang, {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/** when formats an ISO time in Beijing time, or '—'. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** number formats n with grouping. */
export function number(n, digits = 0) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}

/** roleName translates a role code. */
export function roleName(role) {
  return has('role.' + role) ? t('role.' + role) : role;
}

/** busy disables a button while work runs. */
export async function busy(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * upload posts a FormData to /api/v1/<path> as api does, reporting the share sent so far
 * (0–100) to onProgress: fetch cannot tell upload progress, so this one call uses
 * XMLHttpRequest. It returns the decoded answer or throws an APIError.
 */
export function upload(path, form, onProgress = () => {}) {
  const url = new URL('/api/v1/' + path, location.origin);
  url.searchParams.set('lang', lang);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total));
    });
    xhr.addEventListener('error', () => reject(new APIError(0, { message: t('web.error.network') })));
    xhr.addEventListener('load', () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new APIError(xhr.status, data));
    });
    xhr.send(form);
  });
}
