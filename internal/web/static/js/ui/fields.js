// Form fields: the label–control–hint block every form repeats, and the API's error answer
// ({message, details[]}, internal/httpx/respond.go) shown where it belongs — the message in the
// form's alert box, each detail whose field names a visible control (its name attribute, or
// data-field) beside that control, tied to it with aria-describedby and aria-invalid, and the
// details that name no control listed in the box.
import { el, hide, show } from '../api.js';

/** field is a labelled control with an optional hint: <div class="field">. */
export function field(id, label, control, hint) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), control, hint ? el('p', { class: 'hint' }, hint) : null);
}

/** radio is one labelled radio button; its id is f-<name>-<value>. */
export function radio(name, value, label, checked) {
  const id = `f-${name}-${value}`;
  return el('label', { class: 'check', for: id }, el('input', { type: 'radio', name, value, id, checked }), ' ', el('span', {}, label));
}

/** select is a <select> of [value, label] pairs, with selected chosen. */
export function select(attrs, options, selected) {
  return el('select', attrs, options.map(([value, label]) => el('option', { value, selected: value === selected }, label)));
}

// control finds the visible control a detail's field names.
function control(form, name) {
  if (!form || !name) return null;
  const quoted = CSS.escape(name);
  const node = form.querySelector(`[data-field="${quoted}"], [name="${quoted}"]:not([type="hidden"])`);
  return node && !node.closest('[hidden]') ? node : null;
}

/**
 * fieldError marks the control named name invalid and shows message under it (a check made in
 * the page before the API is asked). It reports whether such a control was found.
 */
export function fieldError(form, name, message) {
  const node = control(form, name);
  if (!node) return false;
  const id = (node.id || name) + '-error';
  node.setAttribute('aria-invalid', 'true');
  const described = (node.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  if (!described.includes(id)) node.setAttribute('aria-describedby', [...described, id].join(' '));
  (node.closest('.field') || node.parentElement).append(el('p', { class: 'field-error', id }, message));
  return true;
}

/** clearErrors takes back what showErrors and fieldError showed. */
export function clearErrors(form, box) {
  hide(box);
  if (!form) return;
  for (const p of form.querySelectorAll('.field-error')) {
    const node = form.querySelector(`[aria-describedby~="${CSS.escape(p.id)}"]`);
    if (node) {
      const rest = node.getAttribute('aria-describedby').split(' ').filter((id) => id && id !== p.id);
      if (rest.length) node.setAttribute('aria-describedby', rest.join(' '));
      else node.removeAttribute('aria-describedby');
      node.removeAttribute('aria-invalid');
    }
    p.remove();
  }
}

/**
 * showErrors shows an error (an APIError, or any Error whose message is already for people) in
 * form: the message in box, the details beside the controls they name, the rest in box; the
 * first control in error takes the focus.
 */
export function showErrors(form, box, err, kind = 'error') {
  clearErrors(form, box);
  const rest = [];
  let first = null;
  for (const d of err.details || []) {
    if (fieldError(form, d.field, d.message)) first ||= control(form, d.field);
    else rest.push(d);
  }
  show(box, err.message, kind, rest);
  if (first) first.focus();
}

/**
 * formValues reads the named controls of form into an object for the API: trimmed text, numbers
 * for type=number, booleans for checkboxes; empty values are left out.
 */
export function formValues(form) {
  const out = {};
  for (const node of form.elements) {
    if (!node.name || node.disabled || node.type === 'submit' || node.type === 'button' || node.type === 'file') continue;
    if (node.type === 'checkbox') out[node.name] = node.checked;
    else if (node.type === 'radio') {
      if (node.checked) out[node.name] = node.value;
    } else if (node.value.trim() !== '') out[node.name] = node.type === 'number' ? Number(node.value) : node.value.trim();
  }
  return out;
}
