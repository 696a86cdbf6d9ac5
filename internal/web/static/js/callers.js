// The hotline desk's caller history: as the operator finishes typing the calling number, the
// caller's earlier cases are listed (POST /api/v1/callers/lookup — the number travels in the body,
// never in a URL). The number is shown masked; each case links to its page.
import { api, el, t, when } from './api.js';

// A number is looked up once it has enough digits to be one (a mobile has 11, a landline 10–12).
const minDigits = 10;
const pause = 400; // ms after the last keystroke

// mountCallerHistory watches phoneInput and fills container with the caller's earlier cases.
// It returns a function that stops watching.
export function mountCallerHistory(phoneInput, container) {
  container.classList.add('caller-history');
  container.setAttribute('aria-live', 'polite');
  let timer = null;
  let asked = '';
  let seq = 0;

  async function lookup() {
    const phone = phoneInput.value.trim();
    const digits = phone.replace(/\D/g, '');
    if (digits.length < minDigits) {
      asked = '';
      container.replaceChildren();
      return;
    }
    if (digits === asked) return;
    asked = digits;
    const mine = ++seq;
    try {
      const res = await api('POST', 'callers/lookup', { phone });
      if (mine !== seq) return; // a newer number was typed meanwhile
      container.replaceChildren(...render(res));
    } catch (err) {
      if (mine !== seq) return;
      // A half-typed or malformed number is not worth a warning; anything else is said plainly.
      container.replaceChildren(err.status === 400 ? '' : el('p', { class: 'status-line' }, err.message));
    }
  }

  function render(res) {
    const head = el('p', { class: 'caller-history-head' }, res.cases.length
      ? t('desk.callers.earlier', res.phone_masked, res.cases.length)
      : t('desk.callers.none', res.phone_masked));
    if (!res.cases.length) return [head];
    return [head, el('ul', { class: 'caller-cases' }, ...res.cases.map((c) => el('li', { dataset: { number: c.number } },
      el('a', { href: '/cases/' + c.id, target: '_blank', rel: 'noopener' }, c.number), ' ',
      el('time', { datetime: c.reported_at }, when(c.reported_at)), ' ',
      el('span', { class: 'status' }, c.status_text), c.category ? ' · ' + c.category : '', c.address ? ' · ' + c.address : '')))];
  }

  const onInput = () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, pause);
  };
  const onChange = () => {
    clearTimeout(timer);
    lookup();
  };
  phoneInput.addEventListener('input', onInput);
  phoneInput.addEventListener('change', onChange);
  phoneInput.addEventListener('blur', onChange);
  return () => {
    clearTimeout(timer);
    phoneInput.removeEventListener('input', onInput);
    phoneInput.removeEventListener('change', onChange);
    phoneInput.removeEventListener('blur', onChange);
  };
}
