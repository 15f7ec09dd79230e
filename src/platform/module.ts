import type { EventHandler, FailureNotice, LaterHandler } from './events/event-handler.registry';
import type { JobDefinition } from './queue/job-definition';
import type { Job } from './queue/queues';
import type { Schedule } from './queue/repeatable';

/** A job definition with the function that runs it in a worker. */
export interface JobProcessor<Data = unknown> {
  job: JobDefinition<Data>;
  process(job: Job<Data>): Promise<unknown>;
}

export function processor<Data>(job: JobDefinition<Data>, process: (job: Job<Data>) => Promise<unknown>): JobProcessor<Data> {
  return { job, process } as JobProcessor<Data>;
}

/** A handler per inbound event kind (event-handler.registry.ts), with its deferred second stage. */
export interface EventBinding {
  kind: string;
  handle: EventHandler;
  later?: LaterHandler;
}

/** Background work run on the worker's sweep timer (and once at start). */
export interface PeriodicWork {
  name: string;
  run(): Promise<unknown>;
  /** also once when the worker starts (default: only on the timer) */
  atStart?: boolean;
}

/**
 * What a module contributes to a worker process. A module is a factory in
 * `src/modules/<feature>/<feature>.module.ts` built from the narrow dependencies it names (an object
 * type listing exactly what it uses); the worker (src/worker.ts) binds every contribution through
 * the job registry (queue/job-registry.ts), which refuses at start a job added by someone with no
 * processor, a job with two, and an event kind with two handlers.
 */
export interface WorkModule {
  name: string;
  /** jobs this module runs */
  processors?: JobProcessor[];
  /** jobs this module adds and someone must run (its own, or another module's) */
  produces?: JobDefinition[];
  /** repeatable jobs, synced to the config at start (their job needs a processor) */
  schedules?: Schedule[];
  events?: EventBinding[];
  /** what happens when an event of this kind fails for good */
  failureNotices?: Array<{ kind: string; notice: FailureNotice }>;
  periodic?: PeriodicWork[];
  /** start-up work once the processors are bound (refreshes, one-off migrations); a failure is logged, not fatal */
  start?(): Promise<void>;
}
