// Editing the 1+N rosters, for those who manage them (participant.manage; config can_manage): a
// participant added or changed (kind, name, contact), a pledge (共建项目/资源清单) added or moved on
// (pledged → in progress → delivered), and a volunteer team's hours outside patrols logged for a
// member and confirmed (a volunteer never confirms their own). The participant API decides, per
// zone, what the caller may change.
import { api, config, el, t } from './api.js';
import { formDialog } from './ui/dialog.js';
import { showErrors } from './ui/fields.js';
import { statusKind } from './ui/status.js';

const hourChip = statusKind('roster_page.hours.status.', { pending: 'warn', confirmed: 'ok' });
const { user_id: me } = config();

// today is today's date in Beijing (YYYY-MM-DD).
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function hours(minutes) {
  return (minutes / 60).toFixed(1).replace(/\.0$/, '');
}

// changed is what of the form differs from the participant as it was (PATCH keeps the rest).
function changed(before, values) {
  const out = {};
  for (const k of ['name', 'contact_name', 'contact_phone']) {
    if ((values[k] || '') !== (before[k] || '')) out[k] = values[k] || '';
  }
  return out;
}

/** rosterEditor wires the dialogs; reload() reads the zone's roster again after a change. */
export function rosterEditor(zone, reload) {
  const participant = formDialog(document.getElementById('participant-dialog'), {
    prepare(p, form) {
      document.getElementById('participant-title').textContent = t(p ? 'roster_page.edit_title' : 'roster_page.add_title');
      document.getElementById('participant-kind-field').hidden = !!p;
      if (p) {
        form.elements.name.value = p.name;
        form.elements.contact_name.value = p.contact_name || '';
        form.elements.contact_phone.value = p.contact_masked ? '' : p.contact_phone || '';
      }
    },
    async submit(p, form) {
      const values = {};
      for (const k of ['kind', 'name', 'contact_name', 'contact_phone']) values[k] = form.elements[k].value.trim();
      if (p) {
        const body = changed({ ...p, contact_phone: p.contact_masked ? '' : p.contact_phone }, values);
        if (Object.keys(body).length) await api('PATCH', 'participants/' + encodeURIComponent(p.id), body);
      } else {
        const body = { kind: values.kind, name: values.name };
        if (values.contact_name) body.contact_name = values.contact_name;
        if (values.contact_phone) body.contact_phone = values.contact_phone;
        await api('POST', `zones/${encodeURIComponent(zone())}/participants`, body);
      }
      await reload();
    },
  });

  const pledge = formDialog(document.getElementById('pledge-dialog'), {
    prepare({ p, g }, form) {
      document.getElementById('pledge-title').textContent = t(g ? 'roster_page.pledge_edit' : 'roster_page.pledge_add');
      document.getElementById('pledge-of').textContent = p.name;
      if (g) {
        form.elements.title.value = g.title;
        form.elements.kind.value = g.kind;
        form.elements.description.value = g.description || '';
        form.elements.status.value = g.status;
      }
    },
    async submit({ p, g }, form) {
      const body = { title: form.elements.title.value.trim(), kind: form.elements.kind.value,
        description: form.elements.description.value.trim(), status: form.elements.status.value };
      if (g) await api('PATCH', 'pledges/' + encodeURIComponent(g.id), body);
      else await api('POST', `participants/${encodeURIComponent(p.id)}/pledges`, body);
      await reload();
    },
  });

  // The hours of a team's volunteers: pick a member, see the period's hours, confirm pending
  // entries, log more. The dialog stays open after each step.
  const volunteerSelect = document.getElementById('hours-volunteer');
  const hoursDialog = document.getElementById('hours-dialog');
  const hoursForm = hoursDialog.querySelector('form');
  let team = null;
  async function showHours() {
    const list = document.getElementById('hours-list');
    const total = document.getElementById('hours-total');
    list.replaceChildren();
    total.textContent = '';
    const vid = volunteerSelect.value;
    if (!vid) return;
    const h = await api('GET', `volunteers/${encodeURIComponent(vid)}/hours`);
    total.textContent = t('roster_page.hours.total', hours(h.total_minutes), hours(h.patrol_minutes), hours(h.confirmed_minutes), hours(h.pending_minutes));
    list.replaceChildren(...(h.entries || []).map((e) => {
      const li = el('li', { dataset: { id: e.id, status: e.status } }, el('strong', {}, e.day), ' ',
        t('roster_page.hours.minutes_n', e.minutes), ' ', e.note, ' ', hourChip(e.status));
      if (e.status === 'pending' && e.volunteer_id !== me) {
        const b = el('button', { type: 'button', class: 'btn btn-small', id: 'confirm-' + e.id }, t('roster_page.hours.confirm'));
        b.addEventListener('click', async () => {
          b.disabled = true;
          try {
            await api('POST', `volunteer-hours/${encodeURIComponent(e.id)}/confirm`);
            await showHours();
          } catch (err) {
            showErrors(hoursForm, hoursForm.querySelector('.alert'), err);
            b.disabled = false;
          }
        });
        li.append(' ', b);
      }
      return li;
    }));
    if (!list.children.length) list.append(el('li', { class: 'muted' }, t('roster_page.hours.none')));
    list.dataset.ready = vid;
  }
  volunteerSelect.addEventListener('change', () => showHours().catch((err) => showErrors(hoursForm, hoursForm.querySelector('.alert'), err)));
  const hoursEditor = formDialog(hoursDialog, {
    async prepare(p, form) {
      team = p;
      document.getElementById('hours-title').textContent = t('roster_page.hours.title', p.name);
      form.elements.day.value = today();
      const r = await api('GET', `volunteer-teams/${encodeURIComponent(p.id)}/members`);
      const members = r.members || [];
      volunteerSelect.replaceChildren(...members.map((m) => el('option', { value: m.user_id || m.id }, m.name)));
      await showHours();
    },
    async submit(p, form) {
      const vid = volunteerSelect.value;
      if (!vid) throw new Error(t('roster_page.hours.no_member'));
      await api('POST', `volunteers/${encodeURIComponent(vid)}/hours`, { team_id: team.id, day: form.elements.day.value,
        minutes: Number(form.elements.minutes.value), note: form.elements.note.value.trim() });
      form.elements.minutes.value = '';
      form.elements.note.value = '';
      await showHours();
      return false;
    },
  });

  document.getElementById('roster-manage').hidden = false;
  const add = document.getElementById('participant-add');
  add.addEventListener('click', () => participant.open(null, add));

  /** actions are the buttons of a participant's row (or of the lead). */
  function actions(p) {
    const button = (id, key, fn) => {
      const b = el('button', { type: 'button', class: 'btn btn-small', id }, t(key));
      b.addEventListener('click', () => fn(b));
      return b;
    };
    return el('div', { class: 'roster-actions' },
      button('edit-' + p.id, 'roster_page.edit', (b) => participant.open(p, b)),
      button('pledge-' + p.id, 'roster_page.pledge_add', (b) => pledge.open({ p, g: null }, b)),
      p.kind === 'volunteer_team' ? button('hours-' + p.id, 'roster_page.hours.open', (b) => hoursEditor.open(p, b)) : null);
  }

  /** pledgeButton is a pledge's title as a button that opens it. */
  function pledgeButton(p, g) {
    const b = el('button', { type: 'button', class: 'btn btn-small', id: 'pledge-edit-' + g.id }, g.title);
    b.addEventListener('click', () => pledge.open({ p, g }, b));
    return b;
  }
  return { actions, pledgeButton };
}
