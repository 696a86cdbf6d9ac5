// The dashboard's state lives in the URL (?period=&from=&to=&rate=&at=kind:code&zone=), so a
// drill-down is a history entry: the back button goes up a level, and a link shows the same view.

/** Beijing's calendar day of d as YYYY-MM-DD (the indicators count days in Asia/Shanghai). */
export function beijingDay(d = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

const pad = (n) => String(n).padStart(2, '0');
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '');

/**
 * span turns a period choice into {from, to}: this month so far, last month whole, this year so
 * far, or the custom dates (the API checks them and says what is wrong).
 */
export function span(state, today = beijingDay()) {
  const [y, m] = today.split('-').map(Number);
  switch (state.period) {
    case 'last_month': {
      const ly = m === 1 ? y - 1 : y;
      const lm = m === 1 ? 12 : m - 1;
      const last = new Date(Date.UTC(ly, lm, 0)).getUTCDate();
      return { from: `${ly}-${pad(lm)}-01`, to: `${ly}-${pad(lm)}-${pad(last)}` };
    }
    case 'this_year':
      return { from: `${y}-01-01`, to: today };
    case 'custom':
      if (isDay(state.from) && isDay(state.to)) return { from: state.from, to: state.to };
      return { from: `${y}-${pad(m)}-01`, to: today };
    default:
      return { from: `${y}-${pad(m)}-01`, to: today };
  }
}

/** The unit kinds, from the top down, and the level whose rows list a unit's children. */
export const childLevel = { district: 'subdistrict', subdistrict: 'community', zone: 'grid', community: 'grid' };

/** read takes the state from the URL; root is where the caller's reach starts. */
export function read(root) {
  const q = new URLSearchParams(location.search);
  const [kind, code] = (q.get('at') || '').split(':');
  const at = ['district', 'subdistrict', 'zone', 'community', 'grid'].includes(kind) && /^[0-9A-Za-z]{6,20}$/.test(code || '')
    ? { kind, code } : { kind: root.kind || 'district', code: root.code };
  const zone = /^[0-9A-Za-z]{6,20}$/.test(q.get('zone') || '') ? q.get('zone') : '';
  return {
    period: ['this_month', 'last_month', 'this_year', 'custom'].includes(q.get('period')) ? q.get('period') : 'this_month',
    from: q.get('from') || '', to: q.get('to') || '', rate: q.get('rate') || 'on_time_closure_rate', at,
    zone: at.kind === 'grid' || at.kind === 'zone' ? zone : '',
  };
}

/** url is the page's address for state. */
export function url(state, root) {
  const q = new URLSearchParams();
  if (state.period !== 'this_month') q.set('period', state.period);
  if (state.period === 'custom') {
    q.set('from', state.from);
    q.set('to', state.to);
  }
  if (state.rate !== 'on_time_closure_rate') q.set('rate', state.rate);
  if (state.at.code !== root.code) q.set('at', `${state.at.kind}:${state.at.code}`);
  if (state.zone && state.at.kind !== 'zone') q.set('zone', state.zone);
  const s = q.toString();
  return location.pathname + (s ? '?' + s : '');
}
