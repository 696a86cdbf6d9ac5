// The "获取验证码" button of the pages that ask for an SMS code (sign-up, SMS sign-in): it asks
// the server for a code to the number in the phone field, says for how long the code is valid,
// and counts down a minute before another may be asked (the server refuses sooner anyway).
import { api, hide, show, t } from '../api.js';

/**
 * smsCodeButton wires button to POST path {phone}. phone is the phone input, message the alert
 * box, code the input focused once sent; texts names the catalogue keys: send, resend_in (%d
 * seconds), phone_required and sent (%d minutes).
 */
export function smsCodeButton({ button, phone, message, code, path, texts }) {
  let countdown = 0;
  let timer = null;
  const tick = () => {
    countdown -= 1;
    if (countdown <= 0) {
      clearInterval(timer);
      button.disabled = false;
      button.textContent = t(texts.send);
      return;
    }
    button.textContent = t(texts.resend_in, countdown);
  };
  button.addEventListener('click', async () => {
    hide(message);
    const number = phone.value.trim();
    if (!number) {
      show(message, t(texts.phone_required));
      phone.focus();
      return;
    }
    button.disabled = true;
    try {
      const res = await api('POST', path, { phone: number });
      const minutes = Math.max(1, Math.round((res.expires_in_seconds || 300) / 60));
      show(message, t(texts.sent, minutes), 'ok');
      countdown = 60;
      button.textContent = t(texts.resend_in, countdown);
      timer = setInterval(tick, 1000);
      code.focus();
    } catch (err) {
      button.disabled = false;
      show(message, err.message);
    }
  });
}
