// The report form (我要反映 / 巡查上报 / 热线录入): photos first, the place by GPS or a tap on the
// map (the grid is looked up at once, GET /api/v1/grids/locate), an optional category found by
// name, the description, then POST /api/v1/cases and the photos to POST /api/v1/cases/{id}/photos.
// The channel follows the caller's role (the API decides it); the hotline desk adds the caller's
// name and phone, the urgency and the kind. Open cases nearby (anonymised) are drawn on the map.
import { api, config, el, hide, show, t, when } from './api.js';
import { categories, gridBackground, matchCategories, nameOf, newMap, pin, statusChip, statusName } from './casekit.js';

const cfg = config();
const L = window.L;
const maxPhotos = 9;
const maxBytes = 10 << 20;

const form = document.getElementById('report-form');
const message = document.getElementById('report-message');
const where = document.getElementById('where');
const latInput = document.getElementById('lat');
const lngInput = document.getElementById('lng');

const state = {
  map: null,
  pin: null,
  place: null, // {lat, lng, grid} once located inside the district
  manual: false, // the user chose the place (map tap or typed point)
  photos: [], // [{file, url}]
  nearby: null, // layer of open cases nearby
  cats: new Map(),
};

// ---- photos

// normalise returns a JPEG or PNG of at most 10 MB: other formats (HEIC, WebP) and huge photos
// are redrawn as a JPEG of at most 2560 px.
async function normalise(file) {
  if ((file.type === 'image/jpeg' || file.type === 'image/png') && file.size <= maxBytes) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2560 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error('encode');
  return new File([blob], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
}

function renderPhotos() {
  const list = document.getElementById('photo-previews');
  list.replaceChildren(...state.photos.map((p, i) => {
    const remove = el('button', { type: 'button', class: 'photo-remove', 'aria-label': t('desk.report.photo_remove', i + 1) }, '×');
    remove.addEventListener('click', () => {
      URL.revokeObjectURL(p.url);
      state.photos.splice(i, 1);
      renderPhotos();
    });
    return el('li', { class: 'photo-preview' }, el('img', { src: p.url, alt: t('desk.report.photo_n', i + 1) }), remove);
  }));
  document.getElementById('photos').disabled = state.photos.length >= maxPhotos;
}

async function addPhotos(files) {
  hide(message);
  for (const file of files) {
    if (state.photos.length >= maxPhotos) {
      show(message, t('desk.report.too_many_photos', maxPhotos), 'warn');
      break;
    }
    if (!file.type.startsWith('image/')) {
      show(message, t('desk.report.not_photo', file.name), 'warn');
      continue;
    }
    try {
      const ready = await normalise(file);
      state.photos.push({ file: ready, url: URL.createObjectURL(ready) });
    } catch {
      show(message, t('desk.report.not_photo', file.name), 'warn');
    }
  }
  renderPhotos();
}

// ---- place

async function setPlace(latlng) {
  const lat = Number(latlng.lat.toFixed(6));
  const lng = Number(latlng.lng.toFixed(6));
  latInput.value = String(lat);
  lngInput.value = String(lng);
  state.place = null;
  if (state.map) {
    if (state.pin) state.pin.setLatLng([lat, lng]);
    else state.pin = pin([lat, lng]).addTo(state.map);
    if (!state.map.getBounds().pad(-0.1).contains([lat, lng])) state.map.setView([lat, lng], Math.max(state.map.getZoom(), 16));
  }
  where.className = 'where';
  where.textContent = t('desk.report.locating');
  try {
    const res = await api('GET', `grids/locate?lat=${lat}&lng=${lng}`);
    if (Number(latInput.value) !== lat || Number(lngInput.value) !== lng) return; // a newer point won
    if (!res.inside) {
      where.className = 'where alert alert-warn';
      where.textContent = res.message || t('desk.report.outside');
      return;
    }
    state.place = { lat, lng, grid: res.grid };
    where.className = 'where where-ok';
    where.dataset.grid = res.grid.code;
    where.textContent = t('desk.report.located', res.grid.community_name, res.grid.name, res.grid.subdistrict_name);
    showNearby(lat, lng);
  } catch (err) {
    where.className = 'where alert alert-error';
    where.textContent = err.message;
  }
}

// gps asks for the position. The automatic request at the start yields to a place the user
// chose meanwhile.
function gps(auto = false) {
  if (!navigator.geolocation) {
    where.textContent = t('desk.report.gps_unavailable');
    return;
  }
  where.textContent = t('desk.report.gps_running');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      if (!(auto && state.manual)) setPlace({ lat: pos.coords.latitude, lng: pos.coords.longitude });
    },
    () => {
      if (!state.place) {
        where.className = 'where alert alert-warn';
        where.textContent = t('desk.report.gps_failed');
      }
    },
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
}

// showNearby draws the open cases within 1 km (anonymised: number, status, category, day).
async function showNearby(lat, lng) {
  const count = document.getElementById('public-count');
  if (!state.map) return;
  try {
    const res = await api('GET', `public/cases?lat=${lat}&lng=${lng}&radius=1000`);
    if (state.nearby) state.nearby.remove();
    state.nearby = L.layerGroup(res.cases.map((c) => {
      const cat = state.cats.get(c.category_code);
      return L.circleMarker([c.lat, c.lng], { radius: 6, color: '#8a5a00', weight: 1.5, fillColor: '#f0b429', fillOpacity: 0.85 })
        .bindTooltip(`${statusName(c.status)} · ${cat ? nameOf(cat) : t('desk.case.no_category')} · ${when(c.reported_date).slice(0, 10)}`);
    })).addTo(state.map);
    count.textContent = res.cases.length ? t('desk.report.nearby_open', res.cases.length) : t('desk.report.nearby_none');
  } catch {
    count.textContent = '';
  }
}

// ---- category

function chooseCategory(cat) {
  const chosen = document.getElementById('category-chosen');
  const search = document.getElementById('category-search');
  document.getElementById('category').value = cat ? cat.code : '';
  document.getElementById('category-options').hidden = true;
  if (!cat) {
    chosen.hidden = true;
    search.hidden = false;
    search.value = '';
    return;
  }
  const clear = el('button', { type: 'button', class: 'chip-remove', 'aria-label': t('desk.report.category_clear') }, '×');
  clear.addEventListener('click', () => {
    chooseCategory(null);
    search.focus();
  });
  chosen.replaceChildren(el('span', { class: 'chip' }, `${cat.major} › ${nameOf(cat)}`, clear));
  chosen.hidden = false;
  search.hidden = true;
}

function searchCategories() {
  const q = document.getElementById('category-search').value.trim();
  const list = document.getElementById('category-options');
  if (!q) {
    list.hidden = true;
    return;
  }
  const hits = matchCategories(state.cats, q);
  list.replaceChildren(...(hits.length ? hits.map((c) => {
    const option = el('li', { role: 'option', tabindex: '0', class: 'category-option', dataset: { code: c.code } },
      el('span', {}, nameOf(c)), el('span', { class: 'muted' }, c.major));
    const pick = () => chooseCategory(c);
    option.addEventListener('click', pick);
    option.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        pick();
      }
    });
    return option;
  }) : [el('li', { class: 'muted category-none' }, t('desk.report.category_none'))]));
  list.hidden = false;
}

// ---- submit

function value(id) {
  const node = document.getElementById(id);
  return node ? node.value.trim() : '';
}

async function submit(e) {
  e.preventDefault();
  hide(message);
  const description = value('description');
  if (!state.place) {
    show(message, latInput.value ? t('desk.report.place_outside') : t('desk.report.place_required'));
    return;
  }
  if ([...description].length < 2) {
    show(message, t('desk.report.description_required'));
    document.getElementById('description').focus();
    return;
  }
  const body = { lat: state.place.lat, lng: state.place.lng, description };
  if (value('address')) body.address = value('address');
  if (value('category')) body.category_code = value('category');
  if (cfg.mode === 'resident') body.anonymous = document.getElementById('anonymous').checked;
  if (cfg.mode === 'hotline') {
    Object.assign(body, { channel: value('channel'), kind: value('kind'), urgency: value('urgency') });
    if (value('reporter-name')) body.reporter_name = value('reporter-name');
    if (value('reporter-phone')) body.reporter_phone = value('reporter-phone');
  }
  const button = document.getElementById('report-submit');
  button.disabled = true;
  button.textContent = t('desk.report.sending');
  let created;
  try {
    created = await api('POST', 'cases', body);
  } catch (err) {
    show(message, err.message, 'error', err.details);
    button.disabled = false;
    button.textContent = t('desk.report.submit');
    return;
  }
  let photoError = '';
  if (state.photos.length) {
    const data = new FormData();
    for (const p of state.photos) data.append('photo', p.file, p.file.name);
    try {
      await api('POST', `cases/${created.id}/photos`, data);
    } catch (err) {
      photoError = err.message;
    }
  }
  showResult(created, photoError);
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
        // The desk merges duplicates: tell it this report is the same problem.
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
  if (state.photos.length) {
    parts.push(photoError ? el('p', { class: 'alert alert-warn' }, t('desk.report.photos_failed'), ' ', photoError)
      : el('p', { class: 'muted', id: 'result-photos' }, t('desk.report.photos_sent', state.photos.length)));
  }
  if (c.duplicates && c.duplicates.length) parts.push(duplicates(c));
  if (c.follow_token) {
    const url = `${location.origin}/follow/${c.follow_token}`;
    parts.push(el('div', { class: 'alert alert-info follow-box' }, el('strong', {}, t('desk.report.follow_heading')),
      el('p', {}, t('desk.report.follow_text')), el('a', { href: '/follow/' + c.follow_token, id: 'follow-link', class: 'follow-link' }, url)));
  }
  parts.push(el('div', { class: 'actions' },
    el('a', { class: 'btn btn-primary', href: '/cases/' + c.id, id: 'result-open' }, t('desk.report.open')),
    el('a', { class: 'btn', href: location.pathname }, t('desk.report.another'))));
  result.replaceChildren(...parts);
  result.hidden = false;
  result.scrollIntoView({ block: 'start' });
}

// ---- start

async function main() {
  document.getElementById('photos').addEventListener('change', (e) => {
    addPhotos([...e.target.files]);
    e.target.value = '';
  });
  document.getElementById('gps-button').addEventListener('click', () => gps());
  // A point typed into the hidden fields (by a test or an assistive tool) is located like a tap.
  const typed = () => {
    const lat = Number(latInput.value);
    const lng = Number(lngInput.value);
    if (latInput.value && lngInput.value && Number.isFinite(lat) && Number.isFinite(lng)) {
      state.manual = true;
      setPlace({ lat, lng });
      return true;
    }
    return false;
  };
  for (const input of [latInput, lngInput]) input.addEventListener('change', typed);
  const search = document.getElementById('category-search');
  search.addEventListener('input', searchCategories);
  search.addEventListener('focus', searchCategories);
  form.addEventListener('submit', submit);
  categories().then((cats) => {
    state.cats = cats;
    if (search.value && document.activeElement === search) searchCategories(); // typed before the list came
  });
  if (L) {
    state.map = newMap('map');
    state.map.on('click', (e) => {
      state.manual = true;
      setPlace(e.latlng);
    });
    gridBackground(state.map).then((layer) => {
      if (!state.pin && layer.getLayers().length) state.map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }).catch(() => {});
  }
  // Residents and grid workers report where they stand: ask for the position at once.
  if (!typed() && cfg.mode !== 'hotline') gps(true);
  form.dataset.ready = 'true';
}

main();
