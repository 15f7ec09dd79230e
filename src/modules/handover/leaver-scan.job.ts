import { defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';

/**
 * Daily (at CRM_STAFF_SYNC_CRON): get_unassigned_list, WeCom's own list of leavers' customers not
 * yet handed to anyone. A leaver the directory and change_contact never told us of is found here;
 * one already noticed changes nothing (LeaverService.noticed acts once per leaver).
 */
export const LEAVER_SCAN = defineJob({ queue: 'maintenance', name: 'leaver-scan', concurrency: 1, options: JOB_OPTIONS.scheduled });
