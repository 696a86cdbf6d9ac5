// The directives in the caller's reach (指令穿透, GET /api/v1/directives): issued here or aimed at
// grids here, newest first; a row opens the directive (its coverage, and the caller's grids to
// acknowledge). Leaders and subdistrict staff issue a new one from here.
import { api, config, el, t, when } from './api.js';
import { directiveDialog, stateChip, typeChip } from './directivekit.js';
import { onLive } from './live.js';
import { pagedTable } from './ui/table.js';

const cfg = config();
const pageSize = 50;

const table = pagedTable(document.getElementById('directives-table'), {
  columns: [
    { label: 'directive_page.col.issued_at', cell: (d) => el('a', { href: '/directives/' + encodeURIComponent(d.id), class: 'directive-link' }, when(d.issued_at)) },
    { label: 'directive_page.col.title', cell: (d) => [el('strong', {}, d.title), ' ', typeChip(d.msg_type)] },
    { label: 'directive_page.col.state', cell: (d) => stateChip(d.status) },
    { label: 'directive_page.col.area', cell: (d) => d.area_desc },
    { label: 'directive_page.col.targeted', cell: (d) => String(d.targeted) },
    { label: 'directive_page.col.ack_due', cell: (d) => when(d.ack_due) },
    { label: 'directive_page.col.issuer', cell: (d) => d.issuer_name },
  ],
  row: (d) => ({ dataset: { id: d.id, status: d.status } }),
  status: document.getElementById('directives-status'),
  more: document.getElementById('directives-more'),
  empty: 'directive_page.none',
  count: (items) => t('directive_page.count', items.length),
  async load(cursor) {
    const offset = Number(cursor || 0);
    const res = await api('GET', `directives?limit=${pageSize}&offset=${offset}`);
    const list = res.directives || [];
    return { items: list, next: list.length === pageSize ? String(offset + pageSize) : '' };
  },
});

if (cfg.can_issue) {
  const dialog = directiveDialog((id) => location.assign('/directives/' + encodeURIComponent(id)));
  document.getElementById('issue-open').addEventListener('click', () => dialog.open(null));
}
table.reload();
onLive('directive', () => table.reload());
onLive('reconnect', () => table.reload());
