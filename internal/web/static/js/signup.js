// Resident sign-up: an SMS code to the phone (POST /api/v1/auth/signup/code), then the account
// (POST /api/v1/auth/signup) with consent to the 用户协议 and 隐私政策, which also signs the
// resident in.
import { api, busy, hide, show, t } from './api.js';
import { smsCodeButton } from './ui/smscode.js';

const form = document.getElementById('signup-form');
const message = document.getElementById('signup-message');
const sendButton = document.getElementById('send-code');

smsCodeButton({
  button: sendButton, phone: form.phone, message, code: form.code, path: 'auth/signup/code',
  texts: { send: 'web.signup.send_code', resend_in: 'web.signup.resend_in', phone_required: 'web.signup.phone_required', sent: 'web.signup.code_sent' },
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
