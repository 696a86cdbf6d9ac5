// The whistles in the caller's reach (吹哨报到, GET /api/v1/whistles): newest first, each with its
// kind, status and how many of the summoned units have checked in; a row opens the whistle.
import { api, el, t, when } from './api.js';
import { departments, nameOf } from './casekit.js';
import { onLive } from './live.js';
import { pagedTable } from './ui/table.js';
import { kindChip, rules, rulesSummary, statusChip } from './whistlekit.js';

const filters = document.getElementById('whistle-filters');
let units = new Map();

function checkedIn(w) {
  const n = w.summons.filter((s) => s.checked_in_at).length;
  const late = w.summons.filter((s) => s.late).length;
  const far = w.summons.filter((s) => s.flagged).length;
  return [el('strong', {}, t('whistle_page.checked_in_of', n, w.summons.length)),
    late ? el('span', { class: 'status', dataset: { tone: 'danger' } }, t('whistle_page.late_n', late)) : null,
    far ? el('span', { class: 'status', dataset: { tone: 'warn' } }, t('whistle_page.far_n', far)) : null];
}

const table = pagedTable(document.getElementById('whistles-table'), {
  columns: [
    { label: 'whistle_page.col.blown_at', cell: (w) => el('a', { href: '/whistles/' + encodeURIComponent(w.id), class: 'whistle-link' }, when(w.blown_at)) },
    { label: 'whistle_page.col.case', cell: (w) => el('a', { href: '/cases/' + encodeURIComponent(w.case_id) }, w.case_number || w.case_id) },
    { label: 'whistle_page.kind', cell: (w) => kindChip(w.kind) },
    { label: 'whistle_page.col.status', cell: (w) => statusChip(w.status) },
    { label: 'whistle_page.col.units', cell: (w) => w.summons.map((s) => nameOf(units.get(s.department_code)) || s.department_name || s.department_code).join('、') },
    { label: 'whistle_page.col.checked_in', cell: checkedIn },
    { label: 'whistle_page.col.by', cell: (w) => w.blown_by_name },
  ],
  row: (w) => ({ dataset: { id: w.id, status: w.status, kind: w.kind } }),
  status: document.getElementById('whistles-status'),
  more: document.getElementById('whistles-more'),
  empty: 'whistle_page.none',
  count: (items, more) => t(more ? 'whistle_page.count_more' : 'whistle_page.count', items.length),
  async load(cursor) {
    const q = new URLSearchParams();
    for (const name of ['status', 'kind']) if (filters.elements[name].value) q.set(name, filters.elements[name].value);
    if (cursor) q.set('cursor', cursor);
    const res = await api('GET', 'whistles?' + q);
    return { items: res.whistles || [], next: res.next_cursor };
  },
});

filters.addEventListener('change', () => table.reload());
departments().then((m) => {
  units = m;
  table.reload();
});
onLive('whistle', () => table.reload());
onLive('reconnect', () => table.reload());
// The rules in force, in one line above the list (set by the district on /settings/whistle).
rules().then((v) => {
  document.getElementById('whistle-rules').textContent = t('whistle_page.rules_now', rulesSummary(v.rules));
}).catch(() => {});
