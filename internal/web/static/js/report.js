// The report form (我要反映 / 巡查上报 / 热线录入): photos first, the place by GPS or a tap on the
// map (the grid is looked up at once, GET /api/v1/grids/locate), an optional category found by
// name, the description, then POST /api/v1/cases and the photos to POST /api/v1/cases/{id}/photos.
// The channel follows the caller's role (the API decides it); the hotline desk adds the caller's
// name and phone, the urgency and the kind, and finds the caller's address in the gazetteer as
// it types (ui/address.js; a choice sets the point and the address; a tap on the map fills in
// the nearest address while none was typed). Open cases nearby (anonymised) are drawn on the map.
import { api, config, el, show, t, when } from './api.js';
import { categories, categoryPicker, statusChip } from './casekit.js';
import { mapPicker, textTip } from './ui/map.js';
import { photoPicker } from './ui/photos.js';
import { addressSearch, nearestAddress } from './ui/address.js';
import { mountCallerHistory } from './callers.js';
import { clearErrors, fieldError, showErrors } from './ui/fields.js';
import { blowButton } from './whistlekit.js';
import { enqueue, isNetworkError, mountQueue, newKey, offlineNotice } from './offline.js';
import { elderForm } from './elder.js';

const cfg = config();
const L = window.L;

const form = document.getElementById('report-form');
const message = document.getElementById('report-message');
const where = document.getElementById('where');
// The hotline desk: the calling number's earlier cases, as the operator types it.
const callerPhone = document.getElementById('reporter-phone');
if (callerPhone) mountCallerHistory(callerPhone, document.getElementById('caller-history'));

const state = {
  picker: null, // the map picker (ui/map.js): the place, once located inside the district
  photos: null, // the photo picker (ui/photos.js)
  category: null, // the category picker
  nearby: null, // layer of open cases nearby
  cats: new Map(),
};

// showNearby draws the open public cases within 1 km (the public view: registered, rounded to ~100 m).
async function showNearby(place) {
  const count = document.getElementById('public-count');
  const map = state.picker.map;
  if (!map) return;
  try {
    // The catalogue may still be loading when the place is first known: wait for it (once).
    const res = await api('GET', `public/cases?lat=${place.lat}&lng=${place.lng}&radius=1000&limit=200`);
    const open = res.features.filter((f) => f.geometry && f.properties.step !== 'closed');
    if (state.nearby) state.nearby.remove();
    state.nearby = L.layerGroup(open.map((f) => {
      const p = f.properties;
      return L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 6, color: '#8a5a00', weight: 1.5, fillColor: '#f0b429', fillOpacity: 0.85 })
        .bindTooltip(textTip(`${p.status_text} · ${p.category_name || t('desk.case.no_category')} · ${when(p.reported_at).slice(0, 10)}`));
    })).addTo(map);
    count.textContent = open.length ? t('desk.report.nearby_open', open.length) : t('desk.report.nearby_none');
  } catch {
    count.textContent = '';
  }
}

// ---- the hotline desk's address (地址库)

/** addressText is how a gazetteer entry reads in the address field. */
function addressText(r) {
  return r.name ? `${r.address}（${r.name}）` : r.address;
}

/** setAddress fills the address field; source says where the text came from (search, nearest). */
function setAddress(text, source) {
  const field = document.getElementById('address');
  field.value = text;
  field.dataset.source = source;
}

function wireAddressSearch() {
  const input = document.getElementById('address-search');
  if (!input) return;
  addressSearch(input, document.getElementById('address-options'), {
    onPick: (r) => {
      setAddress(addressText(r), 'search');
      state.picker.set({ lat: r.lat, lng: r.lng });
    },
  });
  // What the operator types into the address field is theirs: a later tap keeps it.
  document.getElementById('address').addEventListener('input', (e) => delete e.target.dataset.source);
}

/** fillNearest puts the nearest known address of a tapped point into an empty address field. */
async function fillNearest(place) {
  const field = document.getElementById('address');
  if (field.value.trim() && field.dataset.source !== 'nearest') return;
  const r = await nearestAddress(place.lat, place.lng);
  if (!r || state.picker.place !== place) return; // none close, or a newer point won
  if (field.value.trim() && field.dataset.source !== 'nearest') return; // typed meanwhile
  const near = document.getElementById('address-search').dataset.near || '';
  setAddress(`${addressText(r)} ${near}`.trim(), 'nearest');
}

// ---- submit

function value(id) {
  const node = document.getElementById(id);
  return node ? node.value.trim() : '';
}

async function submit(e) {
  e.preventDefault();
  clearErrors(form, message);
  const description = value('description');
  const place = state.picker.place || await offlinePlace();
  if (!place) {
    show(message, value('lat') ? t('desk.report.place_outside') : t('desk.report.place_required'));
    return;
  }
  if ([...description].length < 2) {
    show(message, t('desk.report.description_required'));
    fieldError(form, 'description', t('desk.report.description_required'));
    document.getElementById('description').focus();
    return;
  }
  const body = { lat: place.lat, lng: place.lng, description };
  if (value('address')) body.address = value('address');
  const category = state.category.value();
  if (category) body.category_code = category.code;
  if (cfg.mode === 'resident') body.anonymous = document.getElementById('anonymous').checked;
  if (document.getElementById('private')?.checked) body.private = true;
  if (cfg.mode === 'hotline') {
    Object.assign(body, { channel: value('channel'), kind: value('kind'), urgency: value('urgency') });
    if (value('reporter-name')) body.reporter_name = value('reporter-name');
    if (value('reporter-phone')) body.reporter_phone = value('reporter-phone');
  }
  const button = document.getElementById('report-submit');
  button.disabled = true;
  button.textContent = t('desk.report.sending');
  await state.photos.ready();
  let created;
  // One key per report, kept across tries of this form: a report whose answer was lost on the
  // way is not created twice (internal/httpx/idempotency.go).
  const key = (form.dataset.key ||= newKey());
  try {
    created = await api('POST', 'cases', body, { headers: { 'Idempotency-Key': key } });
  } catch (err) {
    if (isNetworkError(err)) {
      await queue(key, body);
      return;
    }
    showErrors(form, message, err);
    button.disabled = false;
    button.textContent = t('desk.report.submit');
    return;
  }
  let photoError = '';
  if (state.photos.count) {
    try {
      await api('POST', `cases/${created.id}/photos`, state.photos.append(new FormData()), { headers: { 'Idempotency-Key': key + '.photos' } });
    } catch (err) {
      photoError = err.message;
    }
  }
  showResult(created, photoError);
}

// offlinePlace: without network the grid cannot be looked up; the point chosen (GPS, a tap) is
// sent as it is and the server locates it when the queued report arrives.
async function offlinePlace() {
  if (!value('lat') || !value('lng')) return null;
  const lat = Number(value('lat'));
  const lng = Number(value('lng'));
  try {
    await api('GET', `grids/locate?lat=${lat}&lng=${lng}`);
    return null; // the network works: the place is outside the district
  } catch (err) {
    return isNetworkError(err) ? { lat, lng } : null;
  }
}

// queue keeps the report and its photos on the phone (static/js/offline.js) and clears the form
// for the next one; it is sent, with the same key, once the phone is online.
async function queue(key, body) {
  await enqueue({ key, path: 'cases', body, photos: state.photos.photos.map((p) => p.file), photoPath: 'cases/{id}/photos', label: body.description });
  delete form.dataset.key;
  document.getElementById('description').value = '';
  state.photos.clear();
  const button = document.getElementById('report-submit');
  button.disabled = false;
  button.textContent = t('desk.report.submit');
  show(message, t('offline.queued_one'), 'warn');
}

function duplicates(c) {
  const list = el('ul', { class: 'nearby-list' }, c.duplicates.map((d) => el('li', { dataset: { id: d.id } },
    cfg.mode === 'resident' ? el('strong', {}, d.number) : el('a', { href: '/cases/' + d.id }, d.number), ' ',
    statusChip(d.status), ' ', el('span', { class: 'muted' }, t('desk.case.distance', d.distance_m)),
    el('div', { class: 'nearby-text' }, d.description))));
  const box = el('section', { class: 'duplicates alert alert-warn', id: 'duplicates' },
    el('strong', {}, t('desk.report.dup_heading', c.duplicates.length)), el('p', {}, t('desk.report.dup_text.' + cfg.mode)), list);
  if (cfg.mode === 'resident' || cfg.mode === 'patrol') {
    const follow = el('button', { type: 'button', class: 'btn btn-primary btn-small', id: 'dup-follow' }, t('desk.report.dup_follow'));
    const keep = el('button', { type: 'button', class: 'btn btn-small', id: 'dup-keep' }, t('desk.report.dup_keep'));
    const answer = el('p', { class: 'dup-answer', role: 'status' });
    follow.addEventListener('click', async () => {
      follow.disabled = keep.disabled = true;
      try {
        // Follow the likeliest one at once (我也遇到: its public face and updates), and ask the
        // desk, who alone merges, to merge this report into it.
        await api('POST', `cases/${c.duplicates[0].id}/join`);
        await api('POST', `cases/${c.id}/actions/comment`, { note: t('desk.report.dup_note', c.duplicates.map((d) => d.number).join('、')) });
        answer.textContent = t('desk.report.dup_followed');
      } catch (err) {
        answer.textContent = err.message;
        follow.disabled = keep.disabled = false;
      }
    });
    keep.addEventListener('click', () => {
      follow.disabled = keep.disabled = true;
      answer.textContent = t('desk.report.dup_kept');
    });
    box.append(el('div', { class: 'actions' }, follow, keep), answer);
  }
  return box;
}

function showResult(c, photoError) {
  form.hidden = true;
  const result = document.getElementById('report-result');
  const parts = [
    el('h2', {}, t('desk.report.done')),
    el('p', { class: 'result-number' }, t('desk.report.number'), ' ', el('strong', { id: 'result-number' }, c.number)),
    el('p', {}, statusChip(c.status), ' ', el('span', { class: 'muted' }, where.textContent)),
  ];
  if (state.photos.count) {
    parts.push(photoError ? el('p', { class: 'alert alert-warn' }, t('desk.report.photos_failed'), ' ', photoError)
      : el('p', { class: 'muted', id: 'result-photos' }, t('desk.report.photos_sent', state.photos.count)));
  }
  if (c.duplicates && c.duplicates.length) parts.push(duplicates(c));
  if (c.follow_token) {
    const url = `${location.origin}/follow/${c.follow_token}`;
    parts.push(el('div', { class: 'alert alert-info follow-box' }, el('strong', {}, t('desk.report.follow_heading')),
      el('p', {}, t('desk.report.follow_text')), el('a', { href: '/follow/' + c.follow_token, id: 'follow-link', class: 'follow-link' }, url)));
  }
  // A whistler summons the departments to the case just reported, from here (吹哨 in one go).
  const blow = cfg.can_whistle ? blowButton(c.id) : null;
  parts.push(el('div', { class: 'actions' },
    el('a', { class: 'btn btn-primary', href: '/cases/' + c.id, id: 'result-open' }, t('desk.report.open')),
    blow,
    el('a', { class: 'btn', href: location.pathname }, t('desk.report.another'))));
  result.replaceChildren(...parts);
  result.hidden = false;
  result.scrollIntoView({ block: 'start' });
  if (blow && document.getElementById('then-whistle')?.checked) blow.click();
}

// ---- start

async function main() {
  state.photos = photoPicker({ input: document.getElementById('photos'), list: document.getElementById('photo-previews'), box: message });
  state.category = categoryPicker(categories().then((cats) => (state.cats = cats)), 'category');
  document.getElementById('category-picker').replaceWith(state.category.node);
  const onPlace = (place) => {
    showNearby(place);
    if (cfg.mode === 'hotline') fillNearest(place);
  };
  state.picker = mapPicker({ map: 'map', where: 'where', lat: 'lat', lng: 'lng' }, { moveZoom: 16, onPlace });
  if (cfg.mode === 'hotline') wireAddressSearch();
  document.getElementById('gps-button').addEventListener('click', () => state.picker.gps());
  form.addEventListener('submit', submit);
  if (cfg.mode !== 'hotline') {
    const notice = el('p', { class: 'alert alert-warn', id: 'offline-notice', role: 'status', hidden: true });
    const queueBox = el('section', { class: 'alert alert-info offline-queue', id: 'offline-queue', hidden: true, 'aria-live': 'polite' });
    form.before(notice, queueBox);
    offlineNotice(notice);
    mountQueue(queueBox);
    elderForm(form);
  }
  // Residents and grid workers report where they stand: ask for the position at once, unless a
  // point was typed into the form already.
  if (!state.picker.typed() && cfg.mode !== 'hotline') state.picker.gps(true);
  form.dataset.ready = 'true';
}

main();
