import Redis from 'ioredis';
import { RedisConversationStore } from '../../src/modules/chat/redis-conversation.store';
import { deleteRedisPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/test-env';

/** The history of numbered lists in the real Redis: written once, answered once, trimmed. */
describe('RedisConversationStore', () => {
  const prefix = uniquePrefix('conversation-store');
  let redis: Redis;
  let clock = new Date('2026-11-22T02:00:00Z');

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    redis.disconnect();
    await deleteRedisPrefix(prefix);
  });

  const store = () => new RedisConversationStore(redis, prefix, { keepLists: 3, clock: () => clock });
  const list = (id: string, askedSeq: number) => ({ id, text: `查客户 王磊 ${id}`, sourceKey: `msg:${id}`, customerIds: [7, 8], askedSeq });

  it('keeps a retried list as first shown, and the first answer', async () => {
    const first = await store().openList('zhangsan', list('a', 1));
    clock = new Date(clock.getTime() + 60_000);
    const again = await store().openList('zhangsan', list('a', 1));
    expect(again.openedAt.toISOString()).toBe(first.openedAt.toISOString());
    expect(await store().answerList('zhangsan', 'a', { by: 'msg:x', number: 1 })).toEqual({ by: 'msg:x', number: 1 });
    expect(await store().answerList('zhangsan', 'a', { by: 'msg:y', number: 2 })).toEqual({ by: 'msg:x', number: 1 });
    const [kept] = await store().recentLists('zhangsan');
    expect(kept).toMatchObject({ id: 'a', customerIds: [7, 8], askedSeq: 1, answer: { by: 'msg:x', number: 1 } });
    expect(await store().recentLists('lisi')).toEqual([]);
  });

  it('keeps the newest lists, oldest first', async () => {
    for (const [i, id] of ['b', 'c', 'd', 'e'].entries()) {
      clock = new Date(clock.getTime() + 60_000);
      await store().openList('wangwu', list(id, i + 10));
    }
    expect((await store().recentLists('wangwu')).map((l) => l.id)).toEqual(['c', 'd', 'e']);
  });
});
