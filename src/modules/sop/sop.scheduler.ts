import { addJobs, defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';

/** SOP steps (the `sop` queue; a reminder's overdue check is the reminders module's). */
export const SOP_STEP_JOB = 'step';

export interface SopStepJobData {
  stepRunId: number;
}
export const sopStepJobId = (stepRunId: number) => `sop-step-${stepRunId}`;
export const SOP_STEP = defineJob<SopStepJobData>({
  queue: 'sop',
  name: SOP_STEP_JOB,
  concurrency: 16,
  options: JOB_OPTIONS.rowTimed,
  jobId: (d) => sopStepJobId(d.stepRunId),
});

export interface SopScheduler {
  /** one delayed job per planned step; a step that already has its job keeps it (Bull ignores a known id) */
  scheduleSteps(steps: Array<{ id: number; dueAt: Date }>): Promise<void>;
}

/** Delayed Bull jobs, ids derived from rows; a burst of SOP steps does not delay a salesperson's own reminders (a queue each). Lost jobs are re-planned by the SOP module's row sweep. */
export function createSopScheduler(queues: QueueSet, now: () => number = Date.now): SopScheduler {
  const delayUntil = (at: Date) => Math.max(0, at.getTime() - now());
  return {
    async scheduleSteps(steps) {
      await addJobs(
        queues,
        SOP_STEP,
        steps.map((s) => ({ data: { stepRunId: s.id }, delayMs: delayUntil(s.dueAt) })),
      );
    },
  };
}
