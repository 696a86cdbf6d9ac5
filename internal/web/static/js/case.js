// The case page (/cases/{id}), for every staff role and the reporter: the header (number,
// status, SLA light, deadlines), the place on the map, the description and facts, the photos,
// the timeline, open cases nearby (possible duplicates, with a merge button where the caller may
// merge) and exactly the action buttons the API lists in allowed_actions, each opening a small
// form with the fields that action needs (更正分类与位置 with a category search and a small map
// to move the pin). Roles that call reporters back may reveal the full phone number (audited).
// The page follows the case live.
import { api, config, el, hide, roleName, show, t, when } from './api.js';
import {
  actionName, categoryPicker, categoryText, channelName, departments, dueText, flash, kindName, lookups,
  nameOf, orgNames, placeText, ratings, residentSteps, slaDot, statusChip, statusName, stepChip, unitGroups, unitPicker, urgencyName,
} from './casekit.js';
import { onLive } from './live.js';
import { formDialog, openDialog } from './ui/dialog.js';
import { field, radio } from './ui/fields.js';
import { gridBackground, mapPicker, newMap, pin, placeField } from './ui/map.js';
import { nearestAddress } from './ui/address.js';
import { photoField, photoPicker } from './ui/photos.js';
import { blowButton, kindChip, statusChip as whistleStatus } from './whistlekit.js';

const cfg = config();
const caseID = cfg.case_id;
const staff = cfg.roles.some((r) => r !== 'resident');
// The roles that call reporters back may see the full number (POST /api/v1/cases/{id}/contact,
// which decides per case and records every reveal in the audit log).
const callsBack = cfg.roles.some((r) => ['intake_operator', 'shift_lead', 'dispatcher', 'grid_worker', 'department_staff'].includes(r));

const state = {
  c: null, look: null, map: null, pin: null, nearby: [], pending: null, said: 0,
  contact: null, // the revealed contact {reporter_name, reporter_phone}
  fix: null, // the reclassify form: {category, place} (the category and map pickers)
  pickers: [], // the photo pickers of the open form: [{picker, stage}]
  units: null, // the dispatch form's unit picker (主办/协办)
};

// The fields each action's form asks for; a trailing "!" marks a required note (the workflow's
// rule, cases.Next), checked here too so the form says so before the API does.
const forms = {
  confirm: ['result', 'note', 'photos'],
  register: ['note'],
  void: ['note!'],
  merge: ['target', 'note'],
  dispatch: ['units', 'note'],
  sign: ['note'],
  return: ['note!'],
  reject_return: ['note'],
  handle: ['note!', 'photos'],
  report_back: ['note', 'evidence'],
  verify: ['result', 'note', 'photos'],
  rework: ['note!'],
  close: ['note'],
  overrule: ['note!'],
  request_extension: ['new_deadline', 'note!'],
  approve_extension: ['note'],
  refuse_extension: ['note!'],
  shelve: ['review_date', 'note!'],
  unshelve: ['note'],
  defer: ['review_date', 'note!'],
  resume: ['note'],
  supervise: ['note!'],
  comment: ['note!', 'internal', 'evidence'],
  reclassify: ['category', 'urgency', 'place', 'address', 'note'],
};

// The actions that move a case forward are shown first and stand out.
const forward = ['confirm', 'register', 'dispatch', 'sign', 'handle', 'report_back', 'verify', 'close', 'approve_extension', 'unshelve', 'resume'];

const message = document.getElementById('case-message');

// say confirms an action the caller took.
function say(text) {
  show(message, text, 'ok');
  state.said = Date.now();
}

// ---- header and facts

function fact(label, ...value) {
  return [el('dt', {}, label), el('dd', {}, ...value)];
}

function deptName(code) {
  const d = state.look.depts.get(code);
  return d ? nameOf(d) : code;
}

function renderHead(c) {
  const flags = [];
  if (c.reopen_count) flags.push(el('span', { class: 'badge badge-danger', id: 'flag-reopened' }, t('desk.case.reopened')));
  if (c.rework_count) flags.push(el('span', { class: 'badge badge-warn' }, t('desk.case.reworked', c.rework_count)));
  if (c.supervise_count) flags.push(el('span', { class: 'badge badge-danger' }, t('desk.case.supervised', c.supervise_count)));
  if (c.extension_pending) flags.push(el('span', { class: 'badge badge-warn' }, t('desk.case.extension_pending')));
  if (c.urgency && c.urgency !== 'normal') flags.push(el('span', { class: 'badge badge-danger' }, urgencyName(c.urgency)));
  const head = document.getElementById('case-head');
  if (!staff) {
    renderResidentHead(head, c);
  } else head.replaceChildren(
    el('div', { class: 'case-title' },
      el('h1', {}, t('desk.case.heading'), ' ', el('span', { id: 'case-number' }, c.number)),
      el('span', { id: 'case-status' }, statusChip(c.status)), ...flags),
    el('div', { class: 'case-clock' },
      el('span', { class: 'clock-item' }, slaDot(c.sla), ' ', c.sla ? t('desk.sla.' + c.sla) : t('desk.sla.none')),
      c.stage_due ? el('span', { class: 'clock-item' }, t('desk.case.stage_due', t('desk.stage.' + c.stage)), ' ',
        el('strong', {}, when(c.stage_due)), ' ', el('span', { class: c.sla === 'red' ? 'overdue' : 'muted' }, dueText(c.stage_due))) : null,
      c.deadline && c.stage !== 'handle' ? el('span', { class: 'clock-item' }, t('desk.case.deadline'), ' ', el('strong', {}, when(c.deadline))) : null,
      c.review_date ? el('span', { class: 'clock-item', id: 'case-review-date' }, t('desk.case.review_date'), ' ', el('strong', {}, when(c.review_date)),
        ' ', el('span', { class: new Date(c.review_date) <= new Date() ? 'overdue' : 'muted' }, dueText(c.review_date))) : null));
  if (c.merged_into) {
    head.append(el('p', { class: 'alert alert-info' }, t('desk.case.merged_into'), ' ', el('a', { href: '/cases/' + c.merged_into }, t('desk.case.open_target'))));
  }
  if (c.following) {
    // 我也遇到: the caller follows someone else's case and sees only what the public sees.
    const leave = el('button', { type: 'button', class: 'btn btn-small', id: 'leave-case' }, t('desk.case.leave'));
    leave.addEventListener('click', async () => {
      leave.disabled = true;
      try {
        await api('DELETE', `cases/${caseID}/join`);
        window.location.assign('/my');
      } catch (err) {
        show(message, err.message, 'error');
        leave.disabled = false;
      }
    });
    head.append(el('p', { class: 'alert alert-info', id: 'following-note' }, t('desk.case.following'), ' ', leave));
  }
}

/**
 * renderResidentHead is the head of the case page for a resident: where the case stands in
 * plain words on a step bar (已受理 → 已派单 → 处理中 → 已办结 → 待评价), the expected time in
 * working days, and no codes, clocks or staff jargon.
 */
function renderResidentHead(head, c) {
  const step = c.step === 'closed' && (c.allowed_actions || []).includes('rate') ? 'to_rate' : c.step;
  const at = residentSteps.indexOf(step);
  const bar = el('ol', { class: 'step-bar', id: 'step-bar', 'aria-label': t('case.step.bar') }, residentSteps.map((s, i) => el('li', {
    class: i < at ? 'done' : i === at ? 'current' : '', 'aria-current': i === at ? 'step' : null, dataset: { step: s },
  }, t('case.step.' + s))));
  let line = null;
  if (c.expected_working_days) line = t('case.step.expected', c.expected_working_days);
  else if (step === 'received') line = t('case.step.received_hint');
  else if (step === 'paused') line = t('case.step.paused_hint');
  head.replaceChildren(
    el('div', { class: 'case-title' },
      el('h1', {}, t('desk.case.heading'), ' ', el('span', { id: 'case-number' }, c.number)),
      el('span', { id: 'case-status' }, stepChip(step))),
    at >= 0 || step === 'received' ? bar : null,
    line ? el('p', { class: 'hint', id: 'case-expected' }, line) : null);
}

function renderFacts(c) {
  document.getElementById('case-description').textContent = c.description;
  const facts = [
    fact(t('desk.case.category'), categoryText(c, state.look.cats), c.category_code ? el('code', {}, ' ' + c.category_code) : ''),
    fact(t('desk.case.kind'), kindName(c.kind)),
    fact(t('desk.case.urgency'), urgencyName(c.urgency)),
    fact(t('desk.case.channel'), channelName(c.channel)),
    fact(t('desk.case.place'), el('span', { id: 'case-grid' }, placeText(c, null, true)), ' ', el('code', {}, c.grid_code)),
  ];
  if (c.address) facts.push(fact(t('desk.case.address'), c.address));
  if (c.anonymous) facts.push(fact(t('desk.case.reporter'), t('desk.case.anonymous')));
  else if (c.reporter_name || c.reporter_phone) facts.push(fact(t('desk.case.reporter'), reporter(c)));
  if (c.department_code) facts.push(fact(t('desk.case.department'), el('span', { id: 'case-department' }, deptName(c.department_code))));
  else if (c.suggested_department_code && staff) facts.push(fact(t('desk.case.suggested'), deptName(c.suggested_department_code)));
  if (c.assisting_department_codes && c.assisting_department_codes.length && c.department_code) {
    facts.push(fact(t('desk.case.assisting'), c.assisting_department_codes.map(deptName).join('、')));
  }
  facts.push(fact(t('desk.case.reported_at'), when(c.reported_at)));
  if (c.closed_at && c.status === 'closed') facts.push(fact(t('desk.case.closed_at'), when(c.closed_at)));
  if (c.rating) facts.push(fact(t('desk.case.rating'), el('span', { id: 'case-rating' }, t('desk.rating.' + c.rating))));
  document.getElementById('case-facts').replaceChildren(...facts.flat());
  if (staff) showNearest(c);
}

// showNearest adds the gazetteer's address nearest to the case's point (staff who may search the
// gazetteer; for others the lookup is refused and nothing is shown). Looked up once per point.
async function showNearest(c) {
  if (typeof c.lat !== 'number' || typeof c.lng !== 'number') return;
  const key = `${c.lat},${c.lng}`;
  if (state.nearestKey !== key) {
    state.nearestKey = key;
    state.nearest = nearestAddress(c.lat, c.lng);
  }
  const r = await state.nearest;
  if (!r || state.nearestKey !== key || document.getElementById('case-gazetteer')) return;
  const text = r.name ? `${r.address}（${r.name}）` : r.address;
  document.getElementById('case-facts').append(...fact(t('desk.case.gazetteer'),
    el('span', { id: 'case-gazetteer' }, text), ' ', el('span', { class: 'muted' }, t('desk.case.gazetteer_distance', Math.round(r.distance_m)))));
}

// reporter shows the reporter's contact: masked, with a button to reveal the full number for
// the roles that call back; once revealed, the full number as a tel: link and the audit note.
function reporter(c) {
  if (state.contact) {
    const { reporter_name: name, reporter_phone: phone } = state.contact;
    return el('span', { class: 'contact contact-revealed', id: 'case-reporter' },
      name ? el('span', { id: 'contact-name' }, name) : null, name && phone ? ' · ' : null,
      phone ? el('a', { href: 'tel:' + phone.replace(/[^\d+]/g, ''), id: 'contact-phone', class: 'contact-phone' }, phone) : null,
      el('span', { class: 'contact-note', id: 'contact-note' }, t('desk.contact.audited')));
  }
  const masked = el('span', { id: 'case-reporter-masked' }, [c.reporter_name, c.reporter_phone].filter(Boolean).join(' · '));
  if (!callsBack || !c.reporter_phone) return el('span', { class: 'contact', id: 'case-reporter' }, masked);
  // Every reveal says why (recorded with it in the audit log).
  const reason = el('select', { id: 'contact-reason', 'aria-label': t('desk.contact.reason') },
    ['callback', 'site', 'clarify', 'safety'].map((r) => el('option', { value: t('desk.contact.reason.' + r) }, t('desk.contact.reason.' + r))));
  const button = el('button', { type: 'button', class: 'btn btn-small', id: 'reveal-contact' }, t('desk.contact.reveal'));
  button.addEventListener('click', () => revealContact(button, reason.value));
  return el('span', { class: 'contact', id: 'case-reporter' }, masked, ' ', reason, ' ', button);
}

async function revealContact(button, reason) {
  hide(message);
  button.disabled = true;
  try {
    state.contact = await api('POST', `cases/${caseID}/contact`, { reason });
    renderFacts(state.c);
    document.getElementById('contact-phone')?.focus();
  } catch (err) {
    show(message, err.message, 'error', err.details);
    button.disabled = false;
  }
}

// ---- actions

function renderActions(c) {
  const panel = document.getElementById('actions-panel');
  const box = document.getElementById('case-actions');
  const allowed = c.allowed_actions || [];
  // The same actions as shown: keep the buttons, so a reload never takes one from under a click.
  const shown = allowed.join(' ');
  if (box.dataset.actions === shown && box.childElementCount) {
    panel.hidden = allowed.length === 0;
    return;
  }
  box.dataset.actions = shown;
  const buttons = [];
  const ordered = [...allowed].sort((a, b) => (forward.includes(b) ? 1 : 0) - (forward.includes(a) ? 1 : 0));
  for (const action of ordered) {
    if (action === 'rate') continue;
    const button = el('button', { type: 'button', class: 'btn' + (forward.includes(action) ? ' btn-primary' : ''), id: 'act-' + action, dataset: { action } }, actionName(action));
    button.addEventListener('click', () => openForm(action));
    buttons.push(button);
  }
  box.replaceChildren(...buttons);
  if (allowed.includes('rate')) box.prepend(rateBlock());
  panel.hidden = allowed.length === 0;
}

// rateBlock offers the reporter's verdict as three buttons (one tap), with an optional remark.
function rateBlock() {
  const note = el('input', { id: 'rate-note', maxlength: '500', placeholder: t('desk.rate.note'), 'aria-label': t('desk.rate.note') });
  const buttons = ratings.map((r) => {
    const b = el('button', { type: 'button', class: `btn btn-rate rate-${r}`, id: 'rate-' + r }, t('desk.rating.' + r));
    b.addEventListener('click', () => act('rate', { rating: r, note: note.value.trim() || undefined }, b));
    return b;
  });
  return el('div', { class: 'rate-block', id: 'rate-block' }, el('p', { class: 'rate-ask' }, t('desk.rate.ask')),
    el('div', { class: 'actions rate-buttons' }, buttons), note);
}

async function act(action, body, button) {
  hide(message);
  if (button) button.disabled = true;
  try {
    await api('POST', `cases/${caseID}/actions/${action}`, body);
    say(t('desk.case.done', actionName(action)));
    await load();
  } catch (err) {
    show(message, err.message, 'error', err.details);
  } finally {
    if (button) button.disabled = false;
  }
}

// fieldsFor builds the controls of an action's form.
async function fieldsFor(action, preset) {
  const c = state.c;
  const parts = [];
  for (const spec of forms[action] || ['note']) {
    const name = spec.replace('!', '');
    switch (name) {
      case 'result':
        parts.push(el('fieldset', { class: 'field' }, el('legend', {}, t('desk.form.result')),
          el('div', { class: 'radio-row' }, radio('result', 'pass', t('desk.result.pass'), true), radio('result', 'fail', t('desk.result.fail'), false))));
        break;
      case 'units': {
        // Every handling unit at every level, grouped (区级部门 / each 街道's units / 社区), with search.
        const [depts, names] = await Promise.all([departments(), orgNames()]);
        state.units = unitPicker(unitGroups([...depts.values()], names, c), {
          lead: c.department_code || c.suggested_department_code || '', assisting: c.assisting_department_codes || [],
          suggested: c.suggested_department_code || '',
        });
        parts.push(state.units.node);
        break;
      }
      case 'evidence':
        // A handling unit's photos, before and after the fix (处置前/处置后), shown side by side
        // at verification; others comment without photos here.
        if (!handles(c)) break;
        parts.push(el('p', { class: 'hint' }, t('desk.evidence.hint')),
          staged(photoField('f-photos-before', t('desk.evidence.photos_before')), 'before'),
          staged(photoField('f-photos', t('desk.evidence.photos_after')), 'after'));
        break;
      case 'target': {
        const select = el('select', { id: 'f-target', required: true }, el('option', { value: '' }, t('desk.form.choose')),
          state.nearby.map((n) => el('option', { value: n.id, selected: n.id === preset }, `${n.number} · ${statusName(n.status)} · ${n.description}`)));
        parts.push(field('f-target', t('desk.form.target'), select, state.nearby.length ? '' : t('desk.form.no_target')));
        break;
      }
      case 'new_deadline':
        parts.push(field('f-new-deadline', t('desk.form.new_deadline'), el('input', { type: 'datetime-local', id: 'f-new-deadline', required: true })));
        break;
      case 'review_date':
        parts.push(field('f-review-date', t('desk.form.review_date'), el('input', { type: 'date', id: 'f-review-date', required: true })));
        break;
      case 'note':
        parts.push(field('f-note', spec.endsWith('!') ? t('desk.form.note_required') : t('desk.form.note'),
          el('textarea', { id: 'f-note', name: 'note', rows: '3', maxlength: '2000', required: spec.endsWith('!') })));
        break;
      case 'photos':
        parts.push(photoField('f-photos', t('desk.form.photos'), t('desk.form.photos_hint')));
        break;
      case 'internal':
        if (staff) parts.push(el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'f-internal' }), ' ', t('desk.form.internal')));
        break;
      case 'category': {
        const cat = state.look.cats.get(c.category_code);
        state.fix.category = categoryPicker(state.look.cats, 'f-category', cat && cat.class === c.category_class ? cat : null);
        parts.push(el('p', { class: 'hint' }, t('desk.reclassify.hint')),
          el('div', { class: 'field' }, el('label', { for: 'f-category-search' }, t('desk.reclassify.category')), state.fix.category.node));
        break;
      }
      case 'place':
        // The map is made once the dialog shows (openForm); the hidden fields take a typed point.
        parts.push(placeField('f', t('desk.reclassify.place'), t('desk.reclassify.map_hint'), c));
        break;
      case 'urgency':
        parts.push(field('f-urgency', t('desk.case.urgency'), el('select', { id: 'f-urgency' },
          ['normal', 'urgent', 'emergency'].map((u) => el('option', { value: u, selected: u === c.urgency }, urgencyName(u))))));
        break;
      case 'address':
        parts.push(field('f-address', t('desk.case.address'), el('input', { id: 'f-address', maxlength: '200', value: c.address || '', autocomplete: 'off' })));
        break;
    }
  }
  return parts;
}

// ---- reclassify: the place

// placeMap shows the case's place on a small map in the dialog (ui/map.js): a tap moves the pin
// and looks up the grid at once, as on the report form. A point in another subdistrict is
// allowed (the case then goes to that subdistrict's desk), and the form says so.
function placeMap() {
  const c = state.c;
  state.fix.place = mapPicker({ map: 'f-map', where: 'f-where', lat: 'f-lat', lng: 'f-lng' }, {
    start: { lat: c.lat, lng: c.lng },
    onPlace: (place, where) => {
      if (place.grid.subdistrict_code !== state.c.subdistrict_code) {
        where.append(el('span', { class: 'where-move', id: 'f-where-move' }, t('desk.reclassify.other_subdistrict', place.grid.subdistrict_name)));
      }
    },
  });
}

// reclassifyBody sends only what the form changes; it says what is missing otherwise.
function reclassifyBody(body) {
  const c = state.c;
  const fix = state.fix;
  const cat = fix.category.value();
  if (cat && (cat.code !== c.category_code || cat.class !== c.category_class)) {
    body.category_class = cat.class;
    body.category_code = cat.code;
  }
  const place = fix.place.place;
  if (fix.place.moved) {
    if (!place) return t('desk.reclassify.place_wait');
    if (place.lat !== c.lat || place.lng !== c.lng) {
      body.lat = place.lat;
      body.lng = place.lng;
    }
  }
  const address = document.getElementById('f-address').value.trim();
  if (address !== (c.address || '')) body.address = address;
  const urgency = document.getElementById('f-urgency').value;
  if (urgency !== c.urgency) body.urgency = urgency;
  const changes = ['category_code', 'lat', 'address', 'urgency'].filter((k) => k in body);
  return changes.length ? '' : t('desk.reclassify.nothing');
}

// afterReclassify tells where the case went. When it moved to another subdistrict the caller
// may no longer reach it: then back to the desk, with the message.
async function afterReclassify(before, after, located) {
  const moved = after.subdistrict_code !== before.subdistrict_code;
  // The place looked up in the form names the new subdistrict; the answer's name is the fallback.
  const name = (located && located.subdistrict_code === after.subdistrict_code && located.subdistrict_name) ||
    after.subdistrict_name || after.subdistrict_code;
  try {
    await load();
  } catch (err) {
    if (moved && err.status === 404) {
      flash(t('desk.reclassify.moved_away', name, after.number), 'ok');
      location.assign('/desk');
      return;
    }
    throw err;
  }
  say(moved ? t('desk.reclassify.moved', name) : t('desk.case.done', actionName('reclassify')));
}

// The action form: one dialog (case.html) whose fields fieldsFor builds for the action.
const actionDialog = formDialog(document.getElementById('action-dialog'), {
  async prepare({ action, preset }) {
    closeForm();
    state.fix = action === 'reclassify' ? { category: null, place: null } : null;
    const dialog = document.getElementById('action-dialog');
    document.getElementById('action-title').textContent = actionName(action) + ' · ' + state.c.number;
    document.getElementById('action-fields').replaceChildren(...await fieldsFor(action, preset));
    // One picker per photo field; a field's data-stage says which side of the fix it shows.
    state.pickers = [...document.querySelectorAll('#action-fields input[type="file"]')].map((input) => ({
      stage: input.dataset.stage || '',
      picker: photoPicker({ input, list: document.getElementById(input.id + '-previews'), box: document.getElementById('action-message') }),
    }));
    dialog.dataset.action = action;
    dialog.classList.toggle('dialog-wide', action === 'reclassify');
  },
  submit: ({ action }) => submitForm(action),
  lateError: (err) => show(message, err.message, 'error', err.details),
});

async function openForm(action, preset) {
  await actionDialog.open({ action, preset });
  if (document.getElementById('f-map')) placeMap();
}

// closeForm lets go of what the last form made (its map, its photos).
function closeForm() {
  if (state.fix && state.fix.place) state.fix.place.remove();
  for (const p of state.pickers) p.picker.clear();
  state.fix = null;
  state.pickers = [];
  state.units = null;
}

function formBody(action) {
  const value = (id) => {
    const node = document.getElementById(id);
    return node ? node.value.trim() : '';
  };
  const body = {};
  const note = value('f-note');
  if (note) body.note = note;
  const result = document.querySelector('#action-fields input[name="result"]:checked');
  if (result) body.result = result.value;
  if (state.units && action === 'dispatch') {
    const units = state.units.value();
    body.department_code = units.lead;
    if (units.assisting.length) body.assisting_department_codes = units.assisting;
    if (!units.lead) return { body, missing: t('desk.dispatch.lead_missing') };
  }
  if (document.getElementById('f-target')) body.target_id = value('f-target');
  if (value('f-new-deadline')) body.new_deadline = new Date(value('f-new-deadline')).toISOString();
  // A review date is a day: the start of that working day in Beijing time.
  if (value('f-review-date')) body.review_date = new Date(value('f-review-date') + 'T09:00:00+08:00').toISOString();
  if (document.getElementById('f-internal')?.checked) body.internal = true;
  if (action === 'reclassify') return { body, missing: reclassifyBody(body) };
  const required = (forms[action] || []).includes('note!') || (action === 'verify' && body.result === 'fail');
  return { body, missing: required && [...note].length < 2 ? t('desk.form.note_missing') : '' };
}

// submitForm sends the form's photos, then the action; the dialog closes when it is done.
async function submitForm(action) {
  const { body, missing } = formBody(action);
  if (missing) throw new Error(missing);
  for (const { picker, stage } of state.pickers) {
    await picker.ready();
    if (!picker.count) continue;
    await api('POST', `cases/${caseID}/photos` + (stage ? '?stage=' + stage : ''), picker.append(new FormData()));
    // Stored: a second try of a refused action does not send them again.
    picker.clear();
  }
  const before = state.c;
  const after = await api('POST', `cases/${caseID}/actions/${action}`, body);
  if (action === 'reclassify') {
    const located = state.fix && state.fix.place && state.fix.place.place ? state.fix.place.place.grid : null;
    actionDialog.close();
    await afterReclassify(before, after, located);
    return;
  }
  actionDialog.close();
  say(t('desk.case.done', actionName(action)));
  await load();
}

// ---- photos, timeline, nearby

function renderPhotos(photos) {
  const list = document.getElementById('case-photos');
  if (!photos.length) {
    list.replaceChildren(el('li', { class: 'muted empty' }, t('desk.case.no_photos')));
    return;
  }
  list.replaceChildren(...photos.map((p) => el('li', { dataset: { kind: p.kind, stage: p.stage || '' } }, photoButton(p))));
}

// photoLabel names what a photo shows: before/after the fix (处置前/处置后), or whose it is.
const photoLabel = (p) => (p.stage ? t('desk.evidence.' + p.stage) : t('desk.photo.' + p.kind));

// photoButton is a photo's thumbnail, opening the full photo in the photo dialog.
function photoButton(p, label = photoLabel(p)) {
  const button = el('button', { type: 'button', class: 'photo-thumb', 'aria-label': t('desk.case.photo_view') },
    el('img', { src: p.thumbnail_url, alt: label, loading: 'lazy' }),
    el('span', { class: 'photo-kind' }, label));
  button.addEventListener('click', () => {
    const dialog = document.getElementById('photo-dialog');
    document.getElementById('photo-full').src = p.url;
    document.getElementById('photo-open').href = p.url;
    openDialog(dialog);
  });
  return button;
}

// staged marks a photo field's file input with the side of the fix its photos show.
function staged(node, stage) {
  node.querySelector('input[type="file"]').dataset.stage = stage;
  node.dataset.stage = stage;
  return node;
}

// handles says whether the caller handles c now as a handling unit (lead or assisting): they add
// photos before and after the fix.
function handles(c) {
  return cfg.roles.includes('department_staff') && ['dispatched', 'handling'].includes(c.status);
}

// renderEvidence puts the photos before the fix and after it side by side (核查 compares them):
// before are the handling unit's 处置前 photos, else the reporter's; after its 处置后 photos.
// Shown once the case is reported back, or as soon as there is an after-photo.
function renderEvidence(c, photos) {
  const panel = document.getElementById('evidence-panel');
  const after = photos.filter((p) => p.stage === 'after');
  const marked = photos.filter((p) => p.stage === 'before');
  const before = marked.length ? marked : photos.filter((p) => p.kind === 'report');
  if (!after.length && !['reported_back', 'verified', 'closed'].includes(c.status)) {
    panel.hidden = true;
    return;
  }
  const column = (id, heading, list, label) => el('div', { class: 'evidence-side', id, dataset: { count: String(list.length) } },
    el('h3', {}, heading),
    list.length ? el('ul', { class: 'photo-grid' }, list.map((p) => el('li', { dataset: { kind: p.kind, stage: p.stage || '' } }, photoButton(p, label(p)))))
      : el('p', { class: 'muted empty' }, t('desk.evidence.none')));
  const sides = el('div', { class: 'evidence-compare' },
    column('evidence-before', t('desk.evidence.before'), before, (p) => (p.stage ? t('desk.evidence.before') : t('desk.evidence.reporter_before'))),
    column('evidence-after', t('desk.evidence.after'), after, () => t('desk.evidence.after')));
  // Side by side even on a phone: the point is to compare.
  Object.assign(sides.style, { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: '12px' });
  document.getElementById('evidence-compare').replaceChildren(sides);
  panel.hidden = false;
}

function eventDetails(e) {
  const d = e.data || {};
  const out = [];
  if (d.result) out.push(t('desk.result.' + d.result));
  if (d.rating) out.push(t('desk.rating.' + d.rating));
  if (d.department_code) out.push(t('desk.event.department', deptName(d.department_code)));
  if (d.assisting_department_codes) out.push(t('desk.event.assisting', d.assisting_department_codes.map(deptName).join('、')));
  if (d.target_number) out.push(t('desk.event.target', d.target_number));
  if (d.new_deadline) out.push(t('desk.event.new_deadline', when(d.new_deadline)));
  if (d.review_date) out.push(t('desk.event.review_date', when(d.review_date)));
  if (d.channel) out.push(channelName(d.channel));
  if (d.before && d.after) out.push(...corrections(d.before, d.after));
  return out.join(' · ');
}

// corrections names what a reclassify changed: category, urgency, grid (before → after).
function corrections(before, after) {
  const cat = (code) => {
    const c = code && state.look.cats.get(code);
    return c ? nameOf(c) : code || t('desk.case.no_category');
  };
  const out = [];
  if (before.category_code !== after.category_code) out.push(t('desk.event.changed', t('desk.case.category'), cat(before.category_code), cat(after.category_code)));
  if (before.urgency !== after.urgency) out.push(t('desk.event.changed', t('desk.case.urgency'), urgencyName(before.urgency), urgencyName(after.urgency)));
  if (before.grid_code !== after.grid_code) out.push(t('desk.event.changed', t('desk.event.grid'), before.grid_code, after.grid_code));
  return out;
}

function renderTimeline(events) {
  document.getElementById('timeline').replaceChildren(...events.slice().reverse().map((e) => el('li', { class: `timeline-item action-${e.action}`, dataset: { action: e.action } },
    el('div', { class: 'timeline-line' },
      el('span', { class: 'timeline-action' }, actionName(e.action)), ' ', staff ? statusChip(e.status) : stepChip(e.step),
      el('span', { class: 'timeline-time' }, when(e.at))),
    el('div', { class: 'timeline-who muted' }, [e.role ? roleName(e.role) : '', e.actor === 'system' ? t('desk.event.system') : e.actor].filter(Boolean).join(' · '),
      e.public ? '' : el('span', { class: 'badge badge-muted' }, t('desk.event.internal'))),
    eventDetails(e) ? el('div', { class: 'timeline-data' }, eventDetails(e)) : null,
    e.note ? el('p', { class: 'timeline-note' }, e.note) : null)));
}

async function renderNearby(c) {
  const panel = document.getElementById('nearby-panel');
  if (c.following || !['confirming', 'reported', 'registered', 'dispatched', 'returned', 'handling'].includes(c.status)) {
    panel.hidden = true;
    return;
  }
  try {
    state.nearby = (await api('GET', `cases/${caseID}/nearby`)).cases;
  } catch {
    state.nearby = [];
  }
  const canMerge = (c.allowed_actions || []).includes('merge');
  document.getElementById('nearby-list').replaceChildren(...(state.nearby.length ? state.nearby.map((n) => {
    const item = el('li', { dataset: { id: n.id } }, el('a', { href: '/cases/' + n.id }, n.number), ' ', statusChip(n.status), ' ',
      el('span', { class: 'muted' }, t('desk.case.distance', n.distance_m)), el('div', { class: 'nearby-text' }, n.description));
    if (canMerge) {
      const merge = el('button', { type: 'button', class: 'btn btn-small', dataset: { target: n.id } }, t('desk.case.merge_into', n.number));
      merge.addEventListener('click', () => openForm('merge', n.id));
      item.append(merge);
    } else if (!staff) {
      // A resident does not merge: they follow the other case (我也遇到) and see its public face.
      const join = el('button', { type: 'button', class: 'btn btn-small join-case', dataset: { target: n.id } }, t('desk.case.join'));
      join.addEventListener('click', () => joinCase(join, n.id));
      item.append(join);
    }
    return item;
  }) : [el('li', { class: 'muted' }, t('desk.case.no_nearby'))]));
  panel.hidden = false;
}

async function joinCase(button, id) {
  hide(message);
  button.disabled = true;
  try {
    await api('POST', `cases/${id}/join`);
    window.location.assign('/cases/' + id);
  } catch (err) {
    show(message, err.message, 'error');
    button.disabled = false;
  }
}

function renderMap(c) {
  if (!window.L) return;
  if (!state.map) {
    state.map = newMap('map');
    gridBackground(state.map).catch(() => {});
  }
  if (state.pin) state.pin.setLatLng([c.lat, c.lng]);
  else state.pin = pin([c.lat, c.lng]).addTo(state.map);
  state.map.invalidateSize();
  state.map.setView([c.lat, c.lng], 15.5, { animate: false });
  document.getElementById('case-place').textContent = `${placeText(c, null, true)} · ${c.lat.toFixed(5)}, ${c.lng.toFixed(5)}`;
}

// ---- load

async function load() {
  state.look ||= await lookups();
  const [c, events, photos] = await Promise.all([
    api('GET', `cases/${caseID}`), api('GET', `cases/${caseID}/events`), api('GET', `cases/${caseID}/photos`)]);
  state.c = c;
  document.title = `${c.number} · ${document.title.split(' · ').pop()}`;
  renderHead(c);
  renderActions(c);
  renderFacts(c);
  renderPhotos(photos.photos || []);
  renderEvidence(c, photos.photos || []);
  renderPublication(c, photos.photos || []);
  renderTimeline(events.events || []);
  renderMap(c);
  await Promise.all([renderNearby(c), renderWhistles(c)]);
  const page = document.getElementById('case-page');
  page.setAttribute('aria-busy', 'false');
  page.dataset.status = c.status;
}

// publishers set what the public sees of a case: the desk its text, the handling unit its reply.
const publishers = ['intake_operator', 'shift_lead', 'dispatcher', 'department_staff'];

/**
 * renderPublication shows staff whether the case is on the public page (/public) and lets the
 * desk and the handling unit set its public text, the unit's public reply and which photos are
 * public (PUT /api/v1/cases/{id}/publication). The form is drawn once, so that a live reload
 * does not wipe what someone is typing; the state line follows every reload.
 */
function renderPublication(c, photos) {
  if (!cfg.roles.some((r) => publishers.includes(r)) || c.following) return;
  const panel = document.getElementById('publication-panel');
  panel.hidden = false;
  let why = 'public.staff.is_public';
  if (!c.public) why = c.private ? 'public.staff.private' : ['confirming', 'reported'].includes(c.status) ? 'public.staff.not_yet' : 'public.staff.never';
  document.getElementById('publication-state').textContent = t(why);
  const form = document.getElementById('publication-form');
  if (form.childElementCount) return;
  const text = el('textarea', { id: 'public-text', name: 'public_text', rows: 3, maxlength: 2000, placeholder: c.description }, c.public_text || '');
  const reply = el('textarea', { id: 'public-reply', name: 'public_reply', rows: 2, maxlength: 2000 }, c.public_reply || '');
  const boxes = photos.map((p) => el('label', { class: 'check photo-check' },
    el('input', { type: 'checkbox', name: 'public_photos', value: p.id, checked: p.public }),
    el('img', { src: p.thumbnail_url, alt: photoLabel(p), loading: 'lazy' })));
  const status = el('p', { class: 'status-line', role: 'status', id: 'publication-status' });
  const save = el('button', { type: 'submit', class: 'btn btn-primary', id: 'publication-save' }, t('public.staff.save'));
  form.replaceChildren(
    field('public-text', t('public.staff.text'), text, t('public.staff.text_hint')),
    field('public-reply', t('public.staff.reply'), reply, t('public.staff.reply_hint')),
    boxes.length ? el('fieldset', { class: 'field' }, el('legend', {}, t('public.staff.photos')), el('div', { class: 'photo-row' }, boxes)) : null,
    el('div', { class: 'actions' }, save), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await api('PUT', `cases/${caseID}/publication`, {
        public_text: text.value, public_reply: reply.value,
        public_photos: [...form.querySelectorAll('input[name=public_photos]:checked')].map((b) => b.value),
      });
      status.textContent = t('public.staff.saved');
    } catch (err) {
      status.textContent = err.message;
    } finally {
      save.disabled = false;
    }
  });
}

// renderWhistles lists the whistles blown on the case (吹哨报到) and, to those who may blow one,
// offers the button while the case is still being handled.
const ended = ['closed', 'voided', 'merged'];
async function renderWhistles(c) {
  const panel = document.getElementById('whistles-panel');
  if (!cfg.can_whistle && !cfg.reads_whistles) return;
  const res = await api('GET', 'whistles?case_id=' + encodeURIComponent(c.id)).catch(() => ({ whistles: [] }));
  const list = res.whistles || [];
  document.getElementById('case-whistles').replaceChildren(...list.map((w) => el('li', { dataset: { id: w.id } },
    el('a', { href: '/whistles/' + encodeURIComponent(w.id) }, when(w.blown_at)), ' ', kindChip(w.kind), ' ', whistleStatus(w.status))));
  const box = document.getElementById('whistle-actions');
  const canBlow = cfg.can_whistle && !ended.includes(c.status);
  if (canBlow && !box.childElementCount) box.append(blowButton(c.id));
  if (!canBlow) box.replaceChildren();
  panel.hidden = !list.length && !canBlow;
}

// refresh reloads the page soon after a change made elsewhere (at: when it was made; none: a
// reconnect, which may have missed anything). Changes the page already shows are not reloaded.
function refresh(at) {
  // A change made elsewhere makes the last "done" message stale.
  if (Date.now() - state.said > 3000) hide(message);
  clearTimeout(state.pending);
  state.pendingAt = Math.max(state.pendingAt || 0, at ? Date.parse(at) : Infinity);
  state.pending = setTimeout(() => {
    const want = state.pendingAt;
    state.pendingAt = 0;
    if (state.c && want <= Date.parse(state.c.updated_at)) return;
    load().catch(() => {});
  }, 250);
}

async function main() {
  document.getElementById('action-dialog').addEventListener('close', closeForm);
  try {
    await load();
  } catch (err) {
    document.getElementById('case-head').replaceChildren(el('p', { class: 'alert alert-error', id: 'case-error' }, err.message));
    return;
  }
  onLive('case', (m) => {
    if (m.case_id === caseID) refresh(m.at);
  });
  onLive('reconnect', () => refresh());
}

main();
