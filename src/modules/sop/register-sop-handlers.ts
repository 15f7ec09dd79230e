import type { ChannelRules } from '../capture/channel-rules';
import type { Container } from '../../container';
import type { Queue } from '../../platform/queue/queues';
import { createSopScheduler, OVERDUE_JOB, SOP_STEP_JOB } from './sop.scheduler';
import { createOverdueProcessor } from '../reminders/overdue-escalation';
import { SILENT_SCAN_JOB, scanSilentCustomers } from './silent-scan';
import { loadSopFile, type SopDefinitions } from './sop-definitions';
import { SopEngine } from './sop-engine';
import { createSopStepProcessor } from './sop-step.processor';
import { TeamGroups } from './team-group';

const SWEEP_JOB = 'sop-sweep';
const SWEEP_EVERY_MS = 60_000;

export interface SopModule {
  definitions: SopDefinitions;
  engine: SopEngine;
  /** settles when the repeatable jobs are in place */
  ready: Promise<void>;
}

/**
 * The SOP engine in a worker process: loads and validates templates/sops.json (an invalid file stops
 * startup naming the file and field), attaches the engine to stage/tag changes, and runs the `sop`
 * queue: planned steps, overdue-reminder checks, the daily silent-customer scan and a sweep that
 * re-plans steps whose job Redis lost.
 */
export function registerSopHandlers(container: Container, now: () => Date, options: { definitions?: SopDefinitions } = {}): SopModule {
  const { dataSource, outbound, logger, config, queues } = container;
  const definitions = options.definitions ?? loadSopFile(config.sop.file);
  // a step's delay is its due time on the engine's clock, the one that planned it
  const scheduler = createSopScheduler(queues, () => now().getTime());
  const engine = new SopEngine({ dataSource, definitions, scheduler, logger, timezone: config.timezone, now });
  container.sopTriggers.attach(engine);
  const teams = new TeamGroups(dataSource, outbound);

  const queue = queues.get('sop');
  // on the overdue checks' own clock, so "again at 08:00" means 08:00 on the clock that decided it
  const overdueScheduler = createSopScheduler(queues, () => now().getTime());
  void queue.process(
    SOP_STEP_JOB,
    16,
    createSopStepProcessor({ dataSource, definitions, outbound, teams, logger, now, channels: container.services.channels }),
  );
  void queue.process(
    OVERDUE_JOB,
    2,
    createOverdueProcessor({
      dataSource,
      teams,
      reminders: container.services.reminders,
      recheck: (data, at) => overdueScheduler.recheckOverdue(data, at),
      logger,
      timezone: config.timezone,
      quietHours: config.quietHours,
      overdueAfterMs: config.sop.overdueAfterMs,
      now: () => now().getTime(),
    }),
  );
  void queue.process(SILENT_SCAN_JOB, 1, async () => ({ runs: await scanSilentCustomers({ dataSource, definitions, engine, now }) }));
  void queue.process(SWEEP_JOB, 1, async () => ({ replanned: await engine.rescheduleMissing() }));

  const ready = scheduleRepeatables(queue, config.sop.silentScanCron, config.timezone);
  ready.catch((error) => logger.error({ err: error }, 'SOP schedules at startup failed'));
  return { definitions, engine, ready };
}

/** Repeatable jobs outlive deploys: make Redis match the config (others of ours removed, ours added once). */
async function scheduleRepeatables(queue: Queue, cron: string | undefined, tz: string): Promise<void> {
  for (const job of await queue.getRepeatableJobs()) {
    const wanted = (job.name === SILENT_SCAN_JOB && job.cron === cron && job.tz === tz) || (job.name === SWEEP_JOB && Number(job.every) === SWEEP_EVERY_MS);
    if (!wanted) await queue.removeRepeatableByKey(job.key);
  }
  const keep = { removeOnComplete: 20, removeOnFail: 50 };
  if (cron) await queue.add(SILENT_SCAN_JOB, {}, { ...keep, repeat: { cron, tz } });
  await queue.add(SWEEP_JOB, {}, { ...keep, repeat: { every: SWEEP_EVERY_MS } });
}

/** A channel rule naming an SOP that does not exist would silently start nothing: refuse at startup. */
export function checkChannelRuleSops(rules: ChannelRules, definitions: SopDefinitions, rulesFile: string, sopFile: string): void {
  const problems = rules.file.rules.flatMap((rule, i) =>
    definitions.unknownNames(rule.sops).map((name) => `  - rules.${i}.sops: no SOP named "${name}" in ${sopFile}`),
  );
  if (problems.length > 0) throw new Error(`Invalid channel rules ${rulesFile}:\n${problems.join('\n')}`);
}
