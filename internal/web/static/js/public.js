// The transparency page (/public, issue 14): the public cases on a map and in a list, filtered
// by category, step, subdistrict and period; a case's public timeline beside the map; the
// figures per subdistrict and zone. Needs no sign-in: everything comes from /api/v1/public/…,
// which serves the public view alone (no internal notes, no people, places rounded to ~100 m).
import { api, config, el, number, t, when } from './api.js';
import { stepChip } from './casekit.js';
import { newMap, textTip } from './ui/map.js';

const cfg = config();
const form = document.getElementById('public-filters');
const status = document.getElementById('public-status');
const list = document.getElementById('public-list');
const more = document.getElementById('public-more');
const detail = document.getElementById('public-detail');
const L = window.L;
const map = newMap('public-map', { base: false });
const markers = L.layerGroup().addTo(map);
const tones = { accepted: '#245fa6', dispatched: '#245fa6', handling: '#d4860b', closed: '#2e7d32', paused: '#6b7280' };
let next = '';
let loading = 0;
const categories = new Map();

/** day is a date as YYYY-MM-DD in the district's calendar. */
const day = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);

function query() {
  const q = new URLSearchParams({ limit: '200' });
  for (const name of ['category', 'status', 'subdistrict', 'from', 'to']) {
    const v = form.elements[name].value;
    if (v) q.set(name, v);
  }
  return q;
}

async function load(append) {
  const mine = ++loading;
  status.textContent = t('web.loading');
  const q = query();
  if (append && next) q.set('cursor', next);
  try {
    const fc = await api('GET', 'public/cases?' + q);
    if (mine !== loading) return; // a newer filter won
    if (!append) {
      list.replaceChildren();
      markers.clearLayers();
    }
    for (const f of fc.features) draw(f);
    next = fc.next_cursor || '';
    more.hidden = !next;
    const shown = list.querySelectorAll('li[data-number]').length;
    status.textContent = shown ? t('public.count', shown) : t('public.none');
    if (!append && fc.features.length) {
      const points = fc.features.filter((f) => f.geometry).map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (points.length) map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
    }
  } catch (err) {
    if (mine === loading) status.textContent = err.message;
  }
}

/** draw adds one public case to the list, the map and the category filter. */
function draw(f) {
  const p = f.properties;
  if (p.category_code && !categories.has(p.category_code)) {
    categories.set(p.category_code, p.category_name);
    form.elements.category.append(el('option', { value: p.category_code }, p.category_name));
  }
  const open = () => show(p.number);
  const button = el('button', { type: 'button', class: 'case-card-link' },
    el('span', { class: 'case-card-top' }, el('span', { class: 'case-number' }, p.number), stepChip(p.step)),
    el('span', { class: 'case-card-title' }, p.category_name || t('public.no_category')),
    el('span', { class: 'case-card-text' }, p.text),
    el('span', { class: 'case-card-meta' }, el('span', {}, [p.subdistrict_name, p.place].filter(Boolean).join(' · ')),
      el('span', {}, when(p.reported_at).slice(0, 10))));
  button.addEventListener('click', open);
  list.append(el('li', { class: 'case-card', dataset: { number: p.number, step: p.step } }, button));
  if (f.geometry) {
    const [lng, lat] = f.geometry.coordinates;
    const color = tones[p.step] || '#6b7280';
    L.circleMarker([lat, lng], { radius: 7, color, weight: 1.5, fillColor: color, fillOpacity: 0.75 })
      .bindTooltip(textTip(`${p.number} · ${p.category_name || ''} · ${stepChip.label(p.step)}`))
      .on('click', open).addTo(markers);
  }
}

/** show puts one case's public face and timeline beside the map. */
async function show(n) {
  detail.setAttribute('aria-busy', 'true');
  try {
    const f = await api('GET', 'public/cases/' + encodeURIComponent(n));
    const p = f.properties;
    detail.replaceChildren(...[
      el('h2', { id: 'detail-number' }, p.number, ' ', stepChip(p.step)),
      el('p', { class: 'case-card-title' }, p.category_name || t('public.no_category')),
      el('p', { class: 'case-description', id: 'detail-text' }, p.text),
      el('dl', { class: 'facts' },
        el('dt', {}, t('public.place')), el('dd', {}, [p.subdistrict_name, p.place].filter(Boolean).join(' · ') || '—'),
        p.department ? [el('dt', {}, t('public.department')), el('dd', {}, p.department)] : [],
        el('dt', {}, t('public.reported')), el('dd', {}, when(p.reported_at)),
        p.expected_by ? [el('dt', {}, t('public.expected')), el('dd', {}, when(p.expected_by).slice(0, 10))] : [],
        p.closed_at ? [el('dt', {}, t('public.closed')), el('dd', {}, when(p.closed_at))] : []),
      p.reply ? el('div', { class: 'public-reply', id: 'detail-reply' }, el('h3', {}, t('public.reply')), el('p', {}, p.reply)) : null,
      p.photos.length ? el('div', { class: 'photo-row' }, p.photos.map((u) => el('img', { src: u + '?size=thumb', alt: t('public.photo'), loading: 'lazy' }))) : null,
      cfg.can_join && p.step !== 'closed' ? joinButton(p.number) : null,
      el('h3', {}, t('public.timeline')),
      el('ol', { class: 'timeline', id: 'detail-timeline' }, (p.timeline || []).map((e) => el('li', { class: 'timeline-item' },
        el('div', { class: 'timeline-line' }, el('span', { class: 'timeline-action' }, e.text), ' ', el('span', { class: 'timeline-time' }, when(e.at)))))),
    ].filter(Boolean));
  } catch (err) {
    detail.replaceChildren(el('p', { class: 'alert alert-error' }, err.message));
  } finally {
    detail.setAttribute('aria-busy', 'false');
  }
}

/** joinButton lets a signed-in resident follow the case (我也遇到): its updates come to them. */
function joinButton(n) {
  const button = el('button', { type: 'button', class: 'btn btn-primary', id: 'detail-join' }, t('desk.case.join'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const c = await api('POST', `cases/${encodeURIComponent(n)}/join`);
      window.location.assign('/cases/' + encodeURIComponent(c.id));
    } catch (err) {
      button.disabled = false;
      button.after(el('p', { class: 'alert alert-error' }, err.message));
    }
  });
  return button;
}

const percent = (v) => (v === null || v === undefined ? '—' : number(v, 1) + '%');

function figuresTable(id, rows) {
  document.getElementById(id).replaceChildren(
    el('thead', {}, el('tr', {}, ['name', 'received', 'closed', 'on_time', 'satisfaction'].map((c) => el('th', { scope: 'col' }, t('public.figures.' + c))))),
    el('tbody', {}, rows.map((r) => el('tr', { dataset: { code: r.code } },
      el('th', { scope: 'row' }, r.name), el('td', { dataset: { label: t('public.figures.received') } }, number(r.received)),
      el('td', { dataset: { label: t('public.figures.closed') } }, number(r.closed)),
      el('td', { dataset: { label: t('public.figures.on_time') } }, percent(r.on_time_rate)),
      el('td', { dataset: { label: t('public.figures.satisfaction') } }, percent(r.satisfaction_rate))))));
}

async function figures() {
  const q = new URLSearchParams();
  if (form.elements.from.value && form.elements.to.value) {
    q.set('from', form.elements.from.value);
    q.set('to', form.elements.to.value);
  }
  try {
    const f = await api('GET', 'public/figures?' + q);
    document.getElementById('figures-period').textContent = t('public.figures.period', f.from, f.to);
    figuresTable('figures-subdistricts', f.subdistricts);
    figuresTable('figures-zones', f.zones);
    const pick = form.elements.subdistrict;
    if (pick.options.length === 1) {
      for (const s of f.subdistricts) pick.append(el('option', { value: s.code }, s.name));
    }
  } catch (err) {
    document.getElementById('figures-period').textContent = err.message;
  }
}

async function outlines() {
  try {
    const grids = await api('GET', 'public/grids');
    L.geoJSON(grids, { interactive: false, style: { color: '#245fa6', weight: 1, opacity: 0.5, fillOpacity: 0.04 } }).addTo(map);
  } catch {
    // the cases still show without the grid outlines
  }
}

const today = new Date();
form.elements.to.value = day(today);
form.elements.from.value = day(new Date(today.getTime() - 89 * 86400e3));
form.addEventListener('change', () => {
  load(false);
  figures();
});
form.addEventListener('submit', (e) => e.preventDefault());
more.addEventListener('click', () => load(true));
outlines();
load(false);
figures();
