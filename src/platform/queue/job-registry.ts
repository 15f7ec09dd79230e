import type { EventHandlerRegistry } from '../events/event-handler.registry';
import type { Logger } from '../logger';
import type { JobProcessor, PeriodicWork, WorkModule } from '../module';
import type { JobDefinition } from './job-definition';
import type { QueueSet } from './queues';
import { type Schedule, syncSchedules } from './repeatable';

const key = (job: JobDefinition) => `${job.queue}/${job.name}`;

/** What the registry bound: the start-up work and the timer's work, for the worker to run. */
export interface BoundWork {
  /** syncs every schedule to the config, then runs each module's start-up work; settles when all is done (failures are logged) */
  start(): Promise<void>;
  periodic: PeriodicWork[];
  /** `queue/name` of every job this process runs */
  jobs: string[];
}

/**
 * Binds the modules' work in a worker process: one `.process()` per job, every event handler and
 * failure notice. Refuses, before anything is bound and naming the modules, a job that is added or
 * scheduled but has no processor, a job with two processors, and an event kind (or failure notice)
 * claimed twice: each would otherwise show up as jobs that never run or run the wrong code.
 */
export function bindWork(deps: { queues: QueueSet; handlers: EventHandlerRegistry; logger: Logger }, modules: WorkModule[]): BoundWork {
  const problems: string[] = [];
  const runners = new Map<string, { module: string; processor: JobProcessor }>();
  for (const module of modules) {
    for (const processor of module.processors ?? []) {
      const seen = runners.get(key(processor.job));
      if (seen) problems.push(`job ${key(processor.job)} has two processors (modules ${seen.module} and ${module.name})`);
      else runners.set(key(processor.job), { module: module.name, processor });
    }
  }
  for (const module of modules) {
    // a schedule that is off only has its old entries removed: nothing to run
    const needed = [...(module.produces ?? []), ...(module.schedules ?? []).filter((s) => s.cron || s.every !== undefined).map((s) => s.job)];
    for (const job of needed) if (!runners.has(key(job))) problems.push(`job ${key(job)} (from module ${module.name}) has no processor`);
  }
  const kinds = new Map<string, string>(deps.handlers.kinds().map((kind) => [kind, 'registered before the worker started']));
  const notices = new Map<string, string>();
  for (const module of modules) {
    for (const { kind } of module.events ?? []) {
      if (kinds.has(kind)) problems.push(`event kind "${kind}" has two handlers (${kinds.get(kind)} and module ${module.name})`);
      else kinds.set(kind, `module ${module.name}`);
    }
    for (const { kind } of module.failureNotices ?? []) {
      if (notices.has(kind)) problems.push(`event kind "${kind}" has two failure notices (modules ${notices.get(kind)} and ${module.name})`);
      else notices.set(kind, module.name);
    }
  }
  if (problems.length > 0) throw new Error(`The worker's jobs and handlers do not add up:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  for (const { processor } of runners.values()) {
    // process() settles only when the queue stops; closing the queue while it still starts up rejects
    // it with "Connection is closed.", which is no error of the job (Bull reports real ones as 'error').
    deps.queues
      .get(processor.job.queue)
      .process(processor.job.name, processor.job.concurrency, (job) => processor.process(job))
      .catch(() => undefined);
  }
  for (const module of modules) {
    for (const { kind, handle, later } of module.events ?? []) deps.handlers.register(kind, handle, later);
    for (const { kind, notice } of module.failureNotices ?? []) deps.handlers.onFailure(kind, notice);
  }

  const schedules: Schedule[] = modules.flatMap((m) => m.schedules ?? []);
  return {
    jobs: [...runners.keys()].sort(),
    periodic: modules.flatMap((m) => m.periodic ?? []),
    async start() {
      await syncSchedules(deps.queues, schedules).catch((error) => deps.logger.error({ err: error }, 'schedule sync at startup failed'));
      await Promise.all(
        modules.map(async (module) => {
          try {
            await module.start?.();
          } catch (error) {
            deps.logger.error({ err: error, module: module.name }, 'module start-up work failed');
          }
        }),
      );
    },
  };
}
