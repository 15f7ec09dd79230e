import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { SealedCallback } from '../wecom/callback/verified-callback';

/**
 * Where a verified callback waits while the database is down (README "Nothing lost"): a Redis list,
 * run with AOF like the queues. What it keeps is the callback as WeCom sent it — signed query and
 * ciphertext — so no decrypted body is written anywhere but the database, and the drain re-checks
 * the signature before it trusts an entry.
 *
 * Redis rather than a local file: every web process (and worker) sees one spool, so whichever
 * process is alive when the database comes back drains it, and a web process that is replaced
 * (a container, an autoscaled node) leaves nothing behind on its disk.
 */
export interface SpoolEntry extends SealedCallback {
  /** unique per entry: LREM removes exactly this one */
  id: string;
  /** when the webhook received it (ms): stored as the event's created_at, so the welcome code's 20 s count from the truth */
  receivedAt: number;
  /** what the ciphertext holds: WeCom's callback XML (absent), or a smart-bot frame sealed by this app (sealed-bot-frame.ts) */
  format?: 'aibot';
}

export interface SpooledItem {
  raw: string;
  entry: SpoolEntry | undefined;
}

export class CallbackSpool {
  private readonly key: string;
  private readonly rejectedKey: string;
  private readonly lockKey: string;

  /** `redis` must fail fast when Redis is away (no offline queue): a push that cannot land must say so at once. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:callback-spool`;
    this.rejectedKey = `${prefix}:callback-spool:rejected`;
    this.lockKey = `${prefix}:callback-spool:drain-lock`;
  }

  /** true when a command would reach Redis now */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  async push(sealed: SealedCallback, receivedAt: Date, format?: SpoolEntry['format']): Promise<void> {
    const entry: SpoolEntry = { id: randomUUID(), receivedAt: receivedAt.getTime(), ...pick(sealed), ...(format ? { format } : {}) };
    await this.redis.rpush(this.key, JSON.stringify(entry));
  }

  length(): Promise<number> {
    return this.redis.llen(this.key);
  }

  /** The oldest entries, left in place until `remove` (a drain that dies midway loses nothing). */
  async peek(count: number): Promise<SpooledItem[]> {
    const raws = await this.redis.lrange(this.key, 0, count - 1);
    return raws.map((raw) => ({ raw, entry: parseEntry(raw) }));
  }

  async remove(item: SpooledItem): Promise<void> {
    await this.redis.lrem(this.key, 1, item.raw);
  }

  /** Moves an entry that can never be stored (its signature no longer verifies: the token changed) aside, with the reason. */
  async reject(item: SpooledItem, reason: string): Promise<void> {
    await this.redis
      .multi()
      .rpush(this.rejectedKey, JSON.stringify({ reason, rejectedAt: Date.now(), raw: item.raw }))
      .ltrim(this.rejectedKey, -10_000, -1)
      .lrem(this.key, 1, item.raw)
      .exec();
  }

  /** One drainer at a time across every process (two would store the same entries twice over, harmlessly but for nothing). */
  async lock(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.lockKey, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Extends the lock, if it is still ours. */
  async renew(owner: string, ttlMs: number): Promise<boolean> {
    const renewed = await this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
      1,
      this.lockKey,
      owner,
      ttlMs,
    );
    return Number(renewed) === 1;
  }

  async unlock(owner: string): Promise<void> {
    await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, this.lockKey, owner);
  }
}

function pick(sealed: SealedCallback): SealedCallback {
  return { msgSignature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce, encrypt: sealed.encrypt };
}

function parseEntry(raw: string): SpoolEntry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<SpoolEntry>;
    const strings = [e.id, e.msgSignature, e.timestamp, e.nonce, e.encrypt].every((v) => typeof v === 'string' && v !== '');
    return strings && typeof e.receivedAt === 'number' && (e.format === undefined || e.format === 'aibot') ? (e as SpoolEntry) : undefined;
  } catch {
    return undefined;
  }
}
