// The onboarding page (上线导入): per import (the org tree for the sys_admin, accounts for the
// sec_admin) a file is first checked by a dry run (POST /api/v1/onboard/{kind}?dry_run=true,
// nothing written), its plan and every row's problem shown; only a clean dry run of the same
// file enables 确认导入, which writes all or nothing. Upload progress is shown for big files; the
// first passwords of created accounts are shown once and never stored by the page.
import { APIError, el, hide, show, t, upload } from './api.js';
import { pagedTable } from './ui/table.js';

const orgKinds = ['district', 'subdistrict', 'community', 'zone', 'department'];

function planTable(rep) {
  const rows = rep.kind === 'users'
    ? [{ kind: 'onboard.kind.users', add: rep.users.create, update: rep.users.update, unchanged: rep.users.unchanged }]
    : orgKinds.filter((k) => rep.org && rep.org[k]).map((k) => ({ kind: 'onboard.kind.' + k, ...rep.org[k] }));
  return el('table', { class: 'data-table onboard-plan' },
    el('caption', {}, t('onboard.plan'), ' · ', t('onboard.rows', rep.rows)),
    el('thead', {}, el('tr', {}, ['', 'onboard.add', 'onboard.update', 'onboard.unchanged'].map((k) => el('th', { scope: 'col' }, k ? t(k) : '')))),
    el('tbody', {}, rows.map((r) => el('tr', { dataset: { kind: r.kind } },
      el('th', { scope: 'row' }, t(r.kind)), el('td', {}, r.add), el('td', {}, r.update), el('td', {}, r.unchanged)))));
}

function errorsTable(errors) {
  const table = el('table', { class: 'data-table stack-on-phone onboard-errors' });
  pagedTable(table, {
    columns: [
      { label: 'onboard.col.sheet', cell: (e) => e.sheet || '—' },
      { label: 'onboard.col.row', cell: (e) => (e.row || e.line || '—') },
      { label: 'onboard.col.column', cell: (e) => e.column || e.field || '—' },
      { label: 'onboard.col.message', cell: (e) => e.message },
    ],
    key: (e) => `${e.sheet}:${e.row || e.line}:${e.column || e.field}:${e.message}`,
    async load() {
      return { items: errors };
    },
  });
  return el('div', { class: 'table-wrap' }, el('h3', {}, t('onboard.errors'), ' (', errors.length, ')'), table);
}

function passwordsTable(passwords) {
  return el('div', { class: 'panel onboard-passwords' },
    el('p', { class: 'alert alert-warn' }, t('onboard.passwords')),
    el('table', { class: 'data-table' }, el('tbody', {}, passwords.map((p) => el('tr', {},
      el('th', { scope: 'row' }, p.username), el('td', {}, el('code', { class: 'initial-password' }, p.password)))))));
}

function setup(panel) {
  const kind = panel.dataset.kind;
  const form = panel.querySelector('form');
  const input = form.querySelector('input[type=file]');
  const confirm = form.querySelector('[data-run=real]');
  const progress = form.querySelector('progress');
  const status = form.querySelector('.onboard-status');
  const box = form.querySelector('.alert');
  const result = panel.querySelector('.onboard-result');
  let checked = null; // the file whose dry run was clean

  input.addEventListener('change', () => {
    checked = null;
    confirm.disabled = true;
    result.replaceChildren();
    hide(box);
  });

  async function run(dryRun) {
    const file = input.files[0];
    if (!file) {
      show(box, t('onboard.no_file'));
      return;
    }
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    hide(box);
    result.replaceChildren();
    progress.hidden = false;
    progress.value = 0;
    status.textContent = t('onboard.uploading', 0);
    const body = new FormData();
    body.append('file', file);
    try {
      const rep = await upload(`onboard/${kind}?dry_run=${dryRun}`, body, (pct) => {
        progress.value = pct;
        status.textContent = pct < 100 ? t('onboard.uploading', pct) : t('onboard.checking');
      });
      result.append(planTable(rep));
      if (rep.errors && rep.errors.length) {
        show(box, t('onboard.file_has_problems', rep.errors.length));
        result.append(errorsTable(rep.errors));
      } else if (dryRun) {
        show(box, t('onboard.no_errors'), 'ok');
        checked = file;
      } else {
        show(box, t('onboard.done'), 'ok');
        checked = null;
        if (rep.passwords && rep.passwords.length) result.append(passwordsTable(rep.passwords));
      }
      status.textContent = '';
    } catch (err) {
      status.textContent = '';
      checked = null;
      show(box, err.message, 'error', err instanceof APIError && err.details.length > 20 ? [] : err.details || []);
      if (err instanceof APIError && err.details.length > 20) result.append(errorsTable(err.details));
    } finally {
      progress.hidden = true;
      form.querySelector('[data-run=dry]').disabled = false;
      confirm.disabled = checked !== file;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run(true);
  });
  confirm.addEventListener('click', () => run(false));
}

document.querySelectorAll('.onboard-panel').forEach(setup);
