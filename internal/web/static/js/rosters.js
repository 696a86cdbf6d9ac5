// The 1+N rosters (一个党组织牵头 + N 个共建单位): per zone (片区), the lead organisation and the
// participating units, firms, social organisations and volunteer teams, with their contacts
// (masked unless the caller manages the roster) and what each pledged (共建项目/资源清单). Those who
// manage the rosters (config can_manage) edit them here (rostersedit.js).
import { api, config, el, lang, show, t } from './api.js';
import { rosterEditor } from './rostersedit.js';
import { statusKind } from './ui/status.js';
import { pagedTable } from './ui/table.js';

const kindChip = statusKind('roster_page.kind.', { lead: 'danger', unit: 'info', firm: 'neutral', social_org: 'progress', volunteer_team: 'ok' });
const pledgeChip = statusKind('roster_page.pledge.', { pledged: 'warn', in_progress: 'progress', delivered: 'ok' });
const zoneSelect = document.getElementById('zone');
let participants = [];
const editor = config().can_manage ? rosterEditor(() => zoneSelect.value, () => load()) : null;

function contact(p) {
  if (!p.contact_name && !p.contact_phone) return el('span', { class: 'muted' }, '—');
  return [p.contact_name || '', ' ', el('span', { class: p.contact_masked ? 'muted masked' : 'phone' }, p.contact_phone || '')];
}

function pledges(p) {
  if (!(p.pledges || []).length) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'pledges' }, p.pledges.map((g) => el('li', { dataset: { pledge: g.id, status: g.status } },
    editor ? editor.pledgeButton(p, g) : g.title, ' ', pledgeChip(g.status))));
}

const table = pagedTable(document.getElementById('roster-table'), {
  columns: [
    { label: 'roster_page.col.name', cell: (p) => el('strong', {}, p.name) },
    { label: 'roster_page.col.kind', cell: (p) => kindChip(p.kind) },
    { label: 'roster_page.col.contact', cell: contact },
    { label: 'roster_page.col.pledges', cell: pledges },
    { label: 'roster_page.col.members', cell: (p) => (p.members === undefined || p.members === null ? '' : String(p.members)) },
    ...(editor ? [{ label: 'roster_page.col.actions', cell: (p) => editor.actions(p) }] : []),
  ],
  row: (p) => ({ dataset: { id: p.id, kind: p.kind } }),
  empty: 'roster_page.none',
  load: async () => ({ items: participants }),
});

async function load() {
  const code = zoneSelect.value;
  if (!code) return;
  try {
    const r = await api('GET', `zones/${encodeURIComponent(code)}/roster`);
    participants = r.participants || [];
    document.getElementById('roster-lead').replaceChildren(r.lead
      ? el('div', { dataset: { id: r.lead.id } }, el('strong', {}, r.lead.name), ' ', contact(r.lead), pledges(r.lead), editor ? editor.actions(r.lead) : null)
      : el('p', { class: 'muted' }, t('roster_page.no_lead')));
    document.getElementById('roster-count').textContent = t('roster_page.count', participants.length);
    await table.reload();
    document.getElementById('roster-table').dataset.ready = code;
  } catch (err) {
    show(document.getElementById('roster-message'), err.message, 'error', err.details);
  }
}

async function main() {
  const zones = await api('GET', 'zones');
  const list = zones.zones || [];
  zoneSelect.replaceChildren(...list.map((z) => el('option', { value: z.code }, lang === 'en' && z.name_en ? z.name_en : z.name)));
  const wanted = new URLSearchParams(location.search).get('zone');
  if (wanted && list.some((z) => z.code === wanted)) zoneSelect.value = wanted;
  zoneSelect.addEventListener('change', () => {
    history.replaceState(null, '', '?zone=' + encodeURIComponent(zoneSelect.value));
    load();
  });
  await load();
}

main().catch((err) => show(document.getElementById('roster-message'), err.message));
