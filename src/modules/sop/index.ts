/** What other modules may use of SOPs. */
export { TeamGroups } from './team-group';
export { createSopScheduler, OVERDUE_CHECK, type OverdueJobData } from './sop.scheduler';
export type { SopTriggers } from './sop-triggers.port';
