// The sign-in page: POST /api/v1/auth/login, then go where the caller was going (or to the
// password page when the password must be changed first, or to the second step when the
// account has or needs a second factor).
import { api, busy, hide, show } from './api.js';

const form = document.getElementById('login-form');
const message = document.getElementById('login-error');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(message);
  const username = form.username.value.trim();
  const password = form.password.value;
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      const res = await api('POST', 'auth/login', { username, password });
      if (res && res.challenge) {
        // The password was right; a second factor comes next (mfa.js).
        sessionStorage.setItem('yiwang.mfa', JSON.stringify({ challenge: res.challenge, mfa: res.mfa }));
        location.assign('/login/mfa?next=' + encodeURIComponent(form.dataset.next || '/'));
        return;
      }
      location.assign(res && res.must_change_password ? '/me/password' : form.dataset.next || '/');
    } catch (err) {
      show(message, err.message, 'error');
      form.password.select();
    }
  });
});
