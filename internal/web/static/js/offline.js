// The offline queue (issue 14), one for the resident's report form (report.js) and the grid
// worker's patrol page (patrol.js). A write made without network — or one whose sending failed
// on the way — is kept in IndexedDB with its photos (Blobs) and an idempotency key made once, and
// shown as "待发送（已保存在手机上）" with a count. It is sent when the phone is back online (the
// `online` event, every page load, and retries that wait longer each time), in the order the
// online form sends: the report first, then its photos to the case the server made. Every try
// carries the item's same key (Idempotency-Key, see internal/httpx/idempotency.go), so a report
// whose answer was lost on the way is never created twice. Once the server answers, the item is
// removed. Items belong to the user who made them: another user signed in on the same phone does
// not send them.
import { APIError, api, el, show, t } from './api.js';

const DB = 'yiwang-offline';
const STORE = 'queue';

/** newKey makes an idempotency key (a UUID: 36 characters of the allowed alphabet). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** currentUser is the signed-in user's id, as base.html hands it to pwa.js. */
export function currentUser() {
  return document.querySelector('script[data-user]')?.dataset.user || '';
}

/** isNetworkError: the request did not reach the server (api() throws status 0 then). */
export function isNetworkError(err) {
  return err instanceof APIError && err.status === 0;
}

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const out = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/**
 * enqueue keeps a write for later: {key, path, body, photos: [File|Blob], photoPath(answer),
 * label}. photoPath is stored as a template: "cases/{id}/photos" ({id} from the answer).
 */
export async function enqueue(item) {
  const photos = await Promise.all((item.photos || []).map(async (f) => ({ name: f.name || 'photo.jpg', type: f.type, data: await f.arrayBuffer() })));
  await run('readwrite', (s) => s.put({ ...item, photos, user: currentUser(), created: Date.now() }));
  changed();
}

/** pending lists this user's queued items, oldest first. */
export async function pending() {
  const all = (await run('readonly', (s) => s.getAll())) || [];
  return all.filter((i) => i.user === currentUser()).sort((a, b) => a.created - b.created);
}

async function remove(key) {
  await run('readwrite', (s) => s.delete(key));
}

async function update(item) {
  await run('readwrite', (s) => s.put(item));
}

// send sends one item: the write, then its photos, each with its own stable key. A photo upload
// remembers the case it belongs to, so a retry after the report went through sends the photos only.
async function send(item) {
  if (!item.answer) {
    item.answer = await api('POST', item.path, item.body, { headers: { 'Idempotency-Key': item.key } });
    await update(item);
  }
  if (item.photos.length && item.photoPath && item.answer && item.answer.id) {
    const form = new FormData();
    for (const p of item.photos) form.append('photo', new Blob([p.data], { type: p.type }), p.name);
    await api('POST', item.photoPath.replace('{id}', encodeURIComponent(item.answer.id)), form, { headers: { 'Idempotency-Key': item.key + '.photos' } });
  }
  await remove(item.key);
}

let flushing = null;
let retryTimer = null;
let retryDelay = 2000;
const listeners = new Set();

function changed() {
  for (const fn of listeners) fn();
}

/**
 * flush sends every queued item of this user, one after another. It stops at the first network
 * failure (still offline) and tries again later, waiting longer each time (2 s … 5 min). A
 * refusal by the server (a 4xx other than "in progress" or "too many") is final: the item is
 * dropped and the reason shown. Returns {sent, failed: [messages]}.
 */
export function flush() {
  flushing ||= (async () => {
    const result = { sent: 0, failed: [] };
    try {
      for (const item of await pending()) {
        try {
          await send(item);
          result.sent++;
        } catch (err) {
          if (isNetworkError(err) || !(err instanceof APIError) || err.status >= 500 || err.status === 409 || err.status === 429) {
            schedule();
            break;
          }
          await remove(item.key);
          result.failed.push(err.message);
        }
      }
      if (result.sent) retryDelay = 2000;
    } finally {
      flushing = null;
      changed();
    }
    for (const fn of sentListeners) fn(result);
    return result;
  })();
  return flushing;
}

function schedule() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 5 * 60 * 1000);
}

const sentListeners = new Set();

/** onSent calls fn with each flush's result. */
export function onSent(fn) {
  sentListeners.add(fn);
}

/**
 * mountQueue shows the queue in box (an element of the page): "待发送（已保存在手机上）" with the
 * count and a "send now" button, kept up to date; and starts sending: now, and whenever the
 * phone comes back online.
 */
export function mountQueue(box) {
  const render = async () => {
    const items = await pending().catch(() => []);
    box.hidden = !items.length;
    box.dataset.count = String(items.length);
    if (!items.length) return;
    const now = el('button', { type: 'button', class: 'btn btn-small', id: 'offline-send' }, t('offline.send_now'));
    now.addEventListener('click', () => flush());
    box.replaceChildren(el('strong', {}, t('offline.queued_title')), ' ',
      el('span', { id: 'offline-count' }, t('offline.queued_count', items.length)), ' ', now,
      el('ul', { class: 'offline-list' }, items.map((i) => el('li', {}, i.label || ''))));
  };
  listeners.add(render);
  onSent((r) => {
    if (r.sent) {
      const done = el('p', { class: 'alert alert-ok', id: 'offline-sent', role: 'status' }, t('offline.sent', r.sent), ' ',
        el('a', { href: '/my' }, t('desk.nav.my')));
      box.after(done);
    }
    for (const m of r.failed) show(box.parentElement.querySelector('.alert[role="alert"]'), t('offline.failed', m));
  });
  window.addEventListener('online', () => flush());
  render();
  flush();
}

/** offlineNotice shows in box that the phone is offline, while it is. */
export function offlineNotice(box, key = 'offline.offline_now') {
  const render = () => {
    box.hidden = navigator.onLine;
    box.textContent = t(key);
  };
  window.addEventListener('online', render);
  window.addEventListener('offline', render);
  render();
}
