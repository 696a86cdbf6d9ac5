// Change one's own password: POST /api/v1/me/password.
import { api, busy, el, hide, show, t } from './api.js';

const form = document.getElementById('password-form');
const message = document.getElementById('password-message');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  hide(message);
  const oldPassword = document.getElementById('old-password').value;
  const newPassword = document.getElementById('new-password').value;
  if (newPassword !== document.getElementById('confirm-password').value) {
    show(message, t('web.password.mismatch'));
    return;
  }
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      await api('POST', 'me/password', { old_password: oldPassword, new_password: newPassword });
      form.reset();
      show(message, t('web.password.changed'), 'ok');
      message.append(' ', el('a', { href: '/', id: 'password-continue' }, t('web.password.continue')));
      document.getElementById('must-change')?.remove();
    } catch (err) {
      show(message, err.message, 'error', err.details);
    }
  });
});
