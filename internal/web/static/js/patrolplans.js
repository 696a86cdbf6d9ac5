// Patrol plans (巡查计划) on the coverage page, for those who plan patrols (patrol.plan): a grid's
// plan is made or edited in one dialog — how many patrols a week, the route's points (one a line,
// "name lat,lng", or the phone's position added as a point), the checklist (empty: the grid
// kind's default) and the volunteer teams assigned. People assigned by name are kept as they are.
// POST /api/v1/patrol-plans makes a plan, PATCH /api/v1/patrol-plans/{id} changes it.
import { api, el, show, t } from './api.js';
import { formDialog } from './ui/dialog.js';
import { position } from './ui/map.js';

const dialog = document.getElementById('plan-dialog');
const form = dialog.querySelector('form');
const routeInput = document.getElementById('plan-route');
let teams = null;

/** plans maps each grid code to its plan, for the plans in the caller's reach. */
export async function loadPlans() {
  const r = await api('GET', 'patrol-plans');
  return new Map((r.plans || []).map((p) => [p.grid_code, p]));
}

// routeText writes a route one point a line: "name lat,lng".
function routeText(route) {
  return (route || []).map((p) => `${p.name} ${p.lat.toFixed(6)},${p.lng.toFixed(6)}`).join('\n');
}

// parseRoute reads the route lines back; a line that is not "name lat,lng" is named in the error.
function parseRoute(text) {
  const out = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const m = line.match(/^(.+?)[\s,，]+(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)$/);
    if (!m) {
      const err = new Error(t('patrol_page.plan.bad_line', i + 1));
      err.details = [{ field: 'route', message: t('patrol_page.plan.bad_line', i + 1) }];
      throw err;
    }
    out.push({ name: m[1].trim(), lat: Number(m[2]), lng: Number(m[3]) });
  }
  return out;
}

async function teamList() {
  if (!teams) teams = api('GET', 'volunteer-teams').then((r) => r.teams || []).catch(() => []);
  return teams;
}

document.getElementById('plan-here').addEventListener('click', async () => {
  const box = form.querySelector('.alert');
  try {
    const c = await position(t('patrol_page.no_position'));
    const n = routeInput.value.split('\n').filter((l) => l.trim()).length + 1;
    const line = `${t('patrol_page.plan.point', n)} ${c.latitude.toFixed(6)},${c.longitude.toFixed(6)}`;
    routeInput.value = (routeInput.value.trim() ? routeInput.value.trim() + '\n' : '') + line;
  } catch (err) {
    show(box, err.message);
  }
});

/**
 * planDialog opens the plan of a coverage row ({grid_code, grid_name}, plan or undefined);
 * saved(plan) is called after the API took it.
 */
export function planDialog(saved) {
  const d = formDialog(dialog, {
    async prepare({ grid, plan }) {
      document.getElementById('plan-title').textContent = t(plan ? 'patrol_page.plan.edit_title' : 'patrol_page.plan.new_title');
      document.getElementById('plan-grid').textContent = grid.grid_name ? `${grid.grid_name}（${grid.grid_code}）` : grid.grid_code;
      form.elements.per_week.value = plan ? plan.per_week : 2;
      routeInput.value = plan ? routeText(plan.route) : '';
      form.elements.checklist.value = plan ? (plan.checklist || []).join('\n') : '';
      const assigned = new Set((plan ? plan.assignees : []).filter((a) => a.kind === 'team').map((a) => a.id));
      const kept = (plan ? plan.assignees : []).filter((a) => a.kind !== 'team').length;
      document.getElementById('plan-kept').textContent = kept ? t('patrol_page.plan.kept', kept) : '';
      const list = await teamList();
      document.getElementById('plan-team-list').replaceChildren(...(list.length ? list.map((tm) => el('label', { class: 'check', for: 'plan-team-' + tm.id },
        el('input', { type: 'checkbox', id: 'plan-team-' + tm.id, value: tm.id, checked: assigned.has(tm.id), dataset: { team: tm.id } }), ' ',
        el('span', {}, `${tm.name}（${tm.zone_name || tm.zone_code}，${t('patrol_page.plan.members', tm.members)}）`)))
        : [el('p', { class: 'muted' }, t('patrol_page.plan.no_teams'))]));
    },
    async submit({ grid, plan }, f) {
      const perWeek = Number(f.elements.per_week.value);
      const route = parseRoute(routeInput.value);
      const checklist = f.elements.checklist.value.split('\n').map((l) => l.trim()).filter(Boolean);
      const teamIDs = [...f.querySelectorAll('#plan-team-list input[data-team]')].filter((i) => i.checked).map((i) => i.value);
      const assignees = [...(plan ? plan.assignees.filter((a) => a.kind !== 'team') : []), ...teamIDs.map((id) => ({ kind: 'team', id }))];
      const body = { per_week: perWeek, route, assignees };
      if (checklist.length) body.checklist = checklist;
      const out = plan
        ? await api('PATCH', 'patrol-plans/' + encodeURIComponent(plan.id), body)
        : await api('POST', 'patrol-plans', { grid_code: grid.grid_code, ...body });
      await saved(out);
    },
  });
  return d;
}
