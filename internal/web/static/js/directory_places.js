// The 地点 tab of the editors' page (/directory): the places where services are given (offices,
// service centres and stations, 15-minute life circles, clinics), with their hours — a rule
// (working days by the work calendar, every week, every week but public holidays, always open)
// and rows of days with an opening and a closing time — and the org nodes each place serves,
// which decides 哪个窗口为我服务. GET/POST/PUT /api/v1/services/places.
import { api, el, t } from './api.js';
import { formDialog } from './ui/dialog.js';
import { formValues } from './ui/fields.js';
import { nodes, places, say, unitOptions } from './directorykit.js';
import { openBadge, telURL } from './serviceskit.js';

const table = document.getElementById('place-table');
const dayNames = [1, 2, 3, 4, 5, 6, 7];

function render(list) {
  const cols = ['place.name', 'place.kind', 'place.address', 'place.phone', 'hours.heading', 'state', 'actions'];
  const row = (p) => {
    const edit = el('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'edit' } }, t('directory_page.edit'));
    edit.addEventListener('click', () => placeDialog.open(p));
    const phone = telURL(p.phone);
    const cells = [
      [el('span', {}, p.name), p.code ? el('span', { class: 'sub muted' }, p.code) : null],
      t('directory_page.place_kind.' + p.kind),
      p.address || '—',
      phone ? el('a', { href: phone }, p.phone) : '—',
      p.hours_text || '—',
      openBadge(p.open_now, p.next_change),
      edit,
    ];
    return el('tr', { dataset: { id: p.id } }, cells.map((c, i) => el('td', { dataset: { label: t('directory_page.' + cols[i]) } }, el('div', { class: 'cell' }, c))));
  };
  table.replaceChildren(
    el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, t('directory_page.' + c))))),
    el('tbody', {}, list.length ? list.map(row) : el('tr', {}, el('td', { colspan: String(cols.length), class: 'empty' }, t('directory_page.no_places')))));
}

/** loadPlaces fills the tab (again). */
export async function loadPlaces() {
  table.setAttribute('aria-busy', 'true');
  try {
    render(await places(true));
  } catch (err) {
    say(err.message);
  } finally {
    table.setAttribute('aria-busy', 'false');
  }
}

// ---- the hours editor: a rule, and rows of days with opening and closing times

const periods = document.getElementById('p-periods');
const rule = document.getElementById('p-rule');
let rowCount = 0;

function periodRow(period = { days: [1, 2, 3, 4, 5], open: '08:30', close: '17:30' }) {
  const n = ++rowCount;
  const remove = el('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'remove' } }, t('directory_page.hours.remove'));
  const row = el('div', { class: 'dir-period', dataset: { row: String(n) } },
    el('fieldset', { class: 'dir-days' }, el('legend', { class: 'visually-hidden' }, t('directory_page.hours.days')),
      dayNames.map((d) => el('label', { class: 'check' }, el('input', { type: 'checkbox', class: 'period-day', value: String(d), checked: (period.days || []).includes(d) }),
        ' ', t('directory_page.weekday.' + d)))),
    el('label', { class: 'check' }, t('directory_page.hours.open'), ' ',
      el('input', { type: 'time', class: 'period-open', value: period.open || '', required: true, 'aria-label': t('directory_page.hours.open') })),
    el('label', { class: 'check' }, t('directory_page.hours.close'), ' ',
      el('input', { type: 'time', class: 'period-close', value: period.close || '', required: true, 'aria-label': t('directory_page.hours.close') })),
    remove);
  remove.addEventListener('click', () => row.remove());
  periods.append(row);
}

/** hoursValue reads the editor into the API's hours. */
function hoursValue(form) {
  const hours = { rule: rule.value, periods: [] };
  if (rule.value !== 'always') {
    for (const row of periods.querySelectorAll('.dir-period')) {
      hours.periods.push({
        days: [...row.querySelectorAll('.period-day:checked')].map((c) => Number(c.value)),
        open: row.querySelector('.period-open').value, close: row.querySelector('.period-close').value,
      });
    }
  }
  const note = form.elements.hours_note.value.trim();
  if (note) hours.note = note;
  return hours;
}

function showPeriods() {
  const always = rule.value === 'always';
  periods.hidden = always;
  document.getElementById('p-period-add').hidden = always;
}
rule.addEventListener('change', showPeriods);
document.getElementById('p-period-add').addEventListener('click', () => periodRow());

/** serveChecks lists the district, subdistricts and communities a place may serve. */
async function serveChecks(chosen) {
  const box = document.getElementById('p-serves');
  box.replaceChildren(el('span', { class: 'muted' }, t('web.loading')));
  const list = (await nodes()).filter((n) => n.kind === 'district' || n.kind === 'subdistrict' || n.kind === 'community');
  box.replaceChildren(...list.map((n) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'serves', value: n.code, checked: chosen.includes(n.code) }), ' ',
    el('span', {}, `${'　'.repeat(n.depth)}${t('kind.' + n.kind)} · ${n.name}`))));
}

const number = (v) => (v === undefined || v === '' ? null : Number(v));

const placeDialog = formDialog(document.getElementById('place-dialog'), {
  async prepare(p, form) {
    document.getElementById('place-dialog-title').textContent = t(p ? 'directory_page.edit_place' : 'directory_page.new_place');
    periods.replaceChildren();
    if (p) {
      for (const name of ['name', 'code', 'kind', 'address', 'phone']) form.elements[name].value = p[name] || '';
      form.elements.lat.value = Number.isFinite(p.lat) ? String(p.lat) : '';
      form.elements.lng.value = Number.isFinite(p.lng) ? String(p.lng) : '';
      rule.value = (p.hours && p.hours.rule) || 'workdays';
      for (const period of (p.hours && p.hours.periods) || []) periodRow(period);
      form.elements.hours_note.value = (p.hours && p.hours.note) || '';
    } else {
      rule.value = 'workdays';
      periodRow({ days: [1, 2, 3, 4, 5], open: '08:30', close: '12:00' });
      periodRow({ days: [1, 2, 3, 4, 5], open: '14:30', close: '17:30' });
    }
    showPeriods();
    await Promise.all([unitOptions(form.elements.unit_code, p ? p.unit_code : ''), serveChecks(p ? p.serves || [] : [])]);
  },
  async submit(p, form) {
    const v = formValues(form);
    const body = {
      code: v.code || '', name: v.name || '', kind: v.kind, unit_code: v.unit_code || '', address: v.address || '',
      lat: number(v.lat), lng: number(v.lng), phone: v.phone || '', hours: hoursValue(form),
      serves: [...form.querySelectorAll('input[name="serves"]:checked')].map((c) => c.value),
    };
    const saved = p ? await api('PUT', `services/places/${encodeURIComponent(p.id)}`, body) : await api('POST', 'services/places', body);
    say(t('directory_page.place_saved', saved.name || body.name));
    await loadPlaces();
  },
});

document.getElementById('place-new').addEventListener('click', () => placeDialog.open(null));
