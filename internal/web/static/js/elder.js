// 长辈模式 (older residents' mode, issue 14): larger text and buttons (the class "elder" on
// <html>, styled in css/app.css), a report form with only what must be filled in (the optional
// fields hidden, the photo button large), and 说一说: speech to text into the description where
// the browser offers speech recognition (Web Speech API, zh-CN). The choice is remembered on the
// phone (localStorage).
import { el, lang, t } from './api.js';

const STORE = 'yiwang.elder';

/** isElder reports whether the mode is on. */
export function isElder() {
  try {
    return localStorage.getItem(STORE) === '1';
  } catch {
    return false;
  }
}

/** applyElder sets the class on <html> from the remembered choice. */
export function applyElder() {
  document.documentElement.classList.toggle('elder', isElder());
}

function setElder(on) {
  try {
    if (on) localStorage.setItem(STORE, '1');
    else localStorage.removeItem(STORE);
  } catch {
    // private mode without storage: the choice lasts this page
  }
  document.documentElement.classList.toggle('elder', on);
  for (const b of document.querySelectorAll('.elder-toggle')) label(b);
}

function label(button) {
  const on = document.documentElement.classList.contains('elder');
  button.setAttribute('aria-pressed', String(on));
  button.textContent = t(on ? 'offline.elder_on' : 'offline.elder_off');
}

/** elderToggle makes a button that switches the mode. */
export function elderToggle(id, className = 'btn btn-small') {
  const button = el('button', { type: 'button', class: className + ' elder-toggle', id, title: t('offline.elder_hint') });
  label(button);
  button.addEventListener('click', () => setElder(!document.documentElement.classList.contains('elder')));
  return button;
}

/** elderForm adds 说一说 (speech to text) beside the description, where the browser can. */
export function elderForm(form) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  const field = form.querySelector('#description');
  if (!Recognition || !field) return;
  const status = el('span', { class: 'hint speak-status', role: 'status' });
  const button = el('button', { type: 'button', class: 'btn speak-button', id: 'speak-button' }, t('offline.speak'));
  let running = null;
  button.addEventListener('click', () => {
    if (running) {
      running.stop();
      return;
    }
    const r = new Recognition();
    r.lang = lang === 'en' ? 'en-US' : 'zh-CN';
    r.interimResults = false;
    r.addEventListener('result', (e) => {
      const said = [...e.results].map((x) => x[0].transcript).join('');
      field.value = (field.value ? field.value + ' ' : '') + said;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    r.addEventListener('error', () => {
      status.textContent = t('offline.speak_failed');
    });
    r.addEventListener('end', () => {
      running = null;
      button.textContent = t('offline.speak');
      if (status.textContent === t('offline.speak_listening')) status.textContent = '';
    });
    running = r;
    button.textContent = t('offline.speak_stop');
    status.textContent = t('offline.speak_listening');
    r.start();
  });
  field.after(el('div', { class: 'speak-row' }, button, status));
}
