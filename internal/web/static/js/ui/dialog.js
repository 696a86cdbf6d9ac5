// Dialogs on the native <dialog> element, opened with showModal(): the browser makes the rest of
// the page inert and Esc closes the dialog. On top of that every dialog here gets: its heading as
// its accessible name, [data-close] buttons, Tab kept inside it, the first field focused on
// opening and the focus given back to what opened it on closing. Two kinds:
//   formDialog(dialog, {prepare, submit}) — a <dialog> of the page's template holding a <form>
//     (an .alert box, a submit button): submit runs with the button disabled; the dialog closes
//     when it resolves, or shows the error it throws in the box and beside the named fields.
//   confirmDialog({title, text, confirm}) — built here; resolves true when confirmed.
import { el, t } from '../api.js';
import { clearErrors, showErrors } from './fields.js';

const focusable = 'select, textarea, input:not([type="hidden"]):not([hidden]), button:not([disabled]), a[href], [tabindex="0"]';
const fields = 'select, textarea, input:not([type="hidden"]):not([hidden])';
const openers = new WeakMap();
const wired = new WeakSet();

function visible(node) {
  return !node.closest('[hidden]') && node.getClientRects().length > 0;
}

// wire prepares a dialog once.
function wire(dialog) {
  if (wired.has(dialog)) return;
  wired.add(dialog);
  for (const button of dialog.querySelectorAll('[data-close]')) button.addEventListener('click', () => dialog.close());
  const heading = dialog.querySelector('h2');
  if (heading && !dialog.hasAttribute('aria-labelledby') && !dialog.hasAttribute('aria-label')) {
    heading.id ||= (dialog.id || 'dialog') + '-heading';
    dialog.setAttribute('aria-labelledby', heading.id);
  }
  // Tab past the last control comes back to the first (and Shift+Tab the other way), rather than
  // leaving for the browser's own toolbar.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const all = [...dialog.querySelectorAll(focusable)].filter(visible);
    if (!all.length) return;
    const [first, last] = [all[0], all[all.length - 1]];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener('close', () => {
    const back = openers.get(dialog);
    openers.delete(dialog);
    if (back && back.isConnected && typeof back.focus === 'function') back.focus();
  });
}

/** openDialog shows dialog as a modal and focuses focus, else its first field. */
export function openDialog(dialog, focus) {
  wire(dialog);
  if (!dialog.open) openers.set(dialog, document.activeElement);
  if (!dialog.open) dialog.showModal();
  const first = focus || [...dialog.querySelectorAll(fields)].find(visible);
  if (first) first.focus();
}

/**
 * formDialog makes a template's <dialog><form>…</form></dialog> a form dialog. prepare(context,
 * form) fills the form before it shows (after form.reset()); submit(context, form) does the work:
 * the dialog closes when it resolves (unless it resolves false); what it throws is shown in the
 * form (an APIError with its details, or an Error whose message is for people). lateError takes
 * an error thrown after submit closed the dialog itself. Returns {open(context, focus), close()}.
 */
export function formDialog(dialog, { prepare, submit, lateError, reset = true }) {
  wire(dialog);
  const form = dialog.querySelector('form');
  const box = form.querySelector('.alert');
  const button = form.querySelector('[type="submit"]');
  let context = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form, box);
    if (button) button.disabled = true;
    try {
      if ((await submit(context, form)) !== false && dialog.open) dialog.close();
    } catch (err) {
      if (dialog.open) showErrors(form, box, err);
      else if (lateError) lateError(err);
      else throw err;
    } finally {
      if (button) button.disabled = false;
    }
  });
  return {
    async open(ctx, focus) {
      context = ctx;
      if (reset) form.reset();
      clearErrors(form, box);
      if (prepare) await prepare(ctx, form);
      openDialog(dialog, focus);
    },
    close() {
      dialog.close();
    },
  };
}

/**
 * confirmDialog asks a question in a modal dialog of its own and resolves true when the
 * confirm button is pressed, false on cancel or Esc. danger styles the button as destructive.
 */
export function confirmDialog({ title, text, confirm, danger = false }) {
  const yes = el('button', { type: 'submit', value: 'yes', class: 'btn ' + (danger ? 'btn-danger' : 'btn-primary'), id: 'confirm-yes' }, confirm);
  const no = el('button', { type: 'button', class: 'btn', 'data-close': true }, t('web.cancel'));
  const dialog = el('dialog', { class: 'dialog dialog-confirm', role: 'alertdialog', 'aria-describedby': 'confirm-text', id: 'confirm-dialog' },
    el('form', { method: 'dialog', class: 'form' },
      el('h2', {}, title), el('p', { id: 'confirm-text' }, text), el('div', { class: 'actions' }, yes, no)));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'yes');
      dialog.remove();
    });
    openDialog(dialog, danger ? no : yes);
  });
}
