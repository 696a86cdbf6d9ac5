// The live stream (GET /api/v1/stream, Server-Sent Events) shared by the notification bell and
// the page's script: one connection per page, opened on first use. Its events are named by the
// kind of object that changed ('case', 'whistle', 'directive' …) or 'notification'. The server
// drops messages a slow page does not take and then sends 'resync'; after that, as after a
// reconnect, listeners of 'reconnect' reload what they show.
const listeners = new Map(); // kind → Set of functions
let source = null;
let opened = false;

// listen passes the stream's events of kind to that kind's listeners.
function listen(kind) {
  source.addEventListener(kind, (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    for (const fn of listeners.get(kind) || []) fn(data);
  });
}

function connect() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/stream');
  for (const kind of listeners.keys()) if (kind !== 'reconnect') listen(kind);
  source.addEventListener('resync', () => {
    for (const fn of listeners.get('reconnect') || []) fn();
  });
  source.addEventListener('open', () => {
    document.documentElement.dataset.live = 'open';
    if (opened) for (const fn of listeners.get('reconnect') || []) fn();
    opened = true;
  });
  source.addEventListener('error', () => {
    document.documentElement.dataset.live = 'closed';
  });
}

/** onLive calls fn with each message of kind: a kind of object ('case' …), 'notification' or 'reconnect'. */
export function onLive(kind, fn) {
  const first = !listeners.has(kind);
  if (first) listeners.set(kind, new Set());
  listeners.get(kind).add(fn);
  if (source && first && kind !== 'reconnect') listen(kind);
  connect();
}
