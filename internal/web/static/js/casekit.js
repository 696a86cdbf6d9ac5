// Shared parts of the case pages: names of statuses, actions, channels and urgencies from the
// catalogue, the SLA light, case cards for the lists, look-ups of categories, departments and
// grids (each fetched once per page), the category picker and a message carried to the next
// page. The generic parts (status chips, maps, dialogs, tables, fields, photos) are in ui/.
import { api, el, has, lang, show, t, when } from './api.js';
import { statusKind } from './ui/status.js';

function named(prefix, value) {
  return has(prefix + value) ? t(prefix + value) : value;
}

/** actionName is the action's display name (case.action.<a>). */
export const actionName = (a) => named('case.action.', a);
export const channelName = (c) => named('desk.channel.', c);
export const urgencyName = (u) => named('category.urgency.', u);
export const kindName = (k) => named('desk.kind.', k);

/** nameOf picks the English name where the page is English and one exists. */
export function nameOf(x) {
  if (!x) return '';
  return lang === 'en' && x.name_en ? x.name_en : x.name;
}

/** statusChip shows a case's status as a coloured chip (ui/status.js); statusName names it. */
export const statusChip = statusKind('case.status.', {
  confirming: 'warn', reported: 'warn', registered: 'progress', dispatched: 'progress', handling: 'info', returned: 'danger',
  reported_back: 'review', verified: 'review', closed: 'ok', voided: 'muted', merged: 'muted', shelved: 'paused', deferred: 'paused',
});
export const statusName = statusChip.label;

/**
 * stepChip shows where a case stands in the resident's words (case.step.<step>: 已受理, 已派单,
 * 处理中, 已办结 …), as the API's "step" field says; residents and the public never see codes.
 */
export const stepChip = statusKind('case.step.', {
  received: 'warn', accepted: 'progress', dispatched: 'progress', handling: 'info', closed: 'ok', paused: 'paused',
  ended: 'muted', to_rate: 'warn',
});

/** residentSteps are the steps of the resident's step bar, in order. */
export const residentSteps = ['accepted', 'dispatched', 'handling', 'closed', 'to_rate'];

/** slaDot is the SLA light of a case: green, yellow (≥ 80 % of the limit used) or red (overdue). */
export function slaDot(light) {
  const label = light ? t('desk.sla.' + light) : t('desk.sla.none');
  return el('span', { class: `sla sla-${light || 'none'}`, title: label, role: 'img', 'aria-label': label });
}

/** dueText says how long is left of a deadline, or how far past it a case is. */
export function dueText(iso) {
  if (!iso) return '—';
  const ms = new Date(iso).getTime() - Date.now();
  const minutes = Math.round(Math.abs(ms) / 60000);
  let span;
  if (minutes < 60) span = t('desk.due.minutes', minutes);
  else if (minutes < 48 * 60) span = t('desk.due.hours', Math.round(minutes / 60));
  else span = t('desk.due.days', Math.round(minutes / 1440));
  return t(ms >= 0 ? 'desk.due.left' : 'desk.due.over', span);
}

let categoryMap = null;
/** categories resolves to a Map of minor category code → {code, class, name, name_en, major}. */
export function categories() {
  categoryMap ||= api('GET', 'categories').then((res) => {
    const map = new Map();
    for (const major of res.majors || []) {
      for (const m of major.minors || []) {
        map.set(m.code, { code: m.code, class: m.class, name: m.name, name_en: m.name_en, keywords: m.keywords || [],
          major: nameOf(major) });
      }
    }
    return map;
  }).catch(() => new Map());
  return categoryMap;
}

let departmentMap = null;
/** departments resolves to a Map of department code → {code, name, name_en, level}. */
export function departments() {
  departmentMap ||= api('GET', 'departments')
    .then((res) => new Map((res.departments || []).map((d) => [d.code, d])))
    .catch(() => new Map());
  return departmentMap;
}

let placeNames = null;
/** orgNames resolves to a Map of org node code → node (name, name_en, kind) of the tree the caller sees. */
export function orgNames() {
  placeNames ||= api('GET', 'org/tree').then((root) => {
    const map = new Map();
    const walk = (n) => {
      if (!n) return;
      map.set(n.code, n);
      for (const child of n.children || []) walk(child);
    };
    walk(root);
    return map;
  }).catch(() => new Map());
  return placeNames;
}

/**
 * unitGroups sorts the handling units (departments() values) into the dispatch dialog's groups:
 * the district's departments (区级部门), then each subdistrict's units, then each community's
 * handlers — the case's own subdistrict and community first. names maps org codes to nodes
 * (orgNames); a place the caller does not see is named by its code, or by the case's own names.
 * Returns [{key, label, units}].
 */
export function unitGroups(units, names, c = {}) {
  const groups = new Map();
  const placeName = (code) => {
    if (code === c.subdistrict_code && c.subdistrict_name) return c.subdistrict_name;
    if (code === c.community_code && c.community_name) return c.community_name;
    const n = names && names.get(code);
    return n ? nameOf(n) : code;
  };
  for (const u of units) {
    const level = u.level === 'subdistrict' || u.level === 'community' ? u.level : 'district';
    const key = level === 'district' ? 'district' : `${level}:${u.org_code}`;
    if (!groups.has(key)) {
      const label = level === 'district' ? t('desk.dispatch.group_district')
        : t(level === 'subdistrict' ? 'desk.dispatch.group_subdistrict' : 'desk.dispatch.group_community', placeName(u.org_code));
      const own = u.org_code === c.subdistrict_code || u.org_code === c.community_code;
      groups.set(key, { key, label, level, own, units: [] });
    }
    groups.get(key).units.push(u);
  }
  const rank = { district: 0, subdistrict: 1, community: 2 };
  return [...groups.values()].sort((a, b) => rank[a.level] - rank[b.level] || (b.own ? 1 : 0) - (a.own ? 1 : 0) || a.key.localeCompare(b.key));
}

/**
 * unitPicker is the dispatch dialog's choice of handling units at any level: a search box, the
 * lead unit (主办) as a select grouped by level (#f-department, one optgroup per group) and the
 * assisting units (协办) as grouped checkboxes (#f-assisting, ids assist-<code>); the lead's own
 * checkbox is off and disabled. The search narrows both. value() returns {lead, assisting}.
 */
export function unitPicker(groups, { lead = '', assisting = [], suggested = '' } = {}) {
  const chosen = el('p', { class: 'hint', id: 'f-units-chosen', 'aria-live': 'polite' });
  const search = el('input', { type: 'search', id: 'f-unit-search', autocomplete: 'off', placeholder: t('desk.dispatch.search_hint') });
  const none = el('p', { class: 'muted', id: 'f-units-none', hidden: true }, t('desk.dispatch.none'));
  const units = [];
  const select = el('select', { id: 'f-department', name: 'department_code', required: true },
    el('option', { value: '' }, t('desk.form.choose')),
    groups.map((g) => el('optgroup', { label: g.label, dataset: { group: g.key } }, g.units.map((u) => {
      const option = el('option', { value: u.code, selected: u.code === lead }, nameOf(u) + (u.code === suggested ? t('desk.form.suggested') : ''));
      units.push({ unit: u, option, text: [u.code, u.name, u.name_en || '', g.label].join(' ').toLowerCase() });
      return option;
    }))));
  const sets = groups.map((g) => el('fieldset', { class: 'unit-group', dataset: { group: g.key } }, el('legend', {}, g.label),
    g.units.map((u) => {
      const check = el('input', { type: 'checkbox', value: u.code, id: 'assist-' + u.code, checked: u.code !== lead && assisting.includes(u.code) });
      units.find((x) => x.unit.code === u.code).check = check;
      return el('label', { class: 'check', for: check.id, dataset: { code: u.code } }, check, ' ', nameOf(u));
    })));
  const value = () => ({ lead: select.value, assisting: units.filter((x) => x.check.checked && x.unit.code !== select.value).map((x) => x.unit.code) });
  const update = () => {
    const v = value();
    for (const x of units) {
      x.check.disabled = x.unit.code === v.lead;
      if (x.check.disabled) x.check.checked = false;
    }
    const name = (code) => nameOf(units.find((x) => x.unit.code === code)?.unit) || code;
    const parts = [];
    if (v.lead) parts.push(t('desk.dispatch.lead') + ' ' + name(v.lead));
    if (v.assisting.length) parts.push(t('desk.dispatch.assist') + ' ' + v.assisting.map(name).join('、'));
    chosen.textContent = v.lead ? t('desk.dispatch.chosen', parts.join('；')) : t('desk.dispatch.lead_missing');
  };
  const filter = () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const x of units) {
      const hit = !q || x.text.includes(q);
      x.option.hidden = !hit && !x.option.selected;
      x.check.closest('label').hidden = !hit && !x.check.checked;
      if (hit) shown++;
    }
    for (const group of [...select.querySelectorAll('optgroup'), ...sets]) {
      group.hidden = ![...group.querySelectorAll('option, label')].some((n) => !n.hidden);
    }
    none.hidden = shown > 0;
  };
  // Enter in the search box submits nothing.
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault();
  });
  search.addEventListener('input', filter);
  select.addEventListener('change', update);
  for (const x of units) x.check.addEventListener('change', update);
  update();
  const node = el('div', { class: 'unit-picker', id: 'f-units' },
    el('div', { class: 'field' }, el('label', { for: search.id }, t('desk.dispatch.search')), search), none,
    el('div', { class: 'field' }, el('label', { for: select.id }, t('desk.dispatch.lead')), select),
    el('details', { class: 'field', open: assisting.length > 0 }, el('summary', {}, t('desk.dispatch.assisting')),
      el('div', { class: 'check-list', id: 'f-assisting' }, sets)),
    chosen);
  return { node, value };
}

let gridMap = null;
/** grids resolves to a Map of grid code → summary (name, community), of the grids the caller sees. */
export function grids() {
  gridMap ||= api('GET', 'grids')
    .then((res) => new Map((res.grids || []).map((g) => [g.code, g])))
    .catch(() => new Map());
  return gridMap;
}

/**
 * lookups loads categories and departments at once, and the grids only when asked (the desk's
 * filters): cases carry their grid, community and subdistrict names themselves.
 */
export async function lookups({ withGrids = false } = {}) {
  const [cats, depts, gridsByCode] = await Promise.all([categories(), departments(), withGrids ? grids() : new Map()]);
  return { cats, depts, grids: gridsByCode };
}

/** categoryText names a case's category, or says it has none yet. */
export function categoryText(c, cats) {
  const code = c.category_code;
  if (!code) return t('desk.case.no_category');
  const cat = cats && cats.get(code);
  return cat ? nameOf(cat) : c.category_name || code;
}

/**
 * placeText names where a case is: community and grid (with the subdistrict first when asked),
 * from the names the case carries, else from the grids look-up, else the grid code.
 */
export function placeText(c, gridsByCode, withSubdistrict = false) {
  const g = gridsByCode && gridsByCode.get(c.grid_code);
  const community = c.community_name || (g && g.community_name);
  const grid = c.grid_name || (g && g.name);
  if (!community && !grid) return c.grid_code || '—';
  const subdistrict = withSubdistrict ? c.subdistrict_name || (g && g.subdistrict_name) : '';
  return [subdistrict, community, grid].filter(Boolean).join(' · ');
}

/** excerpt shortens a text to n characters. */
export function excerpt(text, n = 60) {
  const chars = [...(text || '')];
  return chars.length > n ? chars.slice(0, n).join('') + '…' : text || '';
}

/**
 * caseCard is a case in a phone-friendly list: a link to the case page. look.plain shows it in
 * the resident's words: the step instead of the status, the day reported instead of the clock.
 */
export function caseCard(c, look) {
  if (look && look.plain) return plainCard(c, look);
  const due = c.status === 'closed' ? when(c.closed_at) : dueText(c.stage_due);
  return el('li', { class: 'case-card', dataset: { id: c.id, number: c.number, status: c.status } },
    el('a', { href: '/cases/' + c.id, class: 'case-card-link' },
      el('span', { class: 'case-card-top' }, slaDot(c.sla), el('span', { class: 'case-number' }, c.number),
        (c.allowed_actions || []).includes('rate') ? el('span', { class: 'badge badge-warn' }, t('desk.my.rate_now')) : null,
        statusChip(c.status)),
      el('span', { class: 'case-card-title' }, categoryText(c, look && look.cats)),
      el('span', { class: 'case-card-text' }, excerpt(c.description, 80)),
      el('span', { class: 'case-card-meta' },
        el('span', {}, placeText(c, look && look.grids)),
        el('span', { class: c.sla === 'red' ? 'overdue' : '' }, due))));
}

function plainCard(c, look) {
  const rate = (c.allowed_actions || []).includes('rate');
  return el('li', { class: 'case-card', dataset: { id: c.id, number: c.number, status: c.status, step: c.step } },
    el('a', { href: '/cases/' + c.id, class: 'case-card-link' },
      el('span', { class: 'case-card-top' }, el('span', { class: 'case-number' }, c.number),
        rate ? el('span', { class: 'badge badge-warn' }, t('desk.my.rate_now')) : null, stepChip(rate ? 'to_rate' : c.step)),
      el('span', { class: 'case-card-title' }, categoryText(c, look.cats)),
      el('span', { class: 'case-card-text' }, excerpt(c.description, 80)),
      el('span', { class: 'case-card-meta' },
        el('span', {}, placeText(c, look.grids)),
        el('span', {}, c.closed_at ? t('case.step.closed_on', when(c.closed_at).slice(0, 10)) : t('case.step.reported_on', when(c.reported_at).slice(0, 10))))));
}

// ---- category picker

/** matchCategories finds up to 12 categories by code prefix, name (either language) or keyword. */
export function matchCategories(cats, query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return [...cats.values()].filter((c) => c.code.startsWith(q) || c.name.toLowerCase().includes(q) ||
    (c.name_en || '').toLowerCase().includes(q) || c.keywords.some((k) => k.toLowerCase().includes(q))).slice(0, 12);
}

/**
 * categoryPicker is a search box that finds a category by name and shows the chosen one as a
 * chip (the report form's and the reclassify dialog's). ids prefixes the element ids:
 * <ids>-search, <ids>-options, <ids>-chosen. catalogue is the Map of categories() or its
 * promise (what is typed before it comes is searched once it does). value() returns the chosen
 * category or null.
 */
export function categoryPicker(catalogue, ids, initial = null) {
  let chosen = null;
  let cats = catalogue instanceof Map ? catalogue : new Map();
  const search = el('input', { type: 'search', id: ids + '-search', autocomplete: 'off', placeholder: t('desk.report.category_hint'),
    'aria-controls': ids + '-options' });
  const list = el('ul', { class: 'category-options', id: ids + '-options', role: 'listbox', hidden: true });
  const chip = el('div', { class: 'category-chosen', id: ids + '-chosen', hidden: true });
  const choose = (cat) => {
    chosen = cat;
    list.hidden = true;
    if (!cat) {
      chip.hidden = true;
      search.hidden = false;
      search.value = '';
      return;
    }
    const clear = el('button', { type: 'button', class: 'chip-remove', 'aria-label': t('desk.report.category_clear') }, '×');
    clear.addEventListener('click', () => {
      choose(null);
      search.focus();
    });
    chip.replaceChildren(el('span', { class: 'chip', dataset: { code: cat.code } }, `${cat.major} › ${nameOf(cat)}`, clear));
    chip.hidden = false;
    search.hidden = true;
  };
  const find = () => {
    const q = search.value.trim();
    if (!q) {
      list.hidden = true;
      return;
    }
    const hits = matchCategories(cats, q);
    list.replaceChildren(...(hits.length ? hits.map((c) => {
      const option = el('li', { role: 'option', tabindex: '0', class: 'category-option', dataset: { code: c.code } },
        el('span', {}, nameOf(c)), el('span', { class: 'muted' }, c.major));
      option.addEventListener('click', () => choose(c));
      option.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          choose(c);
        }
      });
      return option;
    }) : [el('li', { class: 'muted category-none' }, t('desk.report.category_none'))]));
    list.hidden = false;
  };
  search.addEventListener('input', find);
  search.addEventListener('focus', find);
  // Enter in the search box picks the only match rather than submitting the dialog's form.
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const hits = matchCategories(cats, search.value);
    if (hits.length === 1) choose(hits[0]);
  });
  choose(initial);
  if (!(catalogue instanceof Map)) {
    Promise.resolve(catalogue).then((map) => {
      cats = map;
      if (search.value && document.activeElement === search) find(); // typed before the list came
    });
  }
  return { node: el('div', { class: 'category-field' }, chip, search, list), value: () => chosen };
}

// ---- a message for the next page

const flashKey = 'yiwang.flash';

/** flash keeps a message for the next page this tab opens (see takeFlash). */
export function flash(text, kind = 'info') {
  try {
    sessionStorage.setItem(flashKey, JSON.stringify({ text, kind }));
  } catch {
    // storage off: the message is lost, the navigation still happens
  }
}

/** takeFlash shows (once) the message the previous page kept, in box. */
export function takeFlash(box) {
  let m = null;
  try {
    m = JSON.parse(sessionStorage.getItem(flashKey) || 'null');
    sessionStorage.removeItem(flashKey);
  } catch {
    m = null;
  }
  if (m && m.text) show(box, m.text, m.kind || 'info');
}

/** texts of the rating verdicts, in order. */
export const ratings = ['satisfied', 'mostly', 'unsatisfied'];
