// The sign-in page: POST /api/v1/auth/login, or a resident's phone with an SMS code
// (POST /api/v1/auth/login/code, then /login/sms), then go where the caller was going (or to
// the password page when the password must be changed first, or to the second step when the
// account has or needs a second factor).
import { api, busy, hide, show, t } from './api.js';
import { smsCodeButton } from './ui/smscode.js';

const form = document.getElementById('login-form');
const message = document.getElementById('login-error');
const smsForm = document.getElementById('sms-form');
const smsMessage = document.getElementById('sms-message');
const sendButton = document.getElementById('sms-send');
const tabs = { password: document.getElementById('tab-password'), sms: document.getElementById('tab-sms') };

// signedIn goes on after either way of signing in.
function signedIn(res) {
  if (res && res.challenge) {
    // The first factor was right; a second factor comes next (mfa.js).
    sessionStorage.setItem('yiwang.mfa', JSON.stringify({ challenge: res.challenge, mfa: res.mfa }));
    location.assign('/login/mfa?next=' + encodeURIComponent(form.dataset.next || '/'));
    return;
  }
  location.assign(res && res.must_change_password ? '/me/password' : form.dataset.next || '/');
}

function choose(which) {
  for (const [name, tab] of Object.entries(tabs)) tab.setAttribute('aria-selected', String(name === which));
  form.hidden = which !== 'password';
  smsForm.hidden = which !== 'sms';
  (which === 'sms' ? smsForm.phone : form.username).focus();
}
tabs.password.addEventListener('click', () => choose('password'));
tabs.sms.addEventListener('click', () => choose('sms'));

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(message);
  const username = form.username.value.trim();
  const password = form.password.value;
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      signedIn(await api('POST', 'auth/login', { username, password }));
    } catch (err) {
      show(message, err.message, 'error');
      form.password.select();
    }
  });
});

smsCodeButton({
  button: sendButton, phone: smsForm.phone, message: smsMessage, code: smsForm.code, path: 'auth/login/code',
  texts: { send: 'account.login.send_code', resend_in: 'account.login.resend_in', phone_required: 'account.login.phone_required', sent: 'account.login.code_sent' },
});

smsForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(smsMessage);
  const phone = smsForm.phone.value.trim();
  const code = smsForm.code.value.trim();
  if (!phone || !code) {
    show(smsMessage, t(phone ? 'account.login.code_required' : 'account.login.phone_required'));
    return;
  }
  await busy(smsForm.querySelector('button[type=submit]'), async () => {
    try {
      signedIn(await api('POST', 'auth/login/sms', { phone, code }));
    } catch (err) {
      show(smsMessage, err.message, 'error');
      smsForm.code.select();
    }
  });
});
