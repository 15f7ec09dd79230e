import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

/** At most `limit` admissions in any sliding window of `windowMs`. */
export interface RateRule {
  /** e.g. `user:zhangsan:m`, `robot:3f2a…`, `budget` */
  key: string;
  limit: number;
  windowMs: number;
}

export interface Ticket {
  /** stable for one logical message across its retries, e.g. `msg:42` */
  id: string;
  /** its place in line: lower goes first (urgent messages get negative ranks). */
  rank: number;
}

export type AcquireResult = { granted: true } | { granted: false; waitMs: number; blockedBy: string };

/**
 * Sliding-window log of real admissions per rule, plus a line of waiters ordered by rank, all in one
 * atomic Lua script on Redis so that every worker process shares the same limits. A ticket is
 * admitted only when every rule has room *and* fewer waiters of lower rank than there is room: so a
 * backlog keeps its order (per member and per robot), and a welcome message (lower rank) overtakes it.
 * A denied ticket joins the line of the first rule that denies it and is told when its turn should
 * come; waiters that stop asking (a dead job) drop out after their lease. Time is Redis's clock,
 * never a worker's.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local rank = ARGV[2]
local register = ARGV[3] == '1'
local grace = tonumber(ARGV[4])
local nonce = ARGV[5]
local n = tonumber(ARGV[6])
for i = 1, n do
  local sent, line, lease = KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i]
  local limit = tonumber(ARGV[5 + 2*i])
  local window = tonumber(ARGV[6 + 2*i])
  redis.call('ZREMRANGEBYSCORE', sent, '-inf', now - window)
  local expired = redis.call('ZRANGEBYSCORE', lease, '-inf', now)
  if #expired > 0 then
    for _, w in ipairs(expired) do redis.call('ZREM', line, w) end
    redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
  end
  local count = redis.call('ZCARD', sent)
  local room = limit - count
  local ahead = redis.call('ZCOUNT', line, '-inf', '(' .. rank)
  if ahead >= room then
    -- my turn comes when the (ahead - room)-th admission from now frees up
    local idx = ahead - room
    local rounds = math.floor(idx / limit)
    local pos = idx % limit
    local eta = window * (rounds + 1)
    if pos < count then
      local entry = redis.call('ZRANGE', sent, pos, pos, 'WITHSCORES')
      eta = tonumber(entry[2]) + window * (rounds + 1) - now
    end
    if eta < 1 then eta = 1 end
    if register then
      redis.call('ZADD', line, rank, id)
      redis.call('ZADD', lease, now + eta + grace, id)
      local keep = eta + grace + window
      for _, k in ipairs({line, lease}) do
        if redis.call('PTTL', k) < keep then redis.call('PEXPIRE', k, keep) end
      end
    end
    return {0, eta, i}
  end
end
for i = 1, n do
  local sent, line, lease = KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i]
  local window = tonumber(ARGV[6 + 2*i])
  redis.call('ZADD', sent, now, id .. '@' .. nonce)
  if redis.call('PTTL', sent) < window then redis.call('PEXPIRE', sent, window) end
  redis.call('ZREM', line, id)
  redis.call('ZREM', lease, id)
end
return {1, 0, 0}`;

/**
 * Moves an admission's time to now (never earlier): WeCom counts a request when it arrives, which is
 * after we admitted it and before its answer came back. Dated by the answer, an admission counts for
 * at least as long as WeCom counts it, whatever the latency in between (a slow token fetch, an event
 * loop held up by load).
 */
const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', 'GT', now, ARGV[1])
  local window = tonumber(ARGV[1 + i])
  if redis.call('PTTL', KEYS[i]) < window then redis.call('PEXPIRE', KEYS[i], window) end
end
return 1`;

export interface RateLimiterOptions {
  /** Redis key namespace of this install */
  namespace: string;
  /** how long a denied waiter keeps its place after its expected turn (default 30 s) */
  graceMs?: number;
}

export class RedisRateLimiter {
  private readonly graceMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimiterOptions,
  ) {
    this.graceMs = options.graceMs ?? 30_000;
  }

  /**
   * Admits the ticket under every rule at once (recording one admission in each), or tells how long
   * to wait. `register: false` asks without joining the line (for callers that simply sleep and retry).
   */
  async acquire(rules: RateRule[], ticket: Ticket, options: { register?: boolean; admissionId?: string } = {}): Promise<AcquireResult> {
    if (rules.length === 0) return { granted: true };
    const keys = rules.flatMap((r) => {
      const base = this.key(r);
      return [`${base}:sent`, `${base}:line`, `${base}:lease`];
    });
    const args = [
      ticket.id,
      String(ticket.rank),
      options.register === false ? '0' : '1',
      String(this.graceMs),
      options.admissionId ?? randomUUID(),
      String(rules.length),
      ...rules.flatMap((r) => [String(r.limit), String(Math.max(1, Math.round(r.windowMs)))]),
    ];
    const [granted, waitMs, ruleIndex] = (await this.redis.eval(ACQUIRE, keys.length, ...keys, ...args)) as [number, number, number];
    if (granted === 1) return { granted: true };
    return { granted: false, waitMs: Number(waitMs), blockedBy: rules[ruleIndex - 1]!.key };
  }

  /**
   * Re-dates the admission that `acquire` logged under `admissionId` to now, when the call it admitted
   * has been answered (see SETTLE).
   */
  async settle(rules: RateRule[], ticket: Ticket, admissionId: string): Promise<void> {
    if (rules.length === 0) return;
    const keys = rules.map((r) => `${this.key(r)}:sent`);
    await this.redis.eval(SETTLE, keys.length, ...keys, `${ticket.id}@${admissionId}`, ...rules.map((r) => String(Math.max(1, Math.round(r.windowMs)))));
  }

  private key(rule: RateRule): string {
    return `${this.options.namespace}:ratelimit:${rule.key}`;
  }

  /** Blocks until admitted (for direct API calls outside the queue), sleeping as told. */
  async waitFor(rules: RateRule[], ticket: Ticket, maxWaitMs = 5 * 60_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const result = await this.acquire(rules, ticket, { register: false });
      if (result.granted) return;
      if (Date.now() + result.waitMs > deadline) throw new Error(`rate limit ${result.blockedBy}: no slot within ${maxWaitMs} ms`);
      await new Promise((r) => setTimeout(r, result.waitMs));
    }
  }
}
