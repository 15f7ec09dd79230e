import { addJob, defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';
import type { StaffDirectory } from './staff-directory';

export const STAFF_DIRECTORY_JOB = 'staff-directory';
/** The daily refresh of staff names (a schedule from CRM_STAFF_SYNC_TIME). */
export const STAFF_DIRECTORY = defineJob({ queue: 'maintenance', name: STAFF_DIRECTORY_JOB, concurrency: 1, options: JOB_OPTIONS.scheduled });
/** The same work once at worker start. Several workers starting together add one (a job id is taken once while the job waits or runs). */
const STAFF_DIRECTORY_NOW = defineJob({ ...STAFF_DIRECTORY, options: JOB_OPTIONS.oneOff, jobId: () => 'staff-directory-start' });

/** A refresh now when some known member was never read from WeCom (the teams file names them; no worker ran since). */
export async function startStaffDirectoryIfNeeded(queues: QueueSet, directory: StaffDirectory, cron: string | undefined): Promise<boolean> {
  if (!cron || (await directory.neverRead()) === 0) return false;
  await addJob(queues, STAFF_DIRECTORY_NOW, {});
  return true;
}
