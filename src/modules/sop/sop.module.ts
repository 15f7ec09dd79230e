import { LessThanOrEqual, type DataSource } from 'typeorm';
import { SopStepRun } from '../../../entities';
import type { Logger } from '../../platform/logger';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { QueueSet } from '../../platform/queue/queues';
import { removeSchedules } from '../../platform/queue/repeatable';
import { sweepRows } from '../../platform/queue/row-sweep';
import type { ChannelRules } from '../capture';
import type { ChannelNames } from '../customers';
import { SILENT_SCAN_JOB, scanSilentCustomers } from './silent-scan';
import { loadSopFile, type SopDefinitions } from './sop-definitions';
import { SopEngine } from './sop-engine';
import { createSopStepProcessor } from './sop-step.processor';
import { createSopScheduler, SOP_STEP, sopStepJobId } from './sop.scheduler';
import { TeamGroups } from '../customers';

const SWEEP_EVERY_MS = 60_000;

/** The daily scan for customers nobody followed up, and the sweep that re-plans steps whose job Redis lost: schedules on the maintenance queue. */
const SILENT_SCAN = defineJob({ queue: 'maintenance', name: SILENT_SCAN_JOB, concurrency: 1, options: JOB_OPTIONS.scheduled });
const STEP_SWEEP = defineJob({ queue: 'maintenance', name: 'sop-sweep', concurrency: 1, options: JOB_OPTIONS.scheduled });

export interface SopModuleDeps {
  dataSource: DataSource;
  queues: QueueSet;
  outbound: OutboundService;
  logger: Logger;
  channels: ChannelNames;
  /** `bot`: the smart bot is configured (a team group bound to it gets team steps as cards with 已完成) */
  config: { timezone: string; sop: { file: string; silentScanCron: string | undefined }; bot?: object };
  now: () => Date;
}

export interface SopModule {
  definitions: SopDefinitions;
  /** what stage and tag changes and customer adds call (modules/index.ts builds those services on it) */
  engine: SopEngine;
  work: WorkModule;
}

/**
 * The SOP engine in a worker process: loads and validates templates/sops.json (an invalid file stops
 * startup naming the file and field) and runs planned steps, the daily silent-customer scan and a
 * sweep that re-plans steps whose job Redis lost.
 */
export function createSopModule(deps: SopModuleDeps, options: { definitions?: SopDefinitions } = {}): SopModule {
  const { dataSource, outbound, logger, config, queues, now } = deps;
  const definitions = options.definitions ?? loadSopFile(config.sop.file);
  // a step's delay is its due time on the engine's clock, the one that planned it
  const steps = createSopScheduler(queues, () => now().getTime());
  const engine = new SopEngine({ dataSource, definitions, scheduler: steps, logger, timezone: config.timezone, now });
  const teams = new TeamGroups(dataSource, outbound, config.bot !== undefined);

  const sweep = async () => {
    const { readded } = await sweepRows(queues, {
      name: 'sop steps',
      queue: SOP_STEP.queue,
      rows: () =>
        dataSource.getRepository(SopStepRun).find({ where: { status: 'pending', dueAt: LessThanOrEqual(now()) }, order: { dueAt: 'ASC' }, take: 500 }),
      jobId: (step) => sopStepJobId(step.id),
      readd: (step) => steps.scheduleSteps([step]),
    });
    if (readded > 0) logger.warn({ steps: readded }, 're-planned SOP steps that had no job that would run');
    return { replanned: readded };
  };

  const work: WorkModule = {
    name: 'sop',
    processors: [
      processor(SOP_STEP, createSopStepProcessor({ dataSource, definitions, outbound, teams, logger, now, channels: deps.channels })),
      processor(SILENT_SCAN, async () => ({ runs: await scanSilentCustomers({ dataSource, definitions, engine, now }) })),
      processor(STEP_SWEEP, sweep),
    ],
    produces: [SOP_STEP],
    schedules: [
      { job: SILENT_SCAN, cron: config.sop.silentScanCron, tz: config.timezone },
      { job: STEP_SWEEP, every: SWEEP_EVERY_MS },
    ],
    // The scan and the sweep ran on the `sop` queue before they moved to maintenance: their old schedules there are dropped.
    start: () => removeSchedules(queues.get('sop'), [SILENT_SCAN.name, STEP_SWEEP.name]),
  };
  return { definitions, engine, work };
}

/** A channel rule naming an SOP that does not exist would silently start nothing: refuse at startup. */
export function checkChannelRuleSops(rules: ChannelRules, definitions: SopDefinitions, rulesFile: string, sopFile: string): void {
  const problems = rules.file.rules.flatMap((rule, i) =>
    definitions.unknownNames(rule.sops).map((name) => `  - rules.${i}.sops: no SOP named "${name}" in ${sopFile}`),
  );
  if (problems.length > 0) throw new Error(`Invalid channel rules ${rulesFile}:\n${problems.join('\n')}`);
}
