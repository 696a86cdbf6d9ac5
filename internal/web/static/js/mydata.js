// 我的数据: what the platform holds about the caller (GET /api/v1/me/data), downloaded as a
// JSON file, and deleting the account (DELETE /api/v1/me, confirmed with the password or an SMS
// code sent by POST /api/v1/auth/login/code to the account's own number).
import { api, busy, config, el, hide, show, t, when } from './api.js';
import { confirmDialog } from './ui/dialog.js';

const cfg = config() || {};
const message = document.getElementById('mydata-message');
const status = document.getElementById('mydata-status');
const summary = document.getElementById('mydata-summary');
const consents = document.getElementById('mydata-consents');
let data = null;

function row(label, value) {
  return [el('dt', {}, label), el('dd', {}, value === '' || value === undefined ? t('account.data.none') : value)];
}

function draw(d) {
  const a = d.account || {};
  summary.replaceChildren(
    ...row(t('account.data.username'), a.username),
    ...row(t('account.data.display_name'), a.display_name),
    ...row(t('account.data.phone'), a.phone),
    ...row(t('account.data.created_at'), a.created_at ? when(a.created_at) : ''),
    ...row(t('account.data.reports'), t('account.data.count', (d.reports || []).length)),
    ...row(t('account.data.followed'), t('account.data.count', (d.followed || []).length)),
    ...row(t('account.data.notifications'), t('account.data.count', (d.notifications || []).length)),
    ...row(t('account.data.sessions'), t('account.data.count', (d.sessions || []).length)),
  );
  const list = d.consents || [];
  consents.replaceChildren(...(list.length ? list.map((c) => el('li', {},
    t('account.data.consent_row', t('account.' + c.document + '.title'), c.version, when(c.accepted_at)))) : [el('li', {}, t('account.data.none'))]));
}

async function load() {
  try {
    data = await api('GET', 'me/data');
    draw(data);
  } catch (err) {
    show(message, err.message);
  }
}

document.getElementById('mydata-export').addEventListener('click', () => {
  if (!data) return;
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: 'yiwang-my-data.json', hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  status.textContent = t('account.data.export');
});

const form = document.getElementById('delete-form');
if (form && cfg.can_delete) {
  const deleteMessage = document.getElementById('delete-message');
  const sendButton = document.getElementById('delete-send-code');
  sendButton.addEventListener('click', async () => {
    hide(deleteMessage);
    if (!data || !data.account || !data.account.phone) return;
    await busy(sendButton, async () => {
      try {
        const res = await api('POST', 'auth/login/code', { phone: data.account.phone });
        show(deleteMessage, t('account.login.code_sent', Math.max(1, Math.round((res.expires_in_seconds || 300) / 60))), 'ok');
      } catch (err) {
        show(deleteMessage, err.message);
      }
    });
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hide(deleteMessage);
    const password = form.password.value;
    const code = form.code.value.trim();
    const body = password ? { password } : { code };
    const yes = await confirmDialog({ title: t('account.data.delete_heading'), text: t('account.data.delete_confirm'),
      confirm: t('account.data.delete_submit'), danger: true });
    if (!yes) return;
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        await api('DELETE', 'me', body);
        show(deleteMessage, t('account.data.deleted'), 'ok');
        location.assign('/login');
      } catch (err) {
        show(deleteMessage, err.message, 'error', err.details);
      }
    });
  });
}

load();
