import { addJob, defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';
import type { HandoverRuns } from './handover-runs.port';

export interface HandoverRunData {
  handoverId: number;
}

/**
 * One step of a confirmed handover: submit what is not yet submitted (100 customers a call), then
 * read transfer_result until every customer has an answer. Idempotent: each step reads the rows and
 * moves only those still waiting, so a retried or doubled run changes nothing twice.
 */
export const HANDOVER_RUN = defineJob<HandoverRunData>({
  queue: 'maintenance',
  name: 'handover-run',
  concurrency: 1,
  options: JOB_OPTIONS.rowTimed,
});

export function handoverRuns(queues: QueueSet, now: () => number = Date.now): HandoverRuns {
  return {
    // Each run gets an id of its own time: the running job still holds the id a fixed one would
    // have, and Bull ignores an add whose id it holds (the next poll would never be queued).
    schedule: (handoverId, delayMs) =>
      addJob(queues, HANDOVER_RUN, { handoverId }, { delayMs, jobId: `handover-${handoverId}-at-${now() + Math.max(0, delayMs)}` }),
  };
}
