import { jobStanding, type QueueSet, removeEndedJob, withTimeout } from '../../platform/queue/queues';

/** Named jobs of the `sop` queue: SOP steps and the overdue check of a fired reminder. */
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

const RETRY = { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: 1000, stackTraceLimit: 1 } as const;

/**
 * Delayed Bull jobs on the `sop` queue, ids derived from rows. A queue of its own (not `reminders`):
 * its processors are named (step, overdue), it is tuned separately, and a burst of SOP steps does not
 * delay a salesperson's own reminders.
 */
export function createSopScheduler(queues: QueueSet, now: () => number = Date.now): SopScheduler {
  const queue = queues.get('sop');
  return {
    async scheduleSteps(steps) {
      for (let i = 0; i < steps.length; i += 500) {
        const batch = steps.slice(i, i + 500).map((s) => ({
          name: SOP_STEP_JOB,
          data: { stepRunId: s.id } satisfies SopStepJobData,
          opts: { ...RETRY, jobId: sopStepJobId(s.id), delay: Math.max(0, s.dueAt.getTime() - now()) },
        }));
        await withTimeout(queue.addBulk(batch), 10_000, 'schedule SOP steps');
      }
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
      const data: OverdueJobData = { reminderId, firedAt: firedAt.getTime() };
      await withTimeout(
        queue.add(OVERDUE_JOB, data, { ...RETRY, jobId: overdueJobId(reminderId, firedAt), delay: Math.max(0, at.getTime() - now()) }),
        2000,
        'schedule overdue check',
      );
    },
    async recheckOverdue(data, at) {
      await withTimeout(
        queue.add(OVERDUE_JOB, data, { ...RETRY, jobId: overdueJobId(data.reminderId, data.firedAt, data.recheck), delay: Math.max(0, at.getTime() - now()) }),
        2000,
        'plan the overdue check again',
      );
    },
  };
}
