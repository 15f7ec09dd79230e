import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { CallbackKeys } from '../wecom/callback/callback-crypto';
import { openSealedBotFrame } from '../wecom/bot/sealed-bot-frame';
import { CallbackRejected, openVerifiedCallback } from '../wecom/callback/verified-callback';
import type { CallbackIntake } from './callback-intake';
import type { CallbackSpool, SpooledItem } from './callback-spool';
import { isRowRefused } from './event-recorder';
import { OncePerInterval } from '../once-per-interval';

export interface SpoolDrainDeps {
  spool: CallbackSpool;
  intake: CallbackIntake;
  keys: CallbackKeys;
  /** resolves when the database answers */
  databaseUp: () => Promise<void>;
  metrics: Metrics;
  logger: Logger;
}

export interface DrainResult {
  stored: number;
  duplicates: number;
  rejected: number;
  /** the database failed midway: the rest waits for the next round */
  interrupted: boolean;
}

const BATCH = 100;
const COUNTED_AS = { stored: 'stored', duplicate: 'duplicates', rejected: 'rejected' } as const;
const LOCK_TTL_MS = 30_000;

/**
 * Moves callbacks (and smart-bot frames) kept in the spool during a database outage into the database, oldest first. Each
 * entry is verified again, stored (deduplicated like any redelivery: a late commit of a write that
 * timed out, a second delivery by WeCom, an entry drained twice after a crash are all one row),
 * queued, and only then removed; an entry that can never be stored is set aside with its reason.
 */
export async function drainSpool(deps: SpoolDrainDeps): Promise<DrainResult> {
  const result: DrainResult = { stored: 0, duplicates: 0, rejected: 0, interrupted: false };
  if ((await deps.spool.length()) === 0) return result;
  await deps.databaseUp();
  const owner = randomUUID();
  if (!(await deps.spool.lock(owner, LOCK_TTL_MS))) return result;
  try {
    for (;;) {
      const items = await deps.spool.peek(BATCH);
      if (items.length === 0) break;
      for (const item of items) {
        const outcome = await drainOne(deps, item);
        if (outcome === 'interrupted') {
          result.interrupted = true;
          return result;
        }
        result[COUNTED_AS[outcome]] += 1;
        deps.metrics.callbacksDrained.inc({ outcome });
      }
      // Renewed per batch: a long drain keeps its lock, a dead one frees it within the TTL.
      if (!(await deps.spool.renew(owner, LOCK_TTL_MS))) break;
    }
    return result;
  } finally {
    await deps.spool.unlock(owner).catch(() => undefined);
    if (result.stored + result.duplicates + result.rejected > 0) deps.logger.info({ ...result }, 'callbacks kept during the database outage are stored');
  }
}

async function drainOne(deps: SpoolDrainDeps, item: SpooledItem): Promise<'stored' | 'duplicate' | 'rejected' | 'interrupted'> {
  if (!item.entry) {
    await deps.spool.reject(item, 'unreadable spool entry');
    return 'rejected';
  }
  let opened;
  try {
    const { entry } = item;
    opened = entry.format === 'aibot' ? openSealedBotFrame(deps.keys, entry, new Date(entry.receivedAt)) : openVerifiedCallback(deps.keys, entry);
  } catch (error) {
    if (!(error instanceof CallbackRejected)) throw error;
    // The token or key changed since it was received: it can never verify again.
    deps.logger.warn({ reason: error.reason }, 'spooled callback no longer verifies: set aside');
    await deps.spool.reject(item, error.reason);
    return 'rejected';
  }
  try {
    const stored = await deps.intake.storeDrained({ ...opened, sealed: item.entry, receivedAt: new Date(item.entry.receivedAt) });
    await deps.spool.remove(item);
    return stored.duplicate ? 'duplicate' : 'stored';
  } catch (error) {
    if (isRowRefused(error)) {
      await deps.spool.reject(item, 'the database refuses this payload');
      return 'rejected';
    }
    deps.logger.warn({ err: error }, 'spool drain interrupted: the database failed again');
    return 'interrupted';
  }
}

export interface SpoolDrainHandle {
  stop(): void;
  /** one round now (tests, and the first round at start) */
  drainNow(): Promise<DrainResult>;
}

/** Drains every `everyMs` while there is something to drain; cheap when the spool is empty (one LLEN). */
export function startSpoolDrain(deps: SpoolDrainDeps, everyMs = 1000): SpoolDrainHandle {
  const warnings = new OncePerInterval(60_000);
  let running: Promise<DrainResult> | undefined;
  const drainNow = () =>
    (running ??= drainSpool(deps).finally(() => {
      running = undefined;
    }));
  const timer = setInterval(() => {
    drainNow().catch((error) => {
      // The database or Redis is still away: that is what the spool is for; say so once a minute.
      if (warnings.check('drain').log) deps.logger.warn({ err: error }, 'spool drain waiting: database or Redis unavailable');
    });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), drainNow };
}
