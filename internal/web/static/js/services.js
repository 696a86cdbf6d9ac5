// 一网速查 (/services): the resident's search of daily services, on the phone first and without
// sign-in. One box with suggestions as one types (GET /api/v1/services/suggest, debounced),
// category chips (GET /api/v1/services/categories), the filters 离我近 (the phone's position;
// results by distance), 现在开门 and 可网上办; results as cards linking to the service's page
// (GET /api/v1/services/search). The search lives in the address (?q=&category=&near=1&open=1
// &online=1): a search is shared as a link and the back button returns to the one before.
import { api, el, t } from './api.js';
import { position } from './ui/map.js';
import { distanceText, openBadge } from './serviceskit.js';

const form = document.getElementById('svc-form');
const input = document.getElementById('svc-q');
const suggestBox = document.getElementById('svc-suggest');
const chipBox = document.getElementById('svc-categories');
const status = document.getElementById('svc-status');
const results = document.getElementById('svc-results');
const filters = { near: document.getElementById('f-near'), open: document.getElementById('f-open'), online: document.getElementById('f-online') };

let state = readURL();
let coords = null; // the phone's position, once asked
let searched = 0; // the latest search; older answers are dropped
let categoryNames = [];

/** readURL is the search the address holds. */
function readURL() {
  const q = new URLSearchParams(location.search);
  return { q: (q.get('q') || '').trim(), category: q.get('category') || '', near: q.get('near') === '1',
    open: q.get('open') === '1', online: q.get('online') === '1' };
}

/** writeURL puts the search into the address: a new history entry unless it is the same search. */
function writeURL() {
  const q = new URLSearchParams();
  if (state.q) q.set('q', state.q);
  if (state.category) q.set('category', state.category);
  for (const name of ['near', 'open', 'online']) if (state[name]) q.set(name, '1');
  const url = '/services' + (q.toString() ? '?' + q : '');
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
}

/** showState sets the box, chips and filters to the search. */
function showState() {
  input.value = state.q;
  for (const chip of chipBox.querySelectorAll('.svc-chip')) chip.setAttribute('aria-pressed', String(chip.dataset.code === state.category));
  for (const [name, button] of Object.entries(filters)) button.setAttribute('aria-pressed', String(state[name]));
}

const asked = () => state.q || state.category || state.near || state.open || state.online;

async function search() {
  const mine = ++searched;
  closeSuggestions();
  if (!asked()) {
    results.replaceChildren();
    status.textContent = t('directory_page.start');
    return;
  }
  status.textContent = t('web.loading');
  results.setAttribute('aria-busy', 'true');
  const q = new URLSearchParams({ limit: '50' });
  if (state.q) q.set('q', state.q);
  if (state.category) q.set('category', state.category);
  if (state.open) q.set('open_now', 'true');
  if (state.online) q.set('online', 'true');
  try {
    if (state.near) {
      coords ||= await position(t('directory_page.gps_failed'), { maximumAge: 300000 });
      q.set('lat', String(coords.latitude));
      q.set('lng', String(coords.longitude));
    }
    const res = await api('GET', 'services/search?' + q);
    if (mine !== searched) return;
    let list = res.results || [];
    if (state.near) {
      // 离我近: nearest first; entries without a place stay last, in the API's order.
      const far = Number.MAX_VALUE;
      list = list.map((r, i) => ({ r, i })).sort((a, b) => ((a.r.distance_m ?? far) - (b.r.distance_m ?? far)) || a.i - b.i).map((x) => x.r);
    }
    results.replaceChildren(...list.map(card));
    status.textContent = list.length ? t('directory_page.count', list.length) : '';
    if (!list.length) results.append(emptyState());
  } catch (err) {
    if (mine !== searched) return;
    if (state.near && !coords) {
      // No position: say so and search without it.
      state.near = false;
      filters.near.setAttribute('aria-pressed', 'false');
      writeURL();
      search().then(() => { status.textContent = err.message; });
      return;
    }
    results.replaceChildren();
    status.textContent = err.message;
  } finally {
    if (mine === searched) results.setAttribute('aria-busy', 'false');
  }
}

/** card is one result: name, aliases, category and unit, open now, nearest place and distance. */
function card(r) {
  const place = r.place;
  const distance = distanceText(r.distance_m);
  return el('li', { class: 'svc-card', dataset: { id: r.id, open: String(Boolean(r.open_now)), match: r.match || '' } },
    el('a', { class: 'case-card-link svc-card-link', href: '/services/' + encodeURIComponent(r.id) },
      el('span', { class: 'svc-card-top' }, el('span', { class: 'svc-card-name' }, r.name),
        place ? openBadge(r.open_now, null, { class: 'svc-card-open' }) : null),
      r.aliases && r.aliases.length ? el('span', { class: 'svc-card-aliases' }, t('directory_page.aliases_line', r.aliases.join('、'))) : null,
      el('span', { class: 'svc-card-meta' }, [r.category_name, r.unit_name].filter(Boolean).join(' · ')),
      r.summary ? el('span', { class: 'svc-card-summary' }, r.summary) : null,
      place ? el('span', { class: 'svc-card-place' }, el('span', {}, [place.name, place.address].filter(Boolean).join(' · ')),
        distance ? el('span', { class: 'svc-distance' }, distance) : null) : null,
      r.online ? el('span', { class: 'svc-card-tags' }, el('span', { class: 'badge badge-role' }, t('directory_page.filter.online'))) : null));
}

/** emptyState says nothing was found and what to try instead. */
function emptyState() {
  const tips = [t('directory_page.empty.tip_words'), t('directory_page.empty.tip_initials')];
  const filtered = state.category || state.near || state.open || state.online;
  if (filtered) tips.push(t('directory_page.empty.tip_filters'));
  const box = el('li', { class: 'svc-empty', id: 'svc-empty' },
    el('p', {}, state.q ? t('directory_page.empty.query', state.q) : t('directory_page.empty.none')),
    el('p', {}, t('directory_page.empty.try')),
    el('ul', {}, tips.map((tip) => el('li', {}, tip))));
  if (filtered) {
    const clear = el('button', { type: 'button', class: 'btn btn-small', id: 'svc-clear' }, t('directory_page.empty.clear'));
    clear.addEventListener('click', () => {
      state = { q: state.q, category: '', near: false, open: false, online: false };
      go();
    });
    box.append(clear);
  }
  if (categoryNames.length) {
    box.append(el('p', {}, t('directory_page.empty.browse')),
      el('div', { class: 'svc-chips' }, categoryNames.slice(0, 6).map((c) => {
        const b = el('button', { type: 'button', class: 'svc-chip' }, c.name);
        b.addEventListener('click', () => {
          state = { q: '', category: c.code, near: state.near, open: false, online: false };
          go();
        });
        return b;
      })));
  }
  return box;
}

/** go searches after a choice of the resident's: a new entry in the history. */
function go() {
  writeURL();
  showState();
  search();
}

// ---- suggestions as one types

let suggestTimer = null;
let suggested = 0;
let active = -1;

function closeSuggestions() {
  clearTimeout(suggestTimer);
  suggested++;
  suggestBox.hidden = true;
  suggestBox.replaceChildren();
  input.setAttribute('aria-expanded', 'false');
  input.removeAttribute('aria-activedescendant');
  active = -1;
}

async function suggest(text) {
  const mine = ++suggested;
  try {
    const res = await api('GET', 'services/suggest?' + new URLSearchParams({ q: text }));
    if (mine !== suggested || input.value.trim() !== text) return;
    // One line a name: an entry kept by several units (each subdistrict's 居住证申领受理) is
    // searched for, so that the resident sees them all with their places; a name of one entry
    // opens it. No count: the API sends at most 8 suggestions, so it would understate.
    const names = new Map();
    for (const s of res.suggestions || []) {
      if (names.has(s.name)) names.get(s.name).push(s.id);
      else names.set(s.name, [s.id]);
    }
    const items = [...names];
    suggestBox.replaceChildren(...items.map(([name, ids], i) => {
      const li = el('li', { role: 'option', id: 'svc-sug-' + i, 'aria-selected': 'false', dataset: { id: ids.length === 1 ? ids[0] : '', name } },
        name, ids.length > 1 ? el('span', { class: 'muted svc-suggest-count' }, t('directory_page.suggest_many')) : null);
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep the focus in the box
      li.addEventListener('click', () => pick(li));
      return li;
    }));
    active = -1;
    suggestBox.hidden = !items.length;
    input.setAttribute('aria-expanded', String(items.length > 0));
  } catch {
    // Suggestions are a help; the search itself still works.
  }
}

/** pick takes a suggestion: opens its entry, or searches for a name several entries share. */
function pick(li) {
  if (li.dataset.id) {
    writeURL(); // the search so far, for the back button
    location.assign('/services/' + encodeURIComponent(li.dataset.id));
    return;
  }
  state.q = li.dataset.name;
  input.value = state.q;
  go();
}

function move(step) {
  const options = [...suggestBox.children];
  if (suggestBox.hidden || !options.length) return;
  active = (active + step + options.length) % options.length;
  options.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
  input.setAttribute('aria-activedescendant', options[active].id);
}

input.addEventListener('input', () => {
  clearTimeout(suggestTimer);
  const text = input.value.trim();
  if (!text) {
    closeSuggestions();
    return;
  }
  suggestTimer = setTimeout(() => suggest(text), 200);
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    move(e.key === 'ArrowDown' ? 1 : -1);
  } else if (e.key === 'Escape') {
    closeSuggestions();
  } else if (e.key === 'Enter' && active >= 0 && !suggestBox.hidden) {
    e.preventDefault();
    pick(suggestBox.children[active]);
  }
});
input.addEventListener('blur', () => setTimeout(closeSuggestions, 150));

form.addEventListener('submit', (e) => {
  e.preventDefault();
  state.q = input.value.trim();
  input.blur();
  go();
});

// ---- categories and filters

async function loadCategories() {
  try {
    const res = await api('GET', 'services/categories');
    categoryNames = (res.categories || []).filter((c) => c.count !== 0);
    const chip = (code, name, count) => {
      const b = el('button', { type: 'button', class: 'svc-chip', 'aria-pressed': String(code === state.category), dataset: { code } },
        name, count ? el('span', { class: 'count' }, String(count)) : null);
      b.addEventListener('click', () => {
        state.category = state.category === code ? '' : code;
        go();
      });
      return b;
    };
    chipBox.replaceChildren(chip('', t('directory_page.all')), ...categoryNames.map((c) => chip(c.code, c.name, c.count)));
  } catch (err) {
    chipBox.replaceChildren(el('span', { class: 'muted' }, err.message));
  }
}

for (const [name, button] of Object.entries(filters)) {
  button.addEventListener('click', () => {
    state[name] = !state[name];
    if (name === 'near' && state.near) coords = null; // ask for a fresh position
    go();
  });
}

window.addEventListener('popstate', () => {
  state = readURL();
  showState();
  search();
});

showState();
loadCategories();
search();
