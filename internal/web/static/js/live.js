// The live stream (GET /api/v1/stream, Server-Sent Events) shared by the notification bell and
// the page's script: one connection per page, opened on first use. The server drops messages a
// slow page does not take and then sends 'resync'; after that, as after a reconnect, listeners of
// 'reconnect' reload what they show.
const listeners = { case: new Set(), notification: new Set(), reconnect: new Set() };
let source = null;
let opened = false;

function connect() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/stream');
  for (const kind of ['case', 'notification']) {
    source.addEventListener(kind, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const fn of listeners[kind]) fn(data);
    });
  }
  source.addEventListener('resync', () => {
    for (const fn of listeners.reconnect) fn();
  });
  source.addEventListener('open', () => {
    document.documentElement.dataset.live = 'open';
    if (opened) for (const fn of listeners.reconnect) fn();
    opened = true;
  });
  source.addEventListener('error', () => {
    document.documentElement.dataset.live = 'closed';
  });
}

/** onLive calls fn with each message of kind: 'case', 'notification' or 'reconnect'. */
export function onLive(kind, fn) {
  listeners[kind].add(fn);
  connect();
}
