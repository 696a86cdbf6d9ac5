// The second sign-in step (等保 2.0 two-factor sign-in). The sign-in page left the challenge of a
// right password in sessionStorage (this tab only); here the user enters a code of their
// authenticator, or first sets one up from the QR code the server drew. After an enrolment the
// one-time recovery codes are shown once before going on.
import { api, busy, el, hide, show, t } from './api.js';

const form = document.getElementById('mfa-form');
const message = document.getElementById('mfa-error');
const stored = JSON.parse(sessionStorage.getItem('yiwang.mfa') || 'null');

function next(res) {
  location.assign(res && res.must_change_password ? '/me/password' : form.dataset.next || '/');
}

async function start() {
  if (!stored || !stored.challenge) {
    location.replace('/login');
    return;
  }
  if (stored.mfa === 'enrol') {
    try {
      const e = await api('POST', 'auth/mfa/enrol', { challenge: stored.challenge });
      document.getElementById('mfa-qr').src = e.qr;
      document.getElementById('mfa-secret').textContent = e.secret;
      document.getElementById('mfa-enrol').hidden = false;
    } catch (err) {
      show(message, err.message);
      return;
    }
  } else {
    document.getElementById('mfa-verify-lead').hidden = false;
  }
  form.hidden = false;
  form.code.focus();
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(message);
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      const res = await api('POST', 'auth/mfa/verify', { challenge: stored.challenge, code: form.code.value.trim() });
      sessionStorage.removeItem('yiwang.mfa');
      if (res.recovery_codes && res.recovery_codes.length) {
        form.hidden = true;
        document.getElementById('mfa-enrol').hidden = true;
        document.getElementById('mfa-recovery-codes').replaceChildren(...res.recovery_codes.map((c) => el('li', {}, el('code', {}, c))));
        document.getElementById('mfa-recovery').hidden = false;
        document.getElementById('mfa-continue').addEventListener('click', () => next(res));
        return;
      }
      next(res);
    } catch (err) {
      show(message, err.message);
      form.code.select();
    }
  });
});

start();
