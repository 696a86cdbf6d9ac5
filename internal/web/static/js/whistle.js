// A whistle (吹哨报到, /whistles/{id}): the case, the kind, what is asked; each summoned unit's
// answer (acknowledged, checked in on site — late or far flagged, never hidden —, task done,
// rating); the shared thread; the place and the check-ins on a map. A summoned unit's staff
// acknowledge, check in with the phone's position and report their task here; the whistler
// closes the whistle once the case is solved and rates each unit. The page follows it live.
import { api, config, el, hide, show, t, when } from './api.js';
import { departments, nameOf } from './casekit.js';
import { onLive } from './live.js';
import { formDialog } from './ui/dialog.js';
import { guarded } from './ui/action.js';
import { newMap, pin, position } from './ui/map.js';
import { answerChip, kindChip, stars, statusChip } from './whistlekit.js';

const cfg = config();
const id = cfg.whistle_id;
const message = document.getElementById('whistle-message');
const state = { w: null, units: new Map(), map: null, layer: null };

const unitName = (s) => nameOf(state.units.get(s.department_code)) || s.department_name || s.department_code;

function say(text) {
  show(message, text, 'success');
}

function fact(label, ...value) {
  return [el('dt', {}, label), el('dd', {}, ...value)];
}

function renderHead(w) {
  const head = document.getElementById('whistle-head');
  head.replaceChildren(
    el('h1', {}, t('whistle_page.title_of', w.case_number || w.case_id), ' ', kindChip(w.kind), ' ', statusChip(w.status)),
    el('dl', { class: 'facts' },
      ...fact(t('whistle_page.col.case'), el('a', { href: '/cases/' + encodeURIComponent(w.case_id), id: 'case-link' }, w.case_number || w.case_id)),
      ...fact(t('whistle_page.col.by'), `${w.blown_by_name} · ${when(w.blown_at)}`),
      ...fact(t('whistle_page.ask'), w.ask),
      ...(w.closed_at ? fact(t('whistle_page.closed_at'), when(w.closed_at)) : []),
      ...(w.note ? fact(t('whistle_page.note'), w.note) : [])));
}

function checkInCell(s) {
  if (!s.checked_in_at) {
    return [el('span', { class: 'muted' }, t('whistle_page.due', when(s.due_at))),
      s.escalated_at ? el('span', { class: 'status', dataset: { tone: 'danger' } }, t('whistle_page.escalated')) : null];
  }
  return [when(s.checked_in_at), ' ',
    s.late ? el('span', { class: 'status chip-late', dataset: { tone: 'danger' } }, t('whistle_page.late')) : el('span', { class: 'status', dataset: { tone: 'ok' } }, t('whistle_page.on_time')),
    ' ', s.flagged
      ? el('span', { class: 'status chip-far', dataset: { tone: 'warn' } }, t('whistle_page.far', s.distance_m))
      : el('span', { class: 'muted' }, t('whistle_page.distance', s.distance_m))];
}

function renderSummons(w) {
  const table = document.getElementById('summons-table');
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ['whistle_page.col.unit', 'whistle_page.col.task', 'whistle_page.col.answer', 'whistle_page.col.check_in',
      'whistle_page.col.done', 'whistle_page.col.rating'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, w.summons.map((s) => el('tr', { dataset: { code: s.department_code, status: s.status, late: String(s.late), flagged: String(s.flagged) } },
      el('td', { dataset: { label: t('whistle_page.col.unit') } }, el('strong', {}, unitName(s))),
      el('td', { dataset: { label: t('whistle_page.col.task') } }, s.task),
      el('td', { dataset: { label: t('whistle_page.col.answer') } }, answerChip(s.status), s.acknowledged_at ? el('div', { class: 'sub muted' }, when(s.acknowledged_at)) : null),
      el('td', { dataset: { label: t('whistle_page.col.check_in') } }, checkInCell(s)),
      el('td', { dataset: { label: t('whistle_page.col.done') } }, s.task_done_at ? [when(s.task_done_at), el('div', { class: 'sub' }, s.task_note || '')] : '—'),
      el('td', { dataset: { label: t('whistle_page.col.rating') } }, stars(s.stars), s.rating_note ? el('div', { class: 'sub' }, s.rating_note) : null)))));
}

// ---- what the caller can do: as staff of a summoned unit, and as the whistler

const noteDialog = formDialog(document.getElementById('note-dialog'), {
  prepare(ctx) {
    document.getElementById('note-title').textContent = ctx.title;
    document.getElementById('note-label').textContent = ctx.label;
    document.getElementById('note-text').required = ctx.required;
  },
  async submit(ctx, form) {
    await ctx.send(form.elements.note.value.trim());
  },
});

async function post(path, body, done) {
  hide(message);
  await api('POST', `whistles/${encodeURIComponent(id)}/${path}`, body);
  say(done);
  await load();
}

function button(idAttr, text, fn, primary = false) {
  return guarded(el('button', { type: 'button', class: 'btn' + (primary ? ' btn-primary' : ''), id: idAttr }, text), message, fn);
}

function renderMine(w) {
  const mine = w.summons.filter((s) => (cfg.departments || []).includes(s.department_code));
  const panel = document.getElementById('my-panel');
  panel.hidden = !mine.length || w.status !== 'open';
  document.getElementById('my-units').replaceChildren(...mine.map((s) => {
    const code = s.department_code;
    const actions = [];
    if (s.status === 'summoned') {
      actions.push(button('ack-' + code, t('whistle_page.ack'), () => post('acks', { department_code: code }, t('whistle_page.acked')), true));
    }
    if (!s.checked_in_at) {
      actions.push(button('check-in-' + code, t('whistle_page.check_in'), async () => {
        const at = await position(t('whistle_page.no_position'));
        const r = await api('POST', `whistles/${encodeURIComponent(id)}/check-ins`, { lat: at.latitude, lng: at.longitude, department_code: code });
        say((r.flagged ? t('whistle_page.checked_in_far', r.distance_m) : t('whistle_page.checked_in', r.distance_m)) +
          (r.late ? ' ' + t('whistle_page.checked_in_late') : ''));
        await load();
      }, s.status !== 'summoned'));
    } else if (!s.task_done_at) {
      actions.push(button('done-' + code, t('whistle_page.task_done'), () => noteDialog.open({
        title: t('whistle_page.task_done'), label: t('whistle_page.task_note'), required: true,
        send: (note) => post(`tasks/${encodeURIComponent(code)}/done`, { note }, t('whistle_page.done_saved')),
      }), true));
    }
    return el('div', { class: 'unit-actions', dataset: { code } }, el('h3', {}, unitName(s), ' ', answerChip(s.status)),
      el('p', {}, s.task), el('div', { class: 'actions' }, actions));
  }));
}

function renderWhistler(w) {
  const panel = document.getElementById('whistler-panel');
  const mineToRun = cfg.can_blow && (w.blown_by === cfg.user_id || cfg.leads);
  panel.hidden = !mineToRun || w.status === 'cancelled';
  const box = document.getElementById('whistler-actions');
  box.replaceChildren();
  if (w.status === 'open') {
    box.append(
      button('whistle-close', t('whistle_page.close'), () => noteDialog.open({
        title: t('whistle_page.close'), label: t('whistle_page.close_note'), required: false,
        send: (note) => post('close', note ? { note } : {}, t('whistle_page.closed')),
      }), true),
      button('whistle-cancel', t('whistle_page.cancel'), () => noteDialog.open({
        title: t('whistle_page.cancel'), label: t('whistle_page.cancel_note'), required: true,
        send: (note) => post('cancel', { note }, t('whistle_page.cancelled')),
      })));
  }
  // The rows of units still to rate are kept across reloads (a live update must not wipe a
  // choice being made); a rated unit's row goes.
  const rates = document.getElementById('rate-box');
  const open = w.status === 'closed' ? w.summons.filter((s) => !s.stars) : [];
  for (const row of rates.querySelectorAll('.rate-row')) {
    if (!open.some((s) => s.department_code === row.dataset.code)) row.remove();
  }
  if (!open.length) {
    rates.replaceChildren();
    return;
  }
  if (!rates.querySelector('.hint')) rates.prepend(el('p', { class: 'hint' }, t('whistle_page.rate_hint')));
  for (const s of open) {
    const code = s.department_code;
    if (rates.querySelector(`.rate-row[data-code="${CSS.escape(code)}"]`)) continue;
    const pick = el('select', { id: 'stars-' + code, 'aria-label': t('whistle_page.col.rating') },
      [5, 4, 3, 2, 1].map((n) => el('option', { value: String(n) }, '★'.repeat(n) + ' ' + t('whistle_page.stars_n', n))));
    const note = el('input', { id: 'rate-note-' + code, maxlength: '500', placeholder: t('whistle_page.rate_note'), 'aria-label': t('whistle_page.rate_note') });
    rates.append(el('div', { class: 'rate-row', dataset: { code } }, el('strong', {}, unitName(s)), pick, note,
      button('rate-' + code, t('whistle_page.rate'), () => post('ratings', { department_code: code, stars: Number(pick.value), note: note.value.trim() || undefined },
        t('whistle_page.rated', unitName(s))), true)));
  }
}

// ---- thread and map

async function renderThread() {
  const res = await api('GET', `whistles/${encodeURIComponent(id)}/messages`);
  document.getElementById('thread').replaceChildren(...(res.messages || []).map((m) => el('li', {},
    el('div', { class: 'who' }, `${m.author_name || ''} · ${when(m.at || m.created_at)}`), el('div', {}, m.body))));
}

const threadForm = document.getElementById('thread-form');
threadForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const box = threadForm.querySelector('.alert');
  hide(box);
  const body = threadForm.elements.body.value.trim();
  if (!body) return;
  try {
    await api('POST', `whistles/${encodeURIComponent(id)}/messages`, { body });
    threadForm.reset();
    await renderThread();
  } catch (err) {
    show(box, err.message, 'error', err.details);
  }
});

function renderMap(w) {
  if (!window.L) return;
  if (!state.map) {
    state.map = newMap('map');
    state.layer = window.L.layerGroup().addTo(state.map);
  }
  state.layer.clearLayers();
  const points = [[w.lat, w.lng]];
  pin([w.lat, w.lng], { title: t('whistle_page.place') }).addTo(state.layer);
  for (const s of w.summons) {
    if (s.check_in_lat === undefined || s.check_in_lat === null) continue;
    points.push([s.check_in_lat, s.check_in_lng]);
    window.L.circleMarker([s.check_in_lat, s.check_in_lng], { radius: 7, color: s.flagged ? '#c8102e' : '#2e9e57' })
      .bindTooltip(unitName(s)).addTo(state.layer);
  }
  state.map.fitBounds(window.L.latLngBounds(points).pad(0.4), { maxZoom: 17 });
}

async function load() {
  const w = await api('GET', `whistles/${encodeURIComponent(id)}`);
  state.w = w;
  renderHead(w);
  renderSummons(w);
  renderMine(w);
  renderWhistler(w);
  renderMap(w);
  await renderThread();
  threadForm.hidden = w.status !== 'open';
  const page = document.getElementById('whistle-page');
  page.setAttribute('aria-busy', 'false');
  page.dataset.status = w.status;
  page.dataset.loaded = String(Date.now());
}

async function main() {
  state.units = await departments();
  try {
    await load();
  } catch (err) {
    document.getElementById('whistle-head').replaceChildren(el('p', { class: 'alert alert-error', id: 'whistle-error' }, err.message));
    return;
  }
  onLive('whistle', (m) => {
    if (m.id === id) load().catch(() => {});
  });
  onLive('reconnect', () => load().catch(() => {}));
}

main();
