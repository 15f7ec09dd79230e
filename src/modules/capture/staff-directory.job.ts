import type { Queue } from '../../platform/queue/queues';
import { syncRepeatableJob } from '../../platform/queue/repeatable';
import type { StaffDirectory } from './staff-directory';

export const STAFF_DIRECTORY_JOB = 'staff-directory';
/** Several workers starting together add one start-up refresh (a job id is taken once while the job waits or runs). */
const START_JOB_ID = 'staff-directory-start';

/** The daily refresh of staff names as a Bull repeatable job, its schedule kept equal to the config at every worker start. */
export async function scheduleStaffDirectory(queue: Queue, cron: string | undefined, tz: string): Promise<void> {
  await syncRepeatableJob(queue, STAFF_DIRECTORY_JOB, cron, tz);
}

/** A refresh now when some known member was never read from WeCom (the teams file names them; no worker ran since). */
export async function startStaffDirectoryIfNeeded(queue: Queue, directory: StaffDirectory, cron: string | undefined): Promise<boolean> {
  if (!cron || (await directory.neverRead()) === 0) return false;
  await queue.add(
    STAFF_DIRECTORY_JOB,
    {},
    { jobId: START_JOB_ID, removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
  );
  return true;
}
