// The patrol page (巡查) on a grid worker's or a volunteer's phone: the plans in reach, each
// with a button that starts a patrol; the running patrol with its route points, each checked in
// with the phone's position (a point checked far from where it is, is flagged, never hidden),
// the checklist, findings — each turned into a case in one tap, through the intake — and the
// end; the worker's patrol log (民情日志) of the last 30 days; for a volunteer, their hours.
import { api, config, el, hide, number, show, t, when } from './api.js';
import { guarded } from './ui/action.js';
import { clearErrors, formValues, showErrors } from './ui/fields.js';
import { position } from './ui/map.js';
import { pagedTable } from './ui/table.js';
import { enqueue, isNetworkError, mountQueue, newKey } from './offline.js';

const cfg = config();
const message = document.getElementById('patrol-message');
const state = { running: null };
const beijing = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const today = () => beijing.format(new Date());
const daysAgo = (n) => beijing.format(new Date(Date.now() - n * 86400000));

const patrolPath = (suffix = '') => `patrols/${encodeURIComponent(state.running.id)}${suffix}`;

// fieldWrite sends a patrol write made in the field with an idempotency key; without network it
// is kept on the phone (offline.js) and sent, with the same key, once the phone is online. It
// returns the answer, or null when the write was queued.
async function fieldWrite(path, body, label) {
  const key = newKey();
  try {
    return await api('POST', path, body, { headers: { 'Idempotency-Key': key } });
  } catch (err) {
    if (!isNetworkError(err)) throw err;
    await enqueue({ key, path, body, photos: [], label });
    show(message, t('offline.patrol_queued'), 'warn');
    return null;
  }
}

// ---- the running patrol

function renderRunning(p, plan) {
  const panel = document.getElementById('running-panel');
  panel.hidden = !p;
  document.getElementById('plans-panel').hidden = Boolean(p);
  if (!p) return;
  panel.dataset.id = p.id;
  document.getElementById('running-heading').textContent = t('patrol_page.running', p.grid_name || p.grid_code);
  document.getElementById('running-hint').textContent = t('patrol_page.started', when(p.started_at));
  const checked = new Map((p.checks || []).map((c) => [c.point, c]));
  const route = (plan && plan.route) || [];
  document.getElementById('route').replaceChildren(...(route.length ? route.map((pt, i) => {
    const c = checked.get(i);
    return el('li', { dataset: { point: String(i), checked: String(Boolean(c)), flagged: String(Boolean(c && c.flagged)) } },
      el('span', { class: 'point-name' }, pt.name),
      c ? [el('span', {}, when(c.checked_at)), c.flagged
        ? el('span', { class: 'status', dataset: { tone: 'warn' } }, t('patrol_page.far', number(c.distance_m)))
        : el('span', { class: 'status', dataset: { tone: 'ok' } }, t('patrol_page.near', number(c.distance_m)))]
        : guarded(el('button', { type: 'button', class: 'btn btn-primary', id: 'check-' + i }, t('patrol_page.check')), message, async () => {
          const at = await position(t('patrol_page.no_position'));
          const r = await fieldWrite(patrolPath('/checks'), { point: i, lat: at.latitude, lng: at.longitude }, pt.name);
          if (!r) return;
          show(message, r.flagged ? t('patrol_page.checked_far', pt.name, number(r.distance_m)) : t('patrol_page.checked', pt.name), r.flagged ? 'error' : 'success');
          await load();
        }));
  }) : [el('li', { class: 'muted' }, t('patrol_page.no_route'))]));
  const items = (plan && plan.checklist) || [];
  document.getElementById('checklist').replaceChildren(...items.map((item, i) => el('label', { class: 'checklist-item' }, el('span', {}, item),
    el('select', { name: 'answer', id: 'answer-' + i, dataset: { item } }, ['ok', 'issue', 'na'].map((v) => el('option', { value: v, selected: (p.answers || {})[item] === v }, t('patrol_page.answer.' + v)))))));
  document.getElementById('findings').replaceChildren(...(p.findings || []).map((f) => el('li', { dataset: { id: f.id, case: f.case_id || '' } }, f.description, ' ',
    f.case_id ? el('a', { href: '/cases/' + encodeURIComponent(f.case_id) }, t('patrol_page.case', f.case_number || f.case_id))
      : guarded(el('button', { type: 'button', class: 'btn btn-small', id: 'report-' + f.id }, t('patrol_page.report')), message, async () => {
        const r = await api('POST', patrolPath(`/findings/${encodeURIComponent(f.id)}/case`));
        show(message, t('patrol_page.reported', r.case_number || r.case_id), 'success');
        await load();
      }))));
}

document.getElementById('finding-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const box = form.querySelector('.alert');
  hide(box);
  const description = form.elements.description.value.trim();
  try {
    const at = await position(t('patrol_page.no_position'));
    const r = await fieldWrite(patrolPath('/findings'), { description, lat: at.latitude, lng: at.longitude }, description);
    form.reset();
    if (r) await load();
  } catch (err) {
    show(box, err.message, 'error', err.details);
  }
});

document.getElementById('end-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const box = form.querySelector('.alert');
  hide(box);
  const answers = {};
  for (const s of document.querySelectorAll('#checklist select')) answers[s.dataset.item] = s.value;
  try {
    const r = await fieldWrite(patrolPath('/end'), { note: form.elements.note.value.trim() || undefined, answers }, t('patrol_page.end'));
    form.reset();
    if (!r) return;
    show(message, t('patrol_page.ended'), 'success');
    state.running = null;
    await load();
  } catch (err) {
    show(box, err.message, 'error', err.details);
  }
});

// ---- the plans

let plans = [];

function renderPlans() {
  document.getElementById('plans-status').textContent = plans.length ? t('patrol_page.plans_count', plans.length) : t('patrol_page.no_plans');
  document.getElementById('plans').replaceChildren(...plans.map((p) => el('div', { class: 'plan-card', dataset: { id: p.id, grid: p.grid_code } },
    el('h3', {}, p.grid_name || p.grid_code),
    el('p', { class: 'hint' }, t('patrol_page.plan_line', p.per_week, (p.route || []).length, (p.checklist || []).length)),
    guarded(el('button', { type: 'button', class: 'btn btn-primary start-button', id: 'start-' + p.id }, t('patrol_page.start')), message, async () => {
      state.running = await api('POST', 'patrols', { plan_id: p.id });
      await load();
    }))));
}

// ---- the log (民情日志) and the hours

const logTable = pagedTable(document.getElementById('log-table'), {
  columns: [
    { label: 'patrol_page.col.started', cell: (p) => when(p.started_at) },
    { label: 'patrol_page.col.grid', cell: (p) => p.grid_name || p.grid_code },
    { label: 'patrol_page.col.minutes', cell: (p) => (p.status === 'running' ? t('patrol_page.status.running') : String(p.minutes)) },
    { label: 'patrol_page.col.checks', cell: (p) => (p.flagged ? t('patrol_page.checks_flagged', p.checks, p.flagged) : String(p.checks)) },
    { label: 'patrol_page.col.findings', cell: (p) => (p.findings || []).map((f) => f.description).join('；') || '—' },
    { label: 'patrol_page.col.note', cell: (p) => p.note || '' },
  ],
  row: (p) => ({ dataset: { id: p.id, status: p.status } }),
  empty: 'patrol_page.log_none',
  load: async () => {
    const res = await api('GET', `patrols/log?user=${encodeURIComponent(cfg.user_id)}&from=${daysAgo(30)}&to=${today()}`);
    return { items: res.patrols || [] };
  },
});

const hoursNode = document.getElementById('hours-table');
const hoursTable = hoursNode && pagedTable(hoursNode, {
  columns: [
    { label: 'patrol_page.col.day', cell: (h) => h.day },
    { label: 'patrol_page.col.minutes', cell: (h) => String(h.minutes) },
    { label: 'patrol_page.col.note', cell: (h) => h.note },
    { label: 'patrol_page.col.hour_status', cell: (h) => t('patrol_page.hour_status.' + h.status) },
  ],
  row: (h) => ({ dataset: { id: h.id, status: h.status } }),
  empty: 'patrol_page.hours_none',
  load: async () => {
    const h = await api('GET', `volunteers/${encodeURIComponent(cfg.user_id)}/hours?from=${daysAgo(90)}&to=${today()}`);
    document.getElementById('hours-status').textContent = t('patrol_page.hours_total', number(h.total_minutes / 60, 1), number(h.patrol_minutes / 60, 1),
      number(h.confirmed_minutes / 60, 1), number(h.pending_minutes / 60, 1));
    return { items: h.entries || [] };
  },
});

// A volunteer logs service outside patrols; it counts once the community confirms it.
const hoursForm = document.getElementById('hours-form');
if (hoursForm) {
  hoursForm.elements.day.value = today();
  hoursForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const box = hoursForm.querySelector('.alert');
    clearErrors(hoursForm, box);
    const button = document.getElementById('hours-submit');
    button.disabled = true;
    try {
      await api('POST', `volunteers/${encodeURIComponent(cfg.user_id)}/hours`, formValues(hoursForm));
      hoursForm.elements.minutes.value = '';
      hoursForm.elements.note.value = '';
      show(box, t('patrol_page.hours_logged'), 'ok');
      await hoursTable.reload();
    } catch (err) {
      showErrors(hoursForm, box, err);
    } finally {
      button.disabled = false;
    }
  });
}

async function load() {
  // A patrol left running (the page was closed, the phone restarted) is found in the log.
  const [planList, log] = await Promise.all([api('GET', 'patrol-plans'),
    api('GET', `patrols/log?user=${encodeURIComponent(cfg.user_id)}&from=${daysAgo(30)}&to=${today()}`)]);
  plans = planList.plans || [];
  const running = (log.patrols || []).find((p) => p.status === 'running');
  state.running = running ? await api('GET', `patrols/${encodeURIComponent(running.id)}`) : null;
  const plan = state.running && plans.find((p) => p.id === state.running.plan_id);
  renderRunning(state.running, plan);
  renderPlans();
  logTable.reload();
  if (hoursTable) hoursTable.reload();
  document.body.dataset.patrol = state.running ? 'running' : 'idle';
}

const queueBox = el('section', { class: 'alert alert-info offline-queue', id: 'offline-queue', hidden: true, 'aria-live': 'polite' });
message.after(queueBox);
mountQueue(queueBox);
load().catch((err) => show(message, err.message));
