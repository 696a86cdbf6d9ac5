// What the whistle pages (吹哨报到) share, and the case page's "吹哨" dialog: the names and
// chips of kinds, statuses and answers, and the form that blows the whistle on a case
// (POST /api/v1/whistles). Texts: whistle_page.* in the catalogue.
import { api, el, t } from './api.js';
import { departments, nameOf } from './casekit.js';
import { formDialog } from './ui/dialog.js';
import { field, radio } from './ui/fields.js';
import { statusKind } from './ui/status.js';

export const kinds = ['emergency', 'hard', 'daily'];
export const kindChip = statusKind('whistle_page.kind.', { emergency: 'danger', hard: 'warn', daily: 'info' });
export const statusChip = statusKind('whistle_page.status.', { open: 'progress', closed: 'ok', cancelled: 'muted' });
export const answerChip = statusKind('whistle_page.answer.', { summoned: 'warn', acknowledged: 'info', checked_in: 'progress', task_done: 'ok' });

/** stars shows a rating of 1–5 as stars, with the number for a screen reader. */
export function stars(n) {
  if (!n) return el('span', { class: 'muted' }, '—');
  return el('span', { class: 'stars', title: t('whistle_page.stars_n', n), dataset: { stars: String(n) } },
    el('span', { 'aria-hidden': 'true' }, '★'.repeat(n) + '☆'.repeat(5 - n)), el('span', { class: 'visually-hidden' }, t('whistle_page.stars_n', n)));
}

/** limitText says a check-in limit of the rules in words: 30 分钟内到场, 2 个工作小时内到场, 1 个工作日内到场. */
export function limitText(l) {
  if (!l) return '';
  if (l.unit === 'working_days') return t('whistle_page.limit.working_days', l.value);
  if (l.unit === 'working_minutes') {
    return l.value % 60 ? t('whistle_page.limit.working_minutes', l.value) : t('whistle_page.limit.working_hours', l.value / 60);
  }
  return t('whistle_page.limit.minutes', l.value);
}

/** rulesSummary says rules in one line: each kind's limit, then the flag distance. */
export function rulesSummary(r) {
  return kinds.map((k) => t('whistle_page.kind_limit', t('whistle_page.kind.' + k), limitText(r.limits[k]))).join(t('whistle_page.sep')) +
    t('whistle_page.sep') + t('whistle_page.flag_summary', r.flag_distance_m);
}

let rulesView;
/** rules is the district's whistle rules in force (GET /api/v1/whistles/rules), asked once per page. */
export function rules() {
  rulesView ||= api('GET', 'whistles/rules');
  return rulesView;
}

/**
 * blowButton is the "吹哨" button of the case page and of the report form's result: it opens the
 * dialog that summons departments to the case (the kind, the units, what is asked, optionally a
 * check-in deadline in minutes), then goes to the new whistle's page.
 */
export function blowButton(caseID) {
  const dialog = document.getElementById('whistle-dialog');
  const button = el('button', { type: 'button', class: 'btn btn-whistle', id: 'act-whistle' }, t('whistle_page.blow'));
  const fields = dialog.querySelector('.dialog-fields');
  const blow = formDialog(dialog, {
    async prepare() {
      // The kinds' limits are the district's rules in force (data, changed on /whistles).
      const [units, view] = await Promise.all([departments(), rules().catch(() => null)]);
      const hint = (k) => (view ? ' · ' + limitText(view.rules.limits[k]) : '');
      fields.replaceChildren(
        el('fieldset', { class: 'field', id: 'w-kind' }, el('legend', {}, t('whistle_page.kind')),
          ...kinds.map((k, i) => radio('kind', k, t('whistle_page.kind.' + k) + hint(k), i === 2))),
        el('fieldset', { class: 'field checklist', id: 'w-departments', dataset: { field: 'department_codes' } },
          el('legend', {}, t('whistle_page.departments')),
          el('div', { class: 'check-grid' }, [...units.values()].map((d) => el('label', { class: 'check' },
            el('input', { type: 'checkbox', name: 'department_codes', value: d.code }), ' ', nameOf(d))))),
        field('w-ask', t('whistle_page.ask'), el('textarea', { id: 'w-ask', name: 'ask', rows: '3', maxlength: '1000', required: true }),
          t('whistle_page.ask_hint')),
        field('w-minutes', t('whistle_page.check_in_minutes'), el('input', { id: 'w-minutes', name: 'check_in_minutes', type: 'number',
          min: '5', max: '10080', inputmode: 'numeric' }), t('whistle_page.check_in_minutes_hint')));
    },
    async submit(_, form) {
      const body = {
        case_id: caseID,
        kind: form.elements.kind.value,
        department_codes: [...form.querySelectorAll('input[name="department_codes"]:checked')].map((c) => c.value),
        ask: form.elements.ask.value.trim(),
      };
      const minutes = form.elements.check_in_minutes.value;
      if (minutes) body.check_in_minutes = Number(minutes);
      const w = await api('POST', 'whistles', body);
      location.assign('/whistles/' + encodeURIComponent(w.id));
    },
  });
  button.addEventListener('click', () => blow.open());
  return button;
}

