import type Redis from 'ioredis';

/**
 * WeCom keeps one long connection per smart bot: a second one makes WeCom close the first
 * (`disconnected_event`), so two workers connecting at once would knock each other off for ever.
 * Exactly one process holds the connection: the one holding this lease in Redis. It is taken with
 * SET NX PX and renewed by its holder well before it expires; a holder that dies stops renewing it,
 * and another process takes it over once it expires (within `ttlMs`). Renewal and release compare
 * the holder first (a Lua script), so a process that lost the lease can never extend or drop the
 * next holder's.
 */
export class BotLease {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** this process's name for the lease (unique per process start) */
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** true when this process holds the lease now (taken or renewed). */
  async acquireOrRenew(): Promise<boolean> {
    const renewed = await this.redis.eval(RENEW, 1, this.key, this.holder, String(this.ttlMs));
    if (Number(renewed) === 1) return true;
    return (await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** Gives the lease up (a clean shutdown): the next process need not wait for it to expire. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.holder);
  }

  /** Who holds it, if anyone. */
  current(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
