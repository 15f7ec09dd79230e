import type Redis from 'ioredis';
import type { ChoiceAnswer, ChoiceList, ConversationStore } from '../../../bots/core/conversation-store.port';

export interface RedisConversationStoreOptions {
  /** how long a list is remembered: long enough for an answer's last retry to find it */
  keepSeconds?: number;
  /** how many recent lists per salesperson */
  keepLists?: number;
  /** when a list is shown (tests move it) */
  clock?: () => Date;
}

type StoredList = Omit<ChoiceList, 'openedAt' | 'answer'> & { openedAt: number };

/**
 * The numbered lists shown to each salesperson, in Redis so any worker can take the answer. Per
 * salesperson: a sorted set of list ids by the time shown, one key per list (written once: a
 * retried asking message keeps the first), and one key per answer (written once: the first answer
 * stays). Nothing is read-modify-written, so two workers cannot lose each other's writes.
 */
export class RedisConversationStore implements ConversationStore {
  private readonly keepSeconds: number;
  private readonly keepLists: number;
  private readonly clock: () => Date;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: RedisConversationStoreOptions = {},
  ) {
    this.keepSeconds = options.keepSeconds ?? 24 * 3600;
    this.keepLists = options.keepLists ?? 20;
    this.clock = options.clock ?? (() => new Date());
  }

  private key(userid: string, part: string): string {
    return `${this.prefix}:conversation:${userid}:${part}`;
  }

  async openList(userid: string, list: Omit<ChoiceList, 'openedAt' | 'answer'>): Promise<ChoiceList> {
    const stored: StoredList = { ...list, openedAt: this.clock().getTime() };
    const listKey = this.key(userid, `list:${list.id}`);
    const wrote = await this.redis.set(listKey, JSON.stringify(stored), 'EX', this.keepSeconds, 'NX');
    const kept = wrote === 'OK' ? null : await this.redis.get(listKey);
    const effective = kept ? (JSON.parse(kept) as StoredList) : stored;
    // Indexed after the list is written (and again on a retry), so the index never names a missing list for long.
    const index = this.key(userid, 'lists');
    await this.redis
      .multi()
      .zadd(index, 'NX', effective.openedAt, list.id)
      .zremrangebyrank(index, 0, -(this.keepLists + 1))
      .expire(index, this.keepSeconds)
      .exec();
    return toList(effective);
  }

  async recentLists(userid: string): Promise<ChoiceList[]> {
    const ids = await this.redis.zrange(this.key(userid, 'lists'), 0, -1);
    if (ids.length === 0) return [];
    const [lists, answers] = await Promise.all([
      this.redis.mget(ids.map((id) => this.key(userid, `list:${id}`))),
      this.redis.mget(ids.map((id) => this.key(userid, `answer:${id}`))),
    ]);
    return ids.flatMap((_, i) => {
      const raw = lists[i];
      if (!raw) return [];
      const answer = answers[i];
      return [{ ...toList(JSON.parse(raw) as StoredList), ...(answer ? { answer: JSON.parse(answer) as ChoiceAnswer } : {}) }];
    });
  }

  async answerList(userid: string, listId: string, answer: ChoiceAnswer): Promise<ChoiceAnswer> {
    const key = this.key(userid, `answer:${listId}`);
    const wrote = await this.redis.set(key, JSON.stringify(answer), 'EX', this.keepSeconds, 'NX');
    if (wrote === 'OK') return answer;
    const kept = await this.redis.get(key);
    return kept ? (JSON.parse(kept) as ChoiceAnswer) : answer;
  }
}

function toList(stored: StoredList): ChoiceList {
  return { ...stored, openedAt: new Date(stored.openedAt) };
}
