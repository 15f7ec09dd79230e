import { addJob, defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';

/** The overdue check of a fired reminder (the `overdue` queue): still open CRM_OVERDUE_AFTER_MINUTES after its due time? */
export const OVERDUE_JOB = 'overdue';

export interface OverdueJobData {
  reminderId: number;
  /** the firing this check belongs to (ms); missing in checks planned before it was recorded */
  firedAt?: number;
  /** how many times this firing's check planned itself again (ran early, or in quiet hours) */
  recheck?: number;
  // (promoteDelayedJobs also sets `early`: the check ignores it and decides by the clock.)
}

/** one check per firing (a snoozed reminder that fires again gets its own), and one id per re-check of it */
export const overdueJobId = (reminderId: number, firedAt: Date | number, recheck = 0) =>
  `overdue-${reminderId}-${typeof firedAt === 'number' ? firedAt : firedAt.getTime()}${recheck > 0 ? `-r${recheck}` : ''}`;

/**
 * Until this release overdue checks shared the `sop` queue with the steps. A check left there by an
 * older worker is moved to this queue once at start (reminders.module.ts), keeping its id and time.
 */
export const OVERDUE_CHECK = defineJob<OverdueJobData>({
  queue: 'overdue',
  name: OVERDUE_JOB,
  concurrency: 2,
  options: JOB_OPTIONS.rowTimed,
  jobId: (d) => overdueJobId(d.reminderId, d.firedAt ?? 0, d.recheck),
});

export interface OverdueScheduler {
  /** plans the overdue check of a reminder fired at `firedAt`, to run at `at` */
  scheduleOverdueCheck(reminderId: number, firedAt: Date, at: Date): Promise<void>;
  /** plans a check again (it ran before its time, or in quiet hours); a retried run plans the same job once */
  recheckOverdue(data: Required<OverdueJobData>, at: Date): Promise<void>;
}

/** Delays measured on the product's clock (the one the tests control), as the check itself decides by it. */
export function createOverdueScheduler(queues: QueueSet, now: () => number = Date.now): OverdueScheduler {
  const delayUntil = (at: Date) => Math.max(0, at.getTime() - now());
  return {
    async scheduleOverdueCheck(reminderId, firedAt, at) {
      await addJob(queues, OVERDUE_CHECK, { reminderId, firedAt: firedAt.getTime() }, { delayMs: delayUntil(at) });
    },
    async recheckOverdue(data, at) {
      await addJob(queues, OVERDUE_CHECK, data, { delayMs: delayUntil(at) });
    },
  };
}
