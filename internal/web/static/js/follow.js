// The private follow page of an anonymous report (GET /api/v1/follow/{token}): the case number,
// its status and the public timeline, nothing about anyone. Needs no sign-in: the link is the key.
import { api, config, el, t, when } from './api.js';
import { actionName, statusChip } from './casekit.js';

const cfg = config();
const body = document.getElementById('follow-body');

async function main() {
  try {
    const f = await api('GET', 'follow/' + encodeURIComponent(cfg.token));
    body.replaceChildren(
      el('section', { class: 'panel' },
        el('p', { class: 'result-number' }, t('desk.report.number'), ' ', el('strong', { id: 'follow-number' }, f.number), ' ', statusChip(f.status)),
        el('p', { class: 'case-description' }, f.description),
        el('dl', { class: 'facts' },
          el('dt', {}, t('desk.case.reported_at')), el('dd', {}, when(f.reported_at)),
          f.closed_at ? [el('dt', {}, t('desk.case.closed_at')), el('dd', {}, when(f.closed_at))] : [])),
      el('section', { class: 'panel' }, el('h2', {}, t('desk.case.timeline')),
        el('ol', { class: 'timeline', id: 'timeline' }, f.events.map((e) => el('li', { class: 'timeline-item' },
          el('span', { class: 'timeline-action' }, actionName(e.action)), ' ', statusChip(e.status),
          el('span', { class: 'timeline-time' }, when(e.at)))))));
  } catch (err) {
    body.replaceChildren(el('p', { class: 'alert alert-error', id: 'follow-error' }, err.status === 404 ? t('desk.follow.not_found') : err.message));
  }
}

main();
