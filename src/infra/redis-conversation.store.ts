import type Redis from 'ioredis';
import type { ConversationStore, PendingChoice } from '../../bots/core/conversation-store.port';

/** Pending "which one?" questions, per salesperson, in Redis so any worker can take the answer. */
export class RedisConversationStore implements ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** a numbered list is only meaningful while the salesperson remembers it */
    private readonly ttlSeconds = 600,
  ) {}

  private key(userid: string): string {
    return `${this.prefix}:conversation:${userid}:choice`;
  }

  async savePendingChoice(userid: string, choice: PendingChoice): Promise<void> {
    await this.redis.set(this.key(userid), JSON.stringify(choice), 'EX', this.ttlSeconds);
  }

  async pendingChoice(userid: string): Promise<PendingChoice | null> {
    const raw = await this.redis.get(this.key(userid));
    return raw ? (JSON.parse(raw) as PendingChoice) : null;
  }

  async clearPendingChoice(userid: string): Promise<void> {
    await this.redis.del(this.key(userid));
  }
}
