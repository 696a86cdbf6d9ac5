// Shared parts of the editors' page (/directory): the look-ups every tab uses (categories, the
// units the editor keeps, the org nodes a place may serve, the places), each fetched once per
// page, and the page's status line.
import { api, config, el, lang, t } from './api.js';

const cfg = config();
const statusLine = document.getElementById('dir-status');

/** say puts a line on the page's status line. */
export function say(text) {
  statusLine.textContent = text;
}

let categoryList = null;
/** categories are the 12 categories [{code, name, count}]. */
export function categories() {
  categoryList ||= api('GET', 'services/categories').then((r) => r.categories || []).catch((err) => {
    categoryList = null;
    throw err;
  });
  return categoryList;
}

const nodeName = (n) => (lang === 'en' && n.name_en ? n.name_en : n.name);

let orgNodes = null;
/**
 * nodes are the org tree's nodes and the departments, in tree order:
 * [{code, kind, name, depth, mine}]; mine marks the units in the editor's reach (a node where
 * they hold directory_editor, or below one).
 */
export function nodes() {
  orgNodes ||= Promise.all([api('GET', 'org/tree'), api('GET', 'departments')]).then(([tree, deps]) => {
    const roots = (cfg.units || []).map((u) => u.code);
    const mine = (code) => roots.some((r) => code.startsWith(r));
    const out = [];
    const walk = (n, depth) => {
      if (!n.context && !n.retired_at) out.push({ code: n.code, kind: n.kind, name: nodeName(n), depth, mine: mine(n.code) });
      for (const c of n.children || []) walk(c, n.context ? depth : depth + 1);
    };
    walk(tree, 0);
    for (const d of deps.departments || []) {
      if (!d.retired_at) out.push({ code: d.code, kind: 'department', name: nodeName(d), depth: 0, mine: mine(d.code) });
    }
    return out;
  }).catch((err) => {
    orgNodes = null;
    throw err;
  });
  return orgNodes;
}

/** unitOptions fills a <select> with the units the editor keeps, choosing selected. */
export async function unitOptions(select, selected) {
  const units = (await nodes()).filter((n) => n.mine);
  // A unit outside the editor's reach (an entry seen through a wider grant) stays shown.
  if (selected && !units.some((u) => u.code === selected)) units.unshift({ code: selected, kind: '', name: selected, depth: 0 });
  select.replaceChildren(...units.map((u) => el('option', { value: u.code, selected: u.code === selected },
    `${'　'.repeat(u.depth)}${u.kind ? t('kind.' + u.kind) + ' · ' : ''}${u.name}`)));
}

let placeList = null;
/** places are the places in reach (GET /api/v1/services/places); reload asks again. */
export function places(reload = false) {
  if (reload) placeList = null;
  placeList ||= api('GET', 'services/places').then((r) => r.places || []).catch((err) => {
    placeList = null;
    throw err;
  });
  return placeList;
}

/** words splits what an editor typed into a list: by line, or by spaces, 、 and commas. */
export function words(text, byLine = false) {
  return String(text || '').split(byLine ? /\r?\n/ : /[\s、,，;；]+/).map((w) => w.trim()).filter(Boolean);
}

/** flag is a small badge of an entry's state (stale, pending …). */
export function flag(name, tone) {
  return el('span', { class: 'badge badge-' + tone, dataset: { flag: name } }, t('directory_page.flag.' + name));
}
