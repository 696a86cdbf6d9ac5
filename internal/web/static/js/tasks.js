// 网格任务: a grid worker's on-site work in their grids — public reports to confirm (核实,
// status confirming) and fixes to verify (核查, status reported_back), soonest deadline first —
// kept current by the live stream. Reporting from patrol uses the report form (channel patrol).
import { showGroups } from './grouped.js';

const groups = [
  { query: 'status=confirming', list: 'confirm-list', count: 'confirm-count', empty: 'desk.tasks.no_confirm' },
  { query: 'status=reported_back', list: 'verify-list', count: 'verify-count', empty: 'desk.tasks.no_verify' },
];

showGroups(groups);
