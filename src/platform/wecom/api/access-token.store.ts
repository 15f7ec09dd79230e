import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import { WecomApiError } from './wecom-api.error';

export interface FetchedToken {
  accessToken: string;
  /** seconds, as WeCom reports it (7200) */
  expiresIn: number;
}

export interface AccessTokenStoreOptions {
  /** Redis key namespace of this install (the queue prefix), so tests and installs never share tokens. */
  namespace: string;
  corpId: string;
  agentId: string;
  /** only a short hash of it goes into the key: a rotated secret gets a fresh token at once. */
  secret: string;
  /** calls `gettoken`; the store makes sure only one process at a time does. */
  fetchToken: () => Promise<FetchedToken>;
  /** refresh this long before WeCom's expiry (default 5 min). */
  refreshBeforeMs?: number;
  /** the cross-process refresh lock expires after this long if its holder dies (default 15 s). */
  lockTtlMs?: number;
  pollMs?: number;
  logger?: Logger;
}

interface CachedToken {
  token: string;
  /** epoch ms at which WeCom stops accepting it */
  expiresAt: number;
}

/** Deletes the cached token only if it is still the one that failed (another process may have refreshed it). */
const INVALIDATE = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, decoded = pcall(cjson.decode, v)
if ok and decoded.token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The app's access token, cached in Redis and shared by every process. One refresh at a time across
 * processes (a Redis lock); everyone else keeps using the current token while it is still valid, or
 * waits for the refresher's result. The token and secret never reach a log line.
 */
export class AccessTokenStore {
  private readonly key: string;
  private readonly lockKey: string;
  private readonly refreshBeforeMs: number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  /** one Redis round trip per burst of concurrent callers in this process */
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: AccessTokenStoreOptions,
  ) {
    const secretHash = createHash('sha256').update(options.secret).digest('hex').slice(0, 12);
    this.key = `${options.namespace}:wecom:token:${options.corpId}:${options.agentId}:${secretHash}`;
    this.lockKey = `${this.key}:lock`;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.pollMs = options.pollMs ?? 50;
  }

  /** A valid token: from the cache, or freshly fetched by exactly one process. */
  get(): Promise<string> {
    this.inflight ??= this.resolve().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drops `token` from the cache after WeCom rejected it, unless it was already replaced. */
  async invalidate(token: string): Promise<void> {
    await this.redis.eval(INVALIDATE, 1, this.key, token);
  }

  private async resolve(): Promise<string> {
    const deadline = Date.now() + this.lockTtlMs * 2;
    for (;;) {
      const cached = await this.read();
      if (cached && cached.expiresAt - Date.now() > this.refreshBeforeMs) return cached.token;

      const lockId = randomUUID();
      const locked = await this.redis.set(this.lockKey, lockId, 'PX', this.lockTtlMs, 'NX');
      if (locked === 'OK') {
        try {
          return await this.refresh();
        } catch (error) {
          // WeCom busy while the old token still works: use it and try again on a later call.
          if (cached && cached.expiresAt - Date.now() > 5_000) return cached.token;
          throw error;
        } finally {
          await this.redis.eval(RELEASE_LOCK, 1, this.lockKey, lockId).catch(() => undefined);
        }
      }
      // Someone else is refreshing: a token that still works is good enough meanwhile.
      if (cached && cached.expiresAt - Date.now() > 5_000) return cached.token;
      if (Date.now() > deadline) {
        throw new WecomApiError('gettoken', null, 'timed out waiting for another process to refresh the access token', true);
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async refresh(): Promise<string> {
    // The previous holder of the lock may have refreshed between our read and our lock.
    const cached = await this.read();
    if (cached && cached.expiresAt - Date.now() > this.refreshBeforeMs) return cached.token;

    const fetched = await this.options.fetchToken();
    const expiresAt = Date.now() + fetched.expiresIn * 1000;
    const value: CachedToken = { token: fetched.accessToken, expiresAt };
    // Keep it until shortly before WeCom's expiry; callers refresh earlier than that anyway.
    const ttl = Math.max(1000, fetched.expiresIn * 1000 - 30_000);
    await this.redis.set(this.key, JSON.stringify(value), 'PX', ttl);
    this.options.logger?.info({ corpId: this.options.corpId, agentId: this.options.agentId, expiresIn: fetched.expiresIn }, 'WeCom access token refreshed');
    return fetched.accessToken;
  }

  private async read(): Promise<CachedToken | undefined> {
    const raw = await this.redis.get(this.key);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as CachedToken;
      return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'number' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}
