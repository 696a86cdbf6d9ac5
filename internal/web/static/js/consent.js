// Accepting new versions of the 用户协议 and 隐私政策 (POST /api/v1/me/consent), then back to
// where the resident was going.
import { api, busy, config, hide, show, t } from './api.js';

const cfg = config() || {};
const message = document.getElementById('consent-message');
const agree = document.getElementById('consent-agree');

agree.addEventListener('click', async () => {
  hide(message);
  await busy(agree, async () => {
    try {
      await api('POST', 'me/consent', { consent: cfg.versions || {} });
      show(message, t('account.consent.done'), 'ok');
      location.assign(cfg.next || '/');
    } catch (err) {
      show(message, err.message);
    }
  });
});
