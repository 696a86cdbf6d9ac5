// yiwang's service worker (issue 14: offline first report). Served at /sw.js by the binary
// (internal/web/pwa.go), which fills in the build's cache name and the files to keep. It keeps
// the app shell so that the report form, "my reports" and the patrol page open without network:
//   - static files (/static/…): cache first; the cache name changes with every build, and the
//     activation of a new worker drops the old caches, so an old file never outlives its build;
//   - the offline pages: network first, the kept copy when the network fails;
//   - API reads those pages need: network first, the last answer when the network fails;
//   - writes (POST …) are never touched: the page queues them itself (static/js/offline.js).
// Signing out (POST /logout) drops the kept pages and answers: they are the user's own.
const VERSION = "__VERSION__";
const STATIC = `yiwang-static-${VERSION}`;
const PAGES = `yiwang-pages-${VERSION}`;
const API = 'yiwang-api'; // answers outlive a build: they are data, not code
const ASSETS = ["__ASSETS__"];
const OFFLINE_PAGES = ["__PAGES__"];

// API reads kept for offline use: the resident's own cases, the category catalogue and the
// patrol page's plans, log and running patrol. Nothing else is kept on the phone.
const KEPT_API = [/^\/api\/v1\/cases$/, /^\/api\/v1\/categories/, /^\/api\/v1\/patrol-plans$/, /^\/api\/v1\/patrols\/log$/,
  /^\/api\/v1\/patrols\/[^/]+$/, /^\/api\/v1\/me$/];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC);
    await cache.addAll(ASSETS);
    // The pages need the session: one the caller may not open (a resident's /patrol) is skipped.
    const pages = await caches.open(PAGES);
    await Promise.all(OFFLINE_PAGES.map(async (path) => {
      try {
        const res = await fetch(path, { credentials: 'same-origin', redirect: 'manual' });
        if (res.ok && res.type === 'basic') await pages.put(path, res);
      } catch {
        // offline while installing: the page is kept on its next visit
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([STATIC, PAGES, API]);
    for (const name of await caches.keys()) {
      if (name.startsWith('yiwang-') && !keep.has(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method === 'POST' && url.pathname === '/logout') {
    event.waitUntil(Promise.all([caches.delete(PAGES), caches.delete(API)]));
    return;
  }
  if (req.method !== 'GET') return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(req));
  } else if (req.mode === 'navigate' && OFFLINE_PAGES.includes(url.pathname)) {
    event.respondWith(networkFirst(req, PAGES, url.pathname));
  } else if (KEPT_API.some((re) => re.test(url.pathname))) {
    event.respondWith(networkFirst(req, API, req));
  }
});

async function cacheFirst(req) {
  const cache = await caches.open(STATIC);
  const hit = await cache.match(req, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) cache.put(req, res.clone());
  return res;
}

// networkFirst asks the server and keeps a good answer under key; without network it gives the
// kept one (an error answer when there is none, which the page reports as "no network").
async function networkFirst(req, name, key) {
  const cache = await caches.open(name);
  try {
    const res = await fetch(req);
    if (res.ok && !res.redirected) await cache.put(key, res.clone());
    return res;
  } catch {
    const hit = await cache.match(key, { ignoreVary: true });
    return hit || Response.error();
  }
}
