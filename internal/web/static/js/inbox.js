// 部门待办: the cases dispatched to the caller's department, grouped — waiting for a signature
// (待签收), in hand (处置中), sent back and awaiting the dispatcher (被退回) — and, apart, every
// open one past its deadline. Kept current by the live stream.
import { showGroups } from './grouped.js';

const groups = [
  { query: 'status=dispatched', list: 'sign-list', count: 'sign-count', empty: 'desk.inbox.none' },
  { query: 'status=handling', list: 'handling-list', count: 'handling-count', empty: 'desk.inbox.none' },
  { query: 'status=returned', list: 'returned-list', count: 'returned-count', empty: 'desk.inbox.none' },
  { query: 'overdue=true&status=dispatched,handling,returned', list: 'overdue-list', count: 'overdue-count', empty: 'desk.inbox.no_overdue' },
];

showGroups(groups);
