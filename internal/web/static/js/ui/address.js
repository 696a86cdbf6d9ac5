// The address search box (地址搜索) of the hotline form: as the operator types — Chinese, digits,
// full pinyin or pinyin initials — it asks GET /api/v1/addresses/search and lists the gazetteer's
// suggestions, best first; a click, or the arrow keys and Enter, choose one.
import { api, el } from '../api.js';

/**
 * addressSearch wires an <input role="combobox"> and its <ul role="listbox">. The input's
 * data-none and data-failed hold the texts for no match and a failed search. onPick receives
 * the chosen result {address, name, lat, lng, grid_code}. Returns {close()}.
 */
export function addressSearch(input, list, { onPick, delay = 120 } = {}) {
  let timer = 0;
  let asked = 0; // the number of the latest search: older answers are dropped
  let results = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const pick = (r) => {
    close();
    input.value = r.address;
    onPick(r);
  };
  const render = (note = '') => {
    const items = results.map((r, i) => {
      const option = el('li', { role: 'option', id: `address-option-${i}`, class: 'category-option address-option',
        'aria-selected': i === active ? 'true' : 'false', dataset: { index: String(i), grid: r.grid_code } },
      el('span', { class: 'address-text' }, r.address), r.name ? el('span', { class: 'muted' }, r.name) : null);
      // mousedown would blur the input (and close the list) before the click lands.
      option.addEventListener('mousedown', (e) => e.preventDefault());
      option.addEventListener('click', () => pick(r));
      return option;
    });
    list.replaceChildren(...(items.length ? items : [el('li', { class: 'muted category-none' }, note)]));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `address-option-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const find = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      results = [];
      close();
      return;
    }
    try {
      const res = await api('GET', `addresses/search?q=${encodeURIComponent(q)}`);
      if (mine !== asked) return;
      results = res.results || [];
      active = -1;
      render(input.dataset.none || '');
    } catch {
      if (mine !== asked) return;
      results = [];
      render(input.dataset.failed || '');
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(find, delay);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!results.length) return;
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      render();
    } else if (e.key === 'Enter') {
      // Enter chooses (the highlighted or the best suggestion); it never submits the form.
      e.preventDefault();
      if (!list.hidden && results.length) pick(results[Math.max(active, 0)]);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', close);
  return { close };
}

/** nearestAddress is the gazetteer's address nearest to a point (within 300 m), or null. */
export async function nearestAddress(lat, lng) {
  try {
    const res = await api('GET', `addresses/nearest?lat=${lat}&lng=${lng}`);
    return res.result;
  } catch {
    return null;
  }
}
