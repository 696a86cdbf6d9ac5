// Resident sign-up: an SMS code to the phone (POST /api/v1/auth/signup/code), then the account
// (POST /api/v1/auth/signup) with consent to the 用户协议 and 隐私政策, which also signs the
// resident in.
import { api, busy, hide, show, t } from './api.js';

const form = document.getElementById('signup-form');
const message = document.getElementById('signup-message');
const sendButton = document.getElementById('send-code');

let countdown = 0;
let timer = null;

function tick() {
  countdown -= 1;
  if (countdown <= 0) {
    clearInterval(timer);
    sendButton.disabled = false;
    sendButton.textContent = t('web.signup.send_code');
    return;
  }
  sendButton.textContent = t('web.signup.resend_in', countdown);
}

sendButton.addEventListener('click', async () => {
  hide(message);
  const phone = form.phone.value.trim();
  if (!phone) {
    show(message, t('web.signup.phone_required'));
    form.phone.focus();
    return;
  }
  sendButton.disabled = true;
  try {
    const res = await api('POST', 'auth/signup/code', { phone });
    const minutes = Math.max(1, Math.round((res.expires_in_seconds || 300) / 60));
    show(message, t('web.signup.code_sent', minutes), 'ok');
    countdown = 60;
    sendButton.textContent = t('web.signup.resend_in', countdown);
    timer = setInterval(tick, 1000);
    form.code.focus();
  } catch (err) {
    sendButton.disabled = false;
    show(message, err.message);
  }
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(message);
  const password = form.password.value;
  if (password !== document.getElementById('confirm-password').value) {
    show(message, t('web.password.mismatch'));
    return;
  }
  // The versions of the 用户协议 and 隐私政策 the page showed (the server refuses others).
  const box = form.consent;
  if (!box.checked) {
    show(message, t('account.signup.consent_missing'));
    box.focus();
    return;
  }
  const consent = { terms: box.dataset.terms, privacy: box.dataset.privacy };
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      await api('POST', 'auth/signup', {
        phone: form.phone.value.trim(), code: form.code.value.trim(),
        display_name: form.display_name.value.trim(), password, consent,
      });
      location.assign('/');
    } catch (err) {
      show(message, err.message, 'error', err.details);
    }
  });
});
