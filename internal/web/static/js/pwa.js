// Loaded on every signed-in page (base.html): registers the service worker (/sw.js, issue 14)
// so that the report form, my reports and the patrol page open without network; sends what the
// offline queue holds (static/js/offline.js) on every page load and whenever the phone comes
// back online; and offers 长辈模式 (elder.js) in the account menu and on the resident's pages.
import { applyElder, elderToggle } from './elder.js';
import { flush, offlineNotice } from './offline.js';
import { el } from './api.js';

applyElder();

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // an old browser or a private window: the pages work online as before
  });
}

const menu = document.querySelector('.nav-user');
if (menu) menu.prepend(elderToggle('elder-toggle-menu', 'btn-link'));
const residentPage = document.querySelector('#report-form[data-mode="resident"]') || document.getElementById('my-cases');
const head = residentPage && document.querySelector('.page-head');
if (head) head.append(elderToggle('elder-toggle'));

// My reports without network: the list is the last one seen (the service worker's copy).
const myList = document.getElementById('my-cases');
if (myList) {
  const notice = el('p', { class: 'alert alert-warn', id: 'offline-notice', role: 'status', hidden: true });
  myList.before(notice);
  offlineNotice(notice, 'offline.cached_list');
}

if (typeof indexedDB !== 'undefined') {
  flush().catch(() => {});
  window.addEventListener('online', () => flush().catch(() => {}));
}
