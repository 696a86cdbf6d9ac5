// A service's page (/services/{id}), for residents on the phone and without sign-in: what it is,
// what to bring, fees, time limit and legal basis, the online link, each place with its address,
// phone, today's and the week's hours and whether it is open now, a map of the places, which
// window serves the resident's address (GET /api/v1/services/{id}/serving from the phone's
// position or a tap on the map), share, and when the entry was last checked. The entry and the
// serving place come from /api/v1/public/services/{id}[/serving], which need no sign-in.
import { api, config, el, t } from './api.js';
import { newMap, pin, position, textTip } from './ui/map.js';
import { day, openBadge, safeURL, serviceChange, telURL, todayText } from './serviceskit.js';

const cfg = config();
const id = cfg.service_id;
const page = document.getElementById('service-page');
const message = document.getElementById('svc-message');
const servingResult = document.getElementById('serving-result');
const L = window.L;
let service = null;
let map = null;
const markers = new Map(); // place id → marker
let here = null; // the resident's point on the map

const text = (elementID, value) => {
  document.getElementById(elementID).textContent = value || '—';
};

async function load() {
  try {
    service = await api('GET', 'public/services/' + encodeURIComponent(id));
  } catch (err) {
    document.getElementById('svc-name').textContent = t('directory_page.not_found');
    message.textContent = err.message;
    message.className = 'alert alert-error';
    message.hidden = false;
    page.setAttribute('aria-busy', 'false');
    return;
  }
  const s = service;
  document.title = `${s.name} · ${document.title.split(' · ').pop()}`;
  document.getElementById('svc-name').textContent = s.name;
  const places = s.places || [];
  const badge = document.getElementById('svc-open');
  if (places.length) {
    badge.replaceWith(openBadge(s.open_now, serviceChange(s.open_now, places), { id: 'svc-open' }));
  }
  const aliases = document.getElementById('svc-aliases');
  if (s.aliases && s.aliases.length) {
    aliases.textContent = t('directory_page.aliases_line', s.aliases.join('、'));
    aliases.hidden = false;
  }
  document.getElementById('svc-meta').textContent = [s.category_name, s.unit_name].filter(Boolean).join(' · ');
  document.getElementById('svc-description').textContent = s.description || '';
  const url = s.online ? safeURL(s.online_url) : '';
  if (url) {
    document.getElementById('svc-online').href = url;
    document.getElementById('svc-online-row').hidden = false;
  }
  const materials = s.materials || [];
  document.getElementById('svc-materials').replaceChildren(...(materials.length
    ? materials.map((m) => el('li', {}, m)) : [el('li', { class: 'muted' }, t('directory_page.no_materials'))]));
  text('svc-fees', s.fees);
  text('svc-time', s.processing_time);
  text('svc-basis', s.legal_basis);
  document.getElementById('svc-places').replaceChildren(...(places.length
    ? places.map((p) => placeItem(p)) : [el('li', { class: 'muted' }, t('directory_page.no_places'))]));
  const reviewed = document.getElementById('svc-reviewed');
  const checked = day(s.reviewed_at);
  reviewed.replaceChildren(checked ? t('directory_page.reviewed', checked, s.reviewed_by_name || '—') : t('directory_page.not_reviewed'));
  if (s.stale) reviewed.append(' ', el('span', { class: 'badge badge-warn', id: 'svc-stale' }, t('directory_page.flag.stale')));
  if (s.pending) reviewed.append(' ', el('span', { class: 'badge badge-role', id: 'svc-pending' }, t('directory_page.flag.pending')));
  document.getElementById('svc-editor').hidden = !cfg.editor;
  drawMap(places);
  page.dataset.open = String(Boolean(s.open_now));
  page.setAttribute('aria-busy', 'false');
}

/** placeItem is one place: name and open badge, address, phone, today's and the week's hours. */
function placeItem(p, attrs = {}, tag = 'li') {
  const phone = telURL(p.phone);
  return el(tag, { class: 'svc-place', dataset: { id: p.id, open: String(Boolean(p.open_now)) }, ...attrs },
    el('h3', {}, el('span', {}, p.name), openBadge(p.open_now, p.next_change)),
    p.address ? el('p', { class: 'address' }, p.address) : null,
    phone ? el('p', {}, t('directory_page.phone') + ' ', el('a', { class: 'phone', href: phone }, p.phone)) : null,
    el('p', { class: 'today' }, todayText(p)),
    p.hours_text ? el('p', { class: 'muted hours' }, p.hours_text) : null);
}

const located = (p) => Number.isFinite(p.lat) && Number.isFinite(p.lng) && (p.lat !== 0 || p.lng !== 0);

function drawMap(places) {
  if (!L) return;
  map = newMap('svc-map', { base: Boolean(cfg.signed_in) });
  if (!cfg.signed_in) outlines();
  const points = [];
  for (const p of places.filter(located)) {
    const marker = pin([p.lat, p.lng], { className: 'svc-place-marker', fillColor: p.open_now ? '#1f7a3f' : '#c8102e' })
      .bindTooltip(textTip(p.name)).on('click', () => focusPlace(p.id)).addTo(map);
    markers.set(p.id, marker);
    points.push([p.lat, p.lng]);
  }
  if (points.length === 1) map.setView(points[0], 16, { animate: false });
  else if (points.length) map.fitBounds(points, { padding: [24, 24], maxZoom: 16, animate: false });
  document.getElementById('svc-map').dataset.markers = String(points.length);
  // A tap on the map asks which window serves that point (one's home, say).
  map.on('click', (e) => serving(e.latlng.lat, e.latlng.lng));
}

/** outlines draws the district's grids lightly for a visitor, who gets no base map. */
async function outlines() {
  try {
    const grids = await api('GET', 'public/grids');
    L.geoJSON(grids, { interactive: false, style: { color: '#245fa6', weight: 1, opacity: 0.4, fillOpacity: 0.03 } }).addTo(map);
  } catch {
    // the places still show without the grid outlines
  }
}

function focusPlace(placeID) {
  for (const li of document.querySelectorAll('#svc-places .svc-place')) {
    li.classList.toggle('svc-place-chosen', li.dataset.id === placeID);
    if (li.dataset.id === placeID) li.scrollIntoView({ block: 'nearest' });
  }
}

// ---- 哪个窗口为我服务

async function serving(lat, lng) {
  servingResult.replaceChildren(el('p', { class: 'muted' }, t('web.loading')));
  if (map) {
    if (here) here.setLatLng([lat, lng]);
    else here = pin([lat, lng], { fillColor: '#245fa6', interactive: false, className: 'svc-here-marker' }).addTo(map);
  }
  try {
    const q = new URLSearchParams({ lat: String(Number(lat).toFixed(6)), lng: String(Number(lng).toFixed(6)) });
    const res = await api('GET', `public/services/${encodeURIComponent(id)}/serving?${q}`);
    const area = [res.subdistrict_name, res.community_name].filter(Boolean).join(' ');
    const out = [];
    if (area) out.push(el('p', { id: 'serving-area' }, t('directory_page.serving_area', area)));
    if (res.place) {
      out.push(el('p', {}, el('strong', {}, t('directory_page.serving_place'))), placeItem(res.place, { id: 'serving-place' }, 'div'));
      // Show the resident's point and the window together.
      if (map && located(res.place)) {
        map.fitBounds([[lat, lng], [res.place.lat, res.place.lng]], { padding: [32, 32], maxZoom: 16, animate: false });
      }
    } else {
      out.push(el('p', { class: 'alert alert-warn', id: 'serving-none' }, t('directory_page.serving_none')));
      if (map && !map.getBounds().contains([lat, lng])) map.setView([lat, lng], Math.max(map.getZoom(), 15), { animate: false });
    }
    servingResult.replaceChildren(...out);
    servingResult.dataset.place = res.place ? res.place.id : '';
    for (const li of document.querySelectorAll('#svc-places .svc-place')) {
      li.classList.toggle('svc-place-serving', Boolean(res.place) && li.dataset.id === res.place.id);
    }
  } catch (err) {
    servingResult.replaceChildren(el('p', { class: 'alert alert-error' }, err.message));
  }
}

document.getElementById('serving-gps').addEventListener('click', async (e) => {
  const button = e.currentTarget;
  button.disabled = true;
  servingResult.replaceChildren(el('p', { class: 'muted' }, t('directory_page.gps_running')));
  try {
    const c = await position(t('directory_page.gps_failed'), { maximumAge: 300000 });
    await serving(c.latitude, c.longitude);
  } catch (err) {
    servingResult.replaceChildren(el('p', { class: 'alert alert-warn' }, err.message));
  } finally {
    button.disabled = false;
  }
});

// ---- 分享: the phone's share sheet where there is one, else the link copied

document.getElementById('svc-share').addEventListener('click', async () => {
  const shareStatus = document.getElementById('share-status');
  const url = location.origin + location.pathname;
  const title = service ? service.name : document.title;
  if (navigator.share) {
    try {
      await navigator.share({ title, text: t('directory_page.share_text', title), url });
      return;
    } catch (err) {
      if (err && err.name === 'AbortError') return; // the resident closed the sheet
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    shareStatus.textContent = t('directory_page.copied');
  } catch {
    // No clipboard either (an old browser, or a page not served over https): show the link.
    const box = el('input', { class: 'svc-share-link', value: url, readonly: true, 'aria-label': t('directory_page.share') });
    shareStatus.replaceChildren(box);
    box.select();
  }
});

load();
