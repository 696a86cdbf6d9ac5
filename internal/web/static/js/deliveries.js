// Outside deliveries (SMS, WeChat) of a district-level sys_admin: GET /api/v1/deliveries lists
// them newest first (failed ones first shown: the ones to act on), with the masked recipient, the
// text's template and event, the attempts and the last error; a failed one can be sent again
// (POST /api/v1/deliveries/{id}/retry, audited) once the gateway works.
import { api, el, t, when } from './api.js';
import { confirmDialog } from './ui/dialog.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const filter = document.getElementById('deliveries-filter');
const status = statusKind('web.deliveries.status.', { sent: 'ok', pending: 'warn', failed: 'danger' });

async function retry(d) {
  const yes = await confirmDialog({ title: t('web.deliveries.retry_heading'), text: t('web.deliveries.retry_text', d.recipient),
    confirm: t('web.deliveries.retry') });
  if (!yes) return;
  try {
    table.replace(await api('POST', `deliveries/${encodeURIComponent(d.id)}/retry`));
  } catch (err) {
    document.getElementById('deliveries-status').textContent = err.message;
  }
}

const table = pagedTable(document.getElementById('deliveries-table'), {
  columns: [
    { label: 'web.deliveries.created', cell: (d) => when(d.created_at) },
    { label: 'web.deliveries.channel', cell: (d) => [t('web.deliveries.channel.' + d.channel), el('span', { class: 'sub muted' }, d.recipient)] },
    { label: 'web.deliveries.event', cell: (d) => [d.event_type, el('span', { class: 'sub muted' }, d.template)] },
    { label: 'web.deliveries.status', cell: (d) => [status(d.status), el('span', { class: 'sub muted' }, t('web.deliveries.attempts', d.attempts))] },
    { label: 'web.deliveries.error', cell: (d) => d.last_error || el('span', { class: 'muted' }, '—') },
    { label: 'web.deliveries.actions', cell: (d) => {
      if (d.status !== 'failed') return el('span', { class: 'muted' }, '—');
      const button = el('button', { type: 'button', class: 'btn btn-small retry-button' }, t('web.deliveries.retry'));
      button.addEventListener('click', () => retry(d));
      return button;
    } },
  ],
  row: (d) => ({ dataset: { id: d.id, state: d.status } }),
  status: document.getElementById('deliveries-status'),
  more: document.getElementById('deliveries-more'),
  empty: 'web.deliveries.none',
  async load(cursor) {
    const q = new URLSearchParams({ limit: '50' });
    for (const [k, v] of new FormData(filter)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    const res = await api('GET', 'deliveries?' + q);
    return { items: res.deliveries || [], next: res.next_cursor };
  },
  count: (items, more) => t(more ? 'web.deliveries.count_more' : 'web.deliveries.count', items.length),
});

filter.addEventListener('change', () => table.reload());
table.reload();
