import Bull, { type Job, type JobOptions, type Queue } from 'bull';
import Redis, { type RedisOptions } from 'ioredis';

/**
 * The only file that imports Bull (it is in maintenance mode upstream; a move to BullMQ stays here).
 * One queue per concern, because named processors on one queue add up their concurrency.
 */

export type { Job, JobOptions, Queue };

/**
 * maintenance: repeatable jobs (the nightly reconciliation with WeCom, digests, the SOP scans), one
 * at a time per job. sop: SOP steps. overdue: the overdue checks of fired reminders (their own queue,
 * so a burst of SOP steps does not hold them up, and each queue's concurrency is its processor's).
 * bot: the smart bot's outbound messages, worked only by the process holding its connection.
 */
export const QUEUE_NAMES = ['inbound', 'outbound', 'reminders', 'maintenance', 'sop', 'overdue', 'bot'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueSet {
  /** the configured namespace (QUEUE_PREFIX): what is shared by every database of an install (access token, pacing). */
  prefix: string;
  /** the Redis key prefix of every queue in the set: the namespace and this database's instance id. */
  keyPrefix: string;
  get(name: QueueName): Queue;
  all(): Queue[];
  /** Waits for running jobs to finish (when this process processes), then closes every connection. */
  close(): Promise<void>;
}

export interface QueueSetOptions {
  redisUrl: string;
  /** key prefix, so that tests and several installs can share one Redis. */
  prefix?: string;
  /**
   * the database's instance id (db/instance-id.ts). Job ids derive from row ids, which start at 1
   * again in a new database: under its own instance id, a new database never meets the jobs another
   * one left in this Redis (Bull would refuse an add whose id it still keeps, or run another
   * database's delayed job against this one's rows). '' for a database that predates it.
   */
  instanceId?: string;
}

/**
 * Lock and stall settings per queue. A running job's lock is renewed every `lockRenewTime`; a
 * worker that dies (kill -9, OOM, a lost host) stops renewing it, and once it expires
 * (`lockDuration`) the stalled check of any worker (every `stalledInterval`) takes the job over.
 * Bull's defaults (30 s and 30 s) take a dead worker's job over after 30–60 s, past a welcome
 * code's 20 s: events and outbound messages (welcomes ride on both) are taken over within about
 * 8 s, while tolerating an event loop stalled for up to 4.5 s. A job taken over more than
 * `maxStalledCount` times is failed by Bull ("job stalled more than allowable limit"); the sweepers
 * then re-run it or fail it visibly (stale-event.sweeper.ts). The maintenance queue runs long
 * jobs (reconciliation, digests) and keeps the defaults.
 */
const FAST_TAKEOVER = { lockDuration: 6000, lockRenewTime: 1500, stalledInterval: 2000, maxStalledCount: 2 };
const QUEUE_SETTINGS: Record<QueueName, Bull.AdvancedSettings> = {
  inbound: FAST_TAKEOVER,
  outbound: FAST_TAKEOVER,
  bot: FAST_TAKEOVER,
  reminders: { lockDuration: 10_000, lockRenewTime: 2500, stalledInterval: 5000, maxStalledCount: 2 },
  sop: { lockDuration: 10_000, lockRenewTime: 2500, stalledInterval: 5000, maxStalledCount: 2 },
  overdue: { lockDuration: 10_000, lockRenewTime: 2500, stalledInterval: 5000, maxStalledCount: 2 },
  maintenance: {},
};

/** Connections are shared: one command client and one subscriber for all queues, one blocking client each. */
export function createQueueSet(options: QueueSetOptions): QueueSet {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: false, lazyConnect: false };
  const shared: Redis[] = [];
  let client: Redis | undefined;
  let subscriber: Redis | undefined;
  const createClient = (type: 'client' | 'subscriber' | 'bclient'): Redis => {
    if (type === 'client') return (client ??= track(new Redis(options.redisUrl, base)));
    if (type === 'subscriber') return (subscriber ??= track(new Redis(options.redisUrl, base)));
    // Bull never closes connections it got from createClient: track blocking clients too, or a
    // processing queue keeps the process alive after close().
    return track(new Redis(options.redisUrl, base));
  };
  function track(redis: Redis): Redis {
    // ioredis reconnects by itself; without a listener an outage would crash the process.
    redis.on('error', () => undefined);
    // every queue adds its listeners to the shared clients: not a leak
    redis.setMaxListeners(QUEUE_NAMES.length * 4);
    shared.push(redis);
    return redis;
  }

  const prefix = options.prefix ?? 'bull';
  const keyPrefix = options.instanceId ? `${prefix}:${options.instanceId}` : prefix;
  const queues = new Map<QueueName, Queue>();
  for (const name of QUEUE_NAMES) {
    const queue = new Bull(name, {
      createClient,
      prefix: keyPrefix,
      settings: { ...QUEUE_SETTINGS[name], backoffStrategies: { retryAfter: retryAfterBackoff } },
    });
    queue.on('error', () => undefined);
    queues.set(name, queue);
  }

  return {
    prefix,
    keyPrefix,
    get: (name) => queues.get(name)!,
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      for (const redis of shared) redis.disconnect();
    },
  };
}

/**
 * Backoff type `retryAfter`: a job that has to wait (outbound pacing, quiet hours, a WeCom backoff)
 * fails with an error carrying `retryAfterMs`, and waits exactly that long in the delayed set instead
 * of holding a worker. Any other error backs off exponentially, capped at 5 minutes.
 */
function retryAfterBackoff(attemptsMade: number, error: Error): number {
  const ms = Number((error as { retryAfterMs?: unknown }).retryAfterMs);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : Math.min(300_000, 1000 * 2 ** Math.min(attemptsMade, 9));
}

/**
 * Whether a job will still run. `ended`: Bull keeps it, but it will not run again (it completed,
 * Bull gave up on it, e.g. "job stalled more than allowable limit", or it sits in no list at all).
 * A sweeper that finds an ended job for a row still unfinished must not take it for a job that is
 * coming: the row is re-run (removeEndedJob, then add) or failed visibly.
 */
export type JobStanding = { state: 'none' } | { state: 'pending' } | { state: 'ended'; outcome: 'completed' | 'failed' | 'stuck'; failedReason: string | null };

export async function jobStanding(queue: Queue, jobId: string): Promise<JobStanding> {
  const job = await queue.getJob(jobId);
  if (!job) return { state: 'none' };
  const state = await job.getState();
  if (state === 'completed' || state === 'failed' || state === 'stuck') return { state: 'ended', outcome: state, failedReason: job.failedReason ?? null };
  return { state: 'pending' };
}

/**
 * Removes the job when it has ended, so that its id can be added again. false when it cannot be:
 * it will still run, or a live worker still holds its lock (Bull refuses to remove a locked job).
 */
export async function removeEndedJob(queue: Queue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return true;
  const state = await job.getState();
  if (state !== 'completed' && state !== 'failed' && state !== 'stuck') return false;
  try {
    await job.remove();
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops (or resumes) this process taking jobs of the queue, leaving other processes alone (Bull's
 * local pause): the bot queue is worked by the holder of the bot's connection only. Pausing aborts
 * the wait for the next job at once; a job running meanwhile finishes.
 */
export async function setLocallyPaused(queue: Queue, paused: boolean): Promise<void> {
  if (paused) await queue.pause(true, true);
  else await queue.resume(true);
}

/** Rejects when `promise` does not settle in time: a Redis outage must not hang an HTTP request. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs every delayed job of the queue now (the sandbox's "fire due reminders now", so a flow that
 * spans days can be watched in a minute). Each job's data gets `early: true`, so its processor knows
 * the time was brought forward on purpose and must not put the job back to wait. Repeatable jobs
 * (schedules such as a daily scan) keep their time. Returns how many ran.
 */
export async function promoteDelayedJobs(queue: Queue): Promise<number> {
  let promoted = 0;
  for (const job of await queue.getDelayed()) {
    if (job.opts.repeat) continue;
    try {
      await job.update({ ...job.data, early: true });
      await job.promote();
      promoted += 1;
    } catch {
      // Bull moved it on by itself in the meantime (its time came, or it was removed): nothing to do.
    }
  }
  return promoted;
}
