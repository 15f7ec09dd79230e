import { addJob, addJobs, defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import { jobStanding, type QueueSet, removeEndedJob } from '../../platform/queue/queues';

/** SOP steps (the `sop` queue) and the overdue check of a fired reminder (the `overdue` queue). */
export const SOP_STEP_JOB = 'step';
export const OVERDUE_JOB = 'overdue';

export interface SopStepJobData {
  stepRunId: number;
}
export interface OverdueJobData {
  reminderId: number;
  /** the firing this check belongs to (ms); missing in checks planned before it was recorded */
  firedAt?: number;
  /** how many times this firing's check planned itself again (ran early, or in quiet hours) */
  recheck?: number;
  // (promoteDelayedJobs also sets `early`: the check ignores it and decides by the clock.)
}

export const sopStepJobId = (stepRunId: number) => `sop-step-${stepRunId}`;
/** one check per firing (a snoozed reminder that fires again gets its own), and one id per re-check of it */
export const overdueJobId = (reminderId: number, firedAt: Date | number, recheck = 0) =>
  `overdue-${reminderId}-${typeof firedAt === 'number' ? firedAt : firedAt.getTime()}${recheck > 0 ? `-r${recheck}` : ''}`;

export const SOP_STEP = defineJob<SopStepJobData>({
  queue: 'sop',
  name: SOP_STEP_JOB,
  concurrency: 16,
  options: JOB_OPTIONS.rowTimed,
  jobId: (d) => sopStepJobId(d.stepRunId),
});

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

export interface SopScheduler {
  /** one delayed job per planned step; a step that already has its job keeps it (Bull ignores a known id) */
  scheduleSteps(steps: Array<{ id: number; dueAt: Date }>): Promise<void>;
  /** whether the step's job will still run (the sweeper re-plans lost ones, and ones Bull only keeps) */
  hasStepJob(stepRunId: number): Promise<boolean>;
  /** like scheduleSteps, replacing a job of the step that will not run again */
  replanSteps(steps: Array<{ id: number; dueAt: Date }>): Promise<void>;
  /** plans the overdue check of a reminder fired at `firedAt`, to run at `at` */
  scheduleOverdueCheck(reminderId: number, firedAt: Date, at: Date): Promise<void>;
  /** plans a check again (it ran before its time, or in quiet hours); a retried run plans the same job once */
  recheckOverdue(data: Required<OverdueJobData>, at: Date): Promise<void>;
}

/** Delayed Bull jobs, ids derived from rows; a burst of SOP steps does not delay a salesperson's own reminders (a queue each). */
export function createSopScheduler(queues: QueueSet, now: () => number = Date.now): SopScheduler {
  const queue = queues.get(SOP_STEP.queue);
  const delayUntil = (at: Date) => Math.max(0, at.getTime() - now());
  return {
    async scheduleSteps(steps) {
      await addJobs(
        queues,
        SOP_STEP,
        steps.map((s) => ({ data: { stepRunId: s.id }, delayMs: delayUntil(s.dueAt) })),
      );
    },
    async hasStepJob(stepRunId) {
      return (await jobStanding(queue, sopStepJobId(stepRunId))).state === 'pending';
    },
    async replanSteps(steps) {
      const free = [];
      for (const step of steps) if (await removeEndedJob(queue, sopStepJobId(step.id))) free.push(step);
      await this.scheduleSteps(free);
    },
    async scheduleOverdueCheck(reminderId, firedAt, at) {
      await addJob(queues, OVERDUE_CHECK, { reminderId, firedAt: firedAt.getTime() }, { delayMs: delayUntil(at) });
    },
    async recheckOverdue(data, at) {
      await addJob(queues, OVERDUE_CHECK, data, { delayMs: delayUntil(at) });
    },
  };
}
