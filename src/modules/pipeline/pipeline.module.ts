import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import { scheduledTime } from '../../platform/queue/repeatable';
import { sendCloseDateNudges } from './close-date-nudges';

export const PIPELINE_JOBS = { closeDates: 'opportunity-close-dates' } as const;

/** The morning run of close-date cards, on the maintenance queue. */
export const CLOSE_DATES_JOB = defineJob({ queue: 'maintenance', name: PIPELINE_JOBS.closeDates, concurrency: 1, options: JOB_OPTIONS.scheduled });

export interface PipelineModuleDeps {
  dataSource: DataSource;
  outbound: OutboundService;
  logger: Logger;
  config: Pick<Config, 'pipeline' | 'timezone'>;
}

/** Opportunities whose close date arrives: a card each, every morning (CRM_OPPORTUNITY_DUE_TIME). A job covers the day it was due. */
export function pipelineModule(deps: PipelineModuleDeps): WorkModule {
  const nudges = { dataSource: deps.dataSource, outbound: deps.outbound, logger: deps.logger, timezone: deps.config.timezone };
  return {
    name: 'pipeline',
    processors: [processor(CLOSE_DATES_JOB, async (job) => void (await sendCloseDateNudges(nudges, scheduledTime(job))))],
    schedules: [{ job: CLOSE_DATES_JOB, cron: deps.config.pipeline.dueCron, tz: deps.config.timezone }],
  };
}
