import Redis from 'ioredis';
import { budgetRule, createBudgetPacer, pacingRules } from '../../src/platform/outbound/outbound-pacing';
import { RedisRateLimiter } from '../../src/platform/outbound/rate-limiter';
import { deleteRedisPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/test-env';

/** The Lua limiter on the real Redis: shared by every process, so it is tested without any queue. */
describe('RedisRateLimiter', () => {
  let redis: Redis;
  let namespace: string;
  let limiter: RedisRateLimiter;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(() => {
    namespace = uniquePrefix(`limiter-${Math.random().toString(36).slice(2, 8)}`);
    limiter = new RedisRateLimiter(redis, { namespace, graceMs: 60_000 });
  });
  afterEach(async () => {
    await deleteRedisPrefix(namespace);
  });
  afterAll(() => {
    redis.disconnect();
  });

  const rule = (key: string, limit: number, windowMs = 60_000) => ({ key, limit, windowMs });
  /**
   * The window of the tests that wait for a slot to free up: long enough that the calls between its
   * start and the assertions (50 acquires on a loaded CI machine) stay inside it, short enough to wait for.
   */
  const SHORT_WINDOW_MS = 1_500;

  it('admits `limit` tickets per window, then tells the next how long to wait (about one window)', async () => {
    const r = rule('member:a', 3);
    for (let i = 1; i <= 3; i++) expect(await limiter.acquire([r], { id: `m${i}`, rank: i })).toEqual({ granted: true });
    const denied = await limiter.acquire([r], { id: 'm4', rank: 4 });
    expect(denied).toMatchObject({ granted: false, blockedBy: 'member:a' });
    expect(denied.granted === false && denied.waitMs).toBeGreaterThan(59_000);
    expect(denied.granted === false && denied.waitMs).toBeLessThanOrEqual(60_000);
  });

  it('counts an admission from when its call was answered: a slow call does not let the next one in early', async () => {
    const r = rule('member:slow', 1);
    expect(await limiter.acquire([r], { id: 'slow', rank: 1 }, { admissionId: 'a1' })).toEqual({ granted: true });
    // the call it admitted takes 400 ms to answer (the time passing is the subject here)
    await new Promise((resolve) => setTimeout(resolve, 400));
    await limiter.settle([r], { id: 'slow', rank: 1 }, 'a1');
    const next = await limiter.acquire([r], { id: 'next', rank: 2 });
    // dated by the answer, the window ends about 60 s from now, not 59.6 s (as dated by the admission)
    expect(next.granted === false && next.waitMs).toBeGreaterThan(59_800);
    // settling twice, or a settle for an admission that is gone, changes nothing
    await limiter.settle([r], { id: 'slow', rank: 1 }, 'a1');
    await limiter.settle([r], { id: 'gone', rank: 1 }, 'nope');
    expect(await redis.zcard(`${namespace}:ratelimit:member:slow:sent`)).toBe(1);
  });

  it('keeps waiters in line: a later ticket cannot take a slot that frees up before an earlier waiter', async () => {
    const r = rule('member:b', 1, SHORT_WINDOW_MS);
    expect((await limiter.acquire([r], { id: 'first', rank: 1 })).granted).toBe(true);
    const second = await limiter.acquire([r], { id: 'second', rank: 2 });
    const third = await limiter.acquire([r], { id: 'third', rank: 3 });
    expect(second.granted || third.granted).toBe(false);
    // the third is told to wait a window longer than the second
    expect(third.granted === false && second.granted === false && third.waitMs - second.waitMs).toBeGreaterThanOrEqual(SHORT_WINDOW_MS - 100);

    // the subject: the window passing on Redis's clock, which the limiter reads
    await new Promise((r) => setTimeout(r, SHORT_WINDOW_MS + 20));
    // the slot is free again, but it belongs to `second`
    expect((await limiter.acquire([r], { id: 'third', rank: 3 })).granted).toBe(false);
    expect((await limiter.acquire([r], { id: 'second', rank: 2 })).granted).toBe(true);
  });

  it('lets an urgent ticket (lower rank) overtake every waiter', async () => {
    const r = rule('budget', 1, SHORT_WINDOW_MS);
    expect((await limiter.acquire([r], { id: 'n1', rank: 1 })).granted).toBe(true);
    for (let i = 2; i <= 50; i++) expect((await limiter.acquire([r], { id: `n${i}`, rank: i })).granted).toBe(false);
    const urgent = await limiter.acquire([r], { id: 'welcome', rank: 7 - 1e13 });
    expect(urgent.granted === false && urgent.waitMs).toBeLessThanOrEqual(SHORT_WINDOW_MS);
    await new Promise((r) => setTimeout(r, SHORT_WINDOW_MS + 20)); // the subject: the window passing on Redis's clock
    expect((await limiter.acquire([r], { id: 'n2', rank: 2 })).granted).toBe(false);
    expect((await limiter.acquire([r], { id: 'welcome', rank: 7 - 1e13 })).granted).toBe(true);
  });

  it('is all or nothing across rules: a ticket denied by the budget takes no member slot', async () => {
    const member = rule('member:c', 5);
    const budget = rule('budget', 1);
    expect((await limiter.acquire([member, budget], { id: 'x1', rank: 1 })).granted).toBe(true);
    expect(await limiter.acquire([member, budget], { id: 'x2', rank: 2 })).toMatchObject({ granted: false, blockedBy: 'budget' });
    // member:c holds one admission, not two
    expect(await redis.zcard(`${namespace}:ratelimit:member:c:sent`)).toBe(1);
  });

  it('enforces the hourly rule too (1 000 an hour per member as well as 30 a minute)', async () => {
    const rules = [rule('member:d:m', 30, 60_000), rule('member:d:h', 2, 3_600_000)];
    expect((await limiter.acquire(rules, { id: 'h1', rank: 1 })).granted).toBe(true);
    expect((await limiter.acquire(rules, { id: 'h2', rank: 2 })).granted).toBe(true);
    const third = await limiter.acquire(rules, { id: 'h3', rank: 3 });
    expect(third).toMatchObject({ granted: false, blockedBy: 'member:d:h' });
    expect(third.granted === false && third.waitMs).toBeGreaterThan(3_500_000);
  });

  it('drops a waiter that stopped asking after its lease, so a dead job blocks nobody for long', async () => {
    const short = new RedisRateLimiter(redis, { namespace, graceMs: 50 });
    const r = rule('member:e', 1, 200);
    expect((await short.acquire([r], { id: 'a', rank: 1 })).granted).toBe(true);
    expect((await short.acquire([r], { id: 'dead', rank: 2 })).granted).toBe(false);
    expect((await short.acquire([r], { id: 'alive', rank: 3 })).granted).toBe(false);
    // `dead` never comes back; after its turn (≈200 ms) and its grace (50 ms) `alive` may go
    await new Promise((r) => setTimeout(r, 300)); // the subject: the lease running out on Redis's clock
    expect((await short.acquire([r], { id: 'alive', rank: 3 })).granted).toBe(true);
  });

  it('counts concurrent admissions from many callers exactly (atomic)', async () => {
    const r = rule('robot:x', 20);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => limiter.acquire([r], { id: `c${i}`, rank: i + 1 }, { register: false })));
    expect(results.filter((x) => x.granted)).toHaveLength(20);
  });

  describe('the welcome share of a budget', () => {
    const settings = {
      windowMs: 60_000,
      memberPerWindow: 30,
      robotPerWindow: 20,
      appChatPerWindow: 20,
      apiBudgetPerWindow: 10,
      botChatPerWindow: 20,
      welcomeBudgetShare: 0.3,
    };
    let n = 0;
    const ask = (api: string, forWelcome: boolean) =>
      limiter.acquire([budgetRule(settings, api, forWelcome)], { id: `call${++n}`, rank: 0 }, { register: false });

    it("other calls of externalcontact/get stop at 70 % of the budget; the welcomes' lookups still get the rest, and no more", async () => {
      // the pacer of direct calls passes `forWelcome` through (WecomApiClient's CallOptions)
      const pacer = createBudgetPacer(limiter, settings);
      for (let i = 0; i < 7; i++) await pacer.acquire('externalcontact/get');
      // a sync or the recording's lookups in a burst: held back, the reserved 3 are left for welcomes
      expect(await ask('externalcontact/get', false)).toMatchObject({ granted: false, blockedBy: 'budget:externalcontact/get' });
      await pacer.acquire('externalcontact/get', { forWelcome: true });
      for (let i = 0; i < 2; i++) expect(await ask('externalcontact/get', true)).toEqual({ granted: true });
      // WeCom's own limit is the whole budget: beyond it, welcomes wait too
      expect(await ask('externalcontact/get', true)).toMatchObject({ granted: false });
    });

    it('an API no welcome needs keeps its whole budget for everyone', async () => {
      for (let i = 0; i < 10; i++) expect(await ask('externalcontact/mark_tag', false)).toEqual({ granted: true });
      expect(await ask('externalcontact/mark_tag', false)).toMatchObject({ granted: false });
    });

    it('a welcome message may use the whole send_welcome_msg budget', () => {
      const [budget] = pacingRules({ channel: 'welcome', recipient: 'wmA' }, settings);
      expect(budget).toMatchObject({ key: 'budget:externalcontact/send_welcome_msg', limit: 10 });
    });
  });
});
