// A table of API items with cursor paging: the columns are a spec, the rows come from a load
// function that asks the API for one page; the table shows the loading state (status line,
// aria-busy), an empty row or the error, and a "more" button while the API says there is a next
// page. On a phone a .stack-on-phone table becomes cards whose cells carry their column's label.
import { el, t } from '../api.js';

/**
 * pagedTable fills table (a <table>; its <thead> is built from the columns when the template has
 * none). Options:
 *   columns  [{label: catalogue key, cell: (item) => content, class}]; a column without a label
 *            is a bare cell (a row's checkbox)
 *   load     async (cursor, shown) => ({items, next}): one page from the API; next is the cursor
 *            of the next page, '' or null at the end; cursor is '' for the first page
 *   key      (item) => its id (default item.id), for replace()
 *   row      (item) => attributes of its <tr> (dataset …)
 *   status   the status line element; more: the "more" button
 *   empty    catalogue key of the empty table's row (none: no row)
 *   count    (items, more) => the status line's text once loaded (default '')
 *   rendered () => called after every render
 * Returns {reload(), more(), render(), replace(item), items (Map id → item, in order), next}.
 */
export function pagedTable(table, { columns, load, key = (item) => item.id, row = () => ({}), status, more, empty, count = () => '', rendered }) {
  const tbody = table.tBodies[0] || table.appendChild(el('tbody'));
  if (!table.tHead) {
    table.prepend(el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.class }, c.label ? t(c.label) : '')))));
  }
  const items = new Map();
  let next = '';
  let asked = 0; // the latest request; older answers are dropped

  const tr = (item) => el('tr', row(item), columns.map((c) => (c.label
    ? el('td', { dataset: { label: t(c.label) }, class: c.class }, el('div', { class: 'cell' }, c.cell(item)))
    : el('td', { class: c.class }, c.cell(item)))));

  function render() {
    tbody.replaceChildren(...[...items.values()].map(tr));
    if (!items.size && empty) tbody.append(el('tr', {}, el('td', { colspan: String(columns.length), class: 'empty' }, t(empty))));
    if (more) more.hidden = !next;
    if (status) status.textContent = count([...items.values()], Boolean(next));
    if (rendered) rendered();
  }

  async function fetchPage(append) {
    const n = ++asked;
    if (status) status.textContent = t('web.loading');
    table.setAttribute('aria-busy', 'true');
    try {
      const page = await load(append ? next : '', items.size);
      if (n !== asked) return;
      if (!append) items.clear();
      for (const item of page.items || []) items.set(key(item), item);
      next = page.next || '';
      render();
    } catch (err) {
      if (n === asked && status) status.textContent = err.message;
    } finally {
      if (n === asked) table.setAttribute('aria-busy', 'false');
    }
  }

  if (more) more.addEventListener('click', () => fetchPage(true));
  return {
    reload: () => fetchPage(false),
    more: () => fetchPage(true),
    render,
    replace(item) {
      items.set(key(item), item);
      const old = tbody.querySelector(`tr[data-id="${CSS.escape(String(key(item)))}"]`);
      if (old) old.replaceWith(tr(item));
      else render();
    },
    items,
    get next() {
      return next;
    },
  };
}
