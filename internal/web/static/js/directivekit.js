// What the directive pages (指令穿透) share: the chips of types and states, and the dialog that
// issues a directive, its Update or its Cancel (POST /api/v1/directives, CAP 1.2 shaped). The
// target is picked from the org tree the caller reaches: whole subdistricts, or communities.
// Texts: directive_page.* in the catalogue.
import { api, el, lang, t } from './api.js';
import { formDialog } from './ui/dialog.js';
import { field, select } from './ui/fields.js';
import { statusKind } from './ui/status.js';

export const stateChip = statusKind('directive_page.state.', { active: 'progress', superseded: 'muted', cancelled: 'muted' });
export const typeChip = statusKind('directive_page.type.', { Alert: 'danger', Update: 'warn', Cancel: 'muted' });
export const ackChip = statusKind('directive_page.ack.', { unacknowledged: 'warn', acknowledged: 'info', done: 'ok' });

const urgencies = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
const severities = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
const certainties = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
const categories = ['Safety', 'Met', 'Geo', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'Security', 'Rescue', 'CBRNE', 'Other'];

const nodeName = (n) => (lang === 'en' && n.name_en ? n.name_en : n.name);
const pad = (n) => String(n).padStart(2, '0');
// local is a datetime-local value for a time in the browser's zone.
const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

// targetPicker lists the subdistricts the caller reaches, each with its communities: ticking a
// subdistrict takes all of it; otherwise the communities ticked.
async function targetPicker() {
  const tree = await api('GET', 'org/tree');
  const subdistricts = [];
  const walk = (n) => {
    if (n.kind === 'subdistrict' && !n.context) subdistricts.push(n);
    else for (const c of n.children || []) walk(c);
  };
  walk(tree);
  return el('fieldset', { class: 'field checklist', id: 'd-target', dataset: { field: 'target' } },
    el('legend', {}, t('directive_page.target')),
    subdistricts.map((s) => el('div', { class: 'target-group' },
      el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'subdistricts', value: s.code }), ' ', el('strong', {}, nodeName(s))),
      el('div', { class: 'check-grid' }, (s.children || []).filter((c) => c.kind === 'community').map((c) => el('label', { class: 'check' },
        el('input', { type: 'checkbox', name: 'communities', value: c.code }), ' ', nodeName(c)))))));
}

const choice = (kind, values) => values.map((v) => [v, t(`directive_page.${kind}.${v}`)]);

/**
 * directiveDialog runs the dialog #directive-dialog. open(null) issues a new Alert; open({id,
 * msg_type: 'Update'|'Cancel', from}) issues an Update or a Cancel of directive from, with its
 * fields filled in. done(id) is called with the new directive's id.
 */
export function directiveDialog(done) {
  const dialog = document.getElementById('directive-dialog');
  const fields = dialog.querySelector('.dialog-fields');
  return formDialog(dialog, {
    async prepare(ctx) {
      const from = ctx && ctx.from;
      const type = (ctx && ctx.msg_type) || 'Alert';
      document.getElementById('directive-dialog-title').textContent = t('directive_page.dialog.' + type);
      const due = new Date(Date.now() + 2 * 3600 * 1000);
      fields.replaceChildren(
        field('d-title', t('directive_page.title_label'), el('input', { id: 'd-title', name: 'title', maxlength: '200', required: true, value: from ? from.title : '' })),
        field('d-instruction', t('directive_page.instruction'), el('textarea', { id: 'd-instruction', name: 'instruction', rows: '4', maxlength: '4000', required: true },
          from ? from.instruction : ''), t('directive_page.instruction_hint')),
        el('div', { class: 'form-row' },
          field('d-category', t('directive_page.category_label'), select({ id: 'd-category', name: 'category' }, choice('category', categories), from ? from.category : 'Safety')),
          field('d-urgency', t('directive_page.urgency_label'), select({ id: 'd-urgency', name: 'urgency' }, choice('urgency', urgencies), from ? from.urgency : 'Expected')),
          field('d-severity', t('directive_page.severity_label'), select({ id: 'd-severity', name: 'severity' }, choice('severity', severities), from ? from.severity : 'Moderate')),
          field('d-certainty', t('directive_page.certainty_label'), select({ id: 'd-certainty', name: 'certainty' }, choice('certainty', certainties), from ? from.certainty : 'Likely'))),
        field('d-due', t('directive_page.ack_due'), el('input', { id: 'd-due', name: 'ack_due', type: 'datetime-local', required: true, value: local(due) })),
        el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'd-action', name: 'action_required', checked: from ? from.action_required : false }),
          ' ', t('directive_page.action_required')),
        from ? el('p', { class: 'hint', id: 'd-same-target' }, t('directive_page.same_target', from.area_desc)) : await targetPicker());
    },
    async submit(ctx, form) {
      const from = ctx && ctx.from;
      const v = (name) => form.elements[name].value.trim();
      const body = {
        title: v('title'), instruction: v('instruction'), msg_type: (ctx && ctx.msg_type) || 'Alert', category: v('category'),
        urgency: v('urgency'), severity: v('severity'), certainty: v('certainty'),
        ack_due: form.elements.ack_due.value ? new Date(form.elements.ack_due.value).toISOString() : '',
        action_required: form.elements.action_required.checked,
        target: from ? from.target : {
          subdistricts: [...form.querySelectorAll('input[name="subdistricts"]:checked')].map((c) => c.value),
          communities: [...form.querySelectorAll('input[name="communities"]:checked')].map((c) => c.value),
          zones: [], grids: [],
        },
      };
      if (from) body.references = from.id;
      const out = await api('POST', 'directives', body);
      done(out.id);
    },
  });
}
