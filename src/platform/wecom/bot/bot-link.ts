import { WSClient } from '@wecom/aibot-node-sdk';
import type Redis from 'ioredis';
import type { CallbackSpool } from '../../events/callback-spool';
import { type EventRecorder, isRowRefused } from '../../events/event-recorder';
import type { InboundProducer } from '../../events/inbound.producer';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { WecomApiError } from '../api/wecom-api.error';
import { withTimeout } from '../../queue/queues';
import type { CallbackKeys } from '../callback/callback-crypto';
import type { CallbackFields } from '../callback/callback-xml';
import type { InboundEventDescriptor } from '../callback/inbound-event';
import { type BotEventFields, type BotFrame, describeBotFrame } from './bot-frames';
import { BotLease } from './bot-lease';
import type { BotSender } from './bot-sender';
import { sealBotFrame } from './sealed-bot-frame';

export type BotConnectionState = 'standby' | 'connecting' | 'connected';

export interface BotLinkOptions {
  botId: string;
  secret: string;
  /** undefined: the SDK's default endpoint (wss://openws.work.weixin.qq.com) */
  wsUrl: string | undefined;
  leaseMs: number;
}

export interface BotLinkDeps {
  redis: Redis;
  /** the install's namespace (QUEUE_PREFIX): one bot, one lease, whichever database */
  namespace: string;
  recorder: EventRecorder;
  producer: InboundProducer;
  /** where a frame waits, sealed, while the database is down */
  spool: CallbackSpool;
  keys: CallbackKeys;
  logger: Logger;
  metrics: Metrics;
  /** the SDK's heartbeat (30 s by default) */
  heartbeatMs?: number;
}

/** How long a frame's insert may take before it goes to the spool instead (the webhook's budget too). */
const STORE_TIMEOUT_MS = 2000;
/** Frames held in memory while neither the database nor Redis answers; past this they are dropped, said in the log. */
const MAX_FRAMES_WAITING = 1000;

/** Errcodes after which a send is worth trying again: busy, too frequent (as for the server API). */
const RETRYABLE = new Set([-1, 45009, 45033]);

/**
 * The smart bot's long connection, held by exactly one worker process at a time (bot-lease.ts).
 * Every worker runs one: it renews or tries to take the lease every third of its lifetime, connects
 * (through the SDK, which authenticates, pings and reconnects) while it holds it and disconnects as
 * soon as it does not. Each message and event frame is stored in inbound_events under its msgid
 * before anything answers it, then queued like any callback: a redelivered frame finds its row.
 * Sends (bot-sender.ts) go through this process's connection only; the bot queue is worked only by
 * the holder (`onHolding`), so a send lost with a dropped connection is retried by whoever holds it next.
 */
export class BotLink implements BotSender {
  private readonly lease: BotLease;
  private client: WSClient | undefined;
  private authenticated = false;
  private holding = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** WeCom closed this connection because another one opened: wait before connecting again, or two would fight */
  private pausedUntil = 0;
  private readonly listeners: Array<(holding: boolean) => void> = [];
  /** frames not yet stored nor spooled */
  private framesWaiting = 0;

  constructor(
    private readonly options: BotLinkOptions,
    private readonly deps: BotLinkDeps,
    holder: string,
  ) {
    this.lease = new BotLease(deps.redis, `${deps.namespace}:aibot:${options.botId}:lease`, holder, options.leaseMs);
    this.publishState();
  }

  get state(): BotConnectionState {
    if (!this.holding) return 'standby';
    return this.authenticated ? 'connected' : 'connecting';
  }

  /** true when this process holds the lease and its connection is authenticated: sends can go. */
  get ready(): boolean {
    return this.holding && this.authenticated && this.client?.isConnected === true;
  }

  /** Called with true when this process starts holding the connection, false when it stops. */
  onHolding(listener: (holding: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      void this.renew().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, Math.max(200, Math.floor(this.options.leaseMs / 3)));
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const held = this.holding;
    this.letGo();
    if (held) await this.lease.release().catch(() => undefined);
  }

  /** Who holds the connection and in what state, as the holder last published it (any process can ask). */
  async describe(): Promise<{ state: string; holder: string | null; self: BotConnectionState }> {
    const [holder, state] = await Promise.all([this.lease.current(), this.deps.redis.get(this.stateKey())]);
    return { state: holder ? (state ?? 'connecting') : 'no holder', holder, self: this.state };
  }

  private stateKey(): string {
    return `${this.deps.namespace}:aibot:${this.options.botId}:state`;
  }

  private async renew(): Promise<void> {
    let held: boolean;
    try {
      held = await this.lease.acquireOrRenew();
    } catch (error) {
      // Redis away: the lease may expire meanwhile and another process take it; stop sending now.
      this.deps.logger.warn({ err: error }, 'bot lease: Redis did not answer; letting the connection go');
      held = false;
    }
    if (held && !this.holding) {
      this.holding = true;
      this.deps.logger.info({ holder: this.lease.holder }, 'bot lease taken: connecting the smart bot');
      for (const l of this.listeners) l(true);
    }
    if (!held && this.holding) {
      this.deps.logger.warn({ holder: this.lease.holder }, 'bot lease lost: disconnecting the smart bot');
      this.letGo();
    }
    if (this.holding && !this.client && Date.now() >= this.pausedUntil) this.connect();
    this.publishState();
  }

  private letGo(): void {
    const was = this.holding;
    this.holding = false;
    this.authenticated = false;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      try {
        client.disconnect();
      } catch {
        // already closed
      }
    }
    if (was) for (const l of this.listeners) l(false);
    this.publishState();
  }

  private connect(): void {
    const { logger } = this.deps;
    const client = new WSClient({
      botId: this.options.botId,
      secret: this.options.secret,
      ...(this.options.wsUrl ? { wsUrl: this.options.wsUrl } : {}),
      heartbeatInterval: this.deps.heartbeatMs ?? 30_000,
      maxReconnectAttempts: -1,
      maxAuthFailureAttempts: -1,
      logger: sdkLogger(logger),
    });
    this.client = client;
    client.on('authenticated', () => {
      this.authenticated = true;
      logger.info('smart bot connected');
      this.publishState();
    });
    client.on('disconnected', (reason) => {
      this.authenticated = false;
      logger.warn({ reason: String(reason).slice(0, 200) }, 'smart bot disconnected');
      this.publishState();
    });
    client.on('error', (error) => logger.warn({ err: error }, 'smart bot connection error'));
    client.on('message', (frame) => void this.take(frame as unknown as BotFrame));
    client.on('event', (frame) => {
      const body = (frame as unknown as BotFrame).body;
      if ((body?.event as { eventtype?: string } | undefined)?.eventtype === 'disconnected_event') {
        // Another connection for this bot opened (outside this install's lease?): WeCom closed ours.
        logger.error('WeCom closed the smart bot connection because another one opened; waiting 30 s before connecting again');
        this.pausedUntil = Date.now() + 30_000;
        this.authenticated = false;
        this.client?.removeAllListeners();
        this.client = undefined;
        this.publishState();
        return;
      }
      void this.take(frame as unknown as BotFrame);
    });
    client.connect();
  }

  /**
   * Stores the frame (a redelivery finds its row) and queues it. The long connection has no receipt
   * for a callback and WeCom does not deliver a frame again: stored first, every answer comes after,
   * from the worker that handles the event. With the database away the frame goes, sealed, to the
   * callback spool in Redis (sealed-bot-frame.ts), which the spool drain stores when the database is
   * back; only while neither answers does it wait here, in memory, trying both.
   */
  private async take(frame: BotFrame): Promise<void> {
    const receivedAt = new Date();
    const described = describeBotFrame(frame, receivedAt);
    if (!described) return;
    const { logger } = this.deps;
    if (this.framesWaiting >= MAX_FRAMES_WAITING) {
      logger.error(
        { kind: described.descriptor.kind, waiting: this.framesWaiting },
        'bot frame dropped: neither the database nor Redis has answered for too long',
      );
      return;
    }
    this.framesWaiting += 1;
    try {
      for (let attempt = 1; ; attempt++) {
        if (await this.store(described.descriptor, described.fields, receivedAt)) return;
        if (await this.keepInSpool(frame, receivedAt)) return;
        if (attempt === 1)
          logger.error({ kind: described.descriptor.kind }, 'bot frame: neither the database nor Redis answers; it waits in memory, tried again');
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
      }
    } finally {
      this.framesWaiting -= 1;
    }
  }

  /** true when the frame is stored (or can never be: a row the database refuses, said in the log) */
  private async store(descriptor: InboundEventDescriptor, fields: BotEventFields, receivedAt: Date): Promise<boolean> {
    let stored;
    try {
      stored = await withTimeout(this.deps.recorder.store(descriptor, fields as unknown as CallbackFields, receivedAt), STORE_TIMEOUT_MS, 'bot frame insert');
    } catch (error) {
      if (!isRowRefused(error)) return false;
      this.deps.logger.error({ kind: descriptor.kind, err: error }, 'bot frame refused by the database (too large?); dropped');
      return true;
    }
    this.deps.metrics.eventsReceived.inc({ kind: descriptor.kind, duplicate: String(stored.duplicate) });
    if (stored.needsJob)
      await this.deps.producer.enqueue(stored.eventId).catch((error) =>
        // the row is the record: the stale-event sweeper queues it when Redis answers again
        this.deps.logger.warn({ eventId: stored.eventId, err: error }, 'bot frame stored; its job waits for the sweeper'),
      );
    return true;
  }

  private async keepInSpool(frame: BotFrame, receivedAt: Date): Promise<boolean> {
    try {
      await this.deps.spool.push(sealBotFrame(this.deps.keys, frame), receivedAt, 'aibot');
    } catch {
      return false;
    }
    this.deps.metrics.callbacksSpooled.inc();
    this.deps.logger.warn('bot frame kept in the spool: the database did not answer');
    return true;
  }

  /** The gauge of this process, and (from the holder) the state every process shows on /readyz. */
  private publishState(): void {
    const gauge = this.deps.metrics.botConnection;
    for (const s of ['standby', 'connecting', 'connected'] as const) gauge.set({ state: s }, s === this.state ? 1 : 0);
    if (this.holding) void this.deps.redis.set(this.stateKey(), this.state, 'PX', this.options.leaseMs * 2).catch(() => undefined);
  }

  private connected(api: string): WSClient {
    if (!this.ready || !this.client) throw new WecomApiError(api, null, 'the smart bot connection is not held by this process (or not up)', true);
    return this.client;
  }

  async send(chatid: string, body: Record<string, unknown>): Promise<void> {
    const client = this.connected('aibot_send_msg');
    await client.sendMessage(chatid, body as never).catch((error) => {
      throw toApiError('aibot_send_msg', error);
    });
  }

  async updateCard(reqId: string, card: Record<string, unknown>, userids?: string[]): Promise<void> {
    const client = this.connected('aibot_respond_update_msg');
    await client.updateTemplateCard({ headers: { req_id: reqId } }, card as never, userids).catch((error) => {
      throw toApiError('aibot_respond_update_msg', error);
    });
  }
}

/** The SDK rejects with WeCom's answer frame (errcode) or an Error (timeout, closed connection: the outcome is unknown). */
function toApiError(api: string, error: unknown): WecomApiError {
  const frame = error as { errcode?: unknown; errmsg?: unknown };
  if (typeof frame?.errcode === 'number') {
    return new WecomApiError(api, frame.errcode, String(frame.errmsg ?? ''), RETRYABLE.has(frame.errcode));
  }
  return new WecomApiError(api, null, String((error as Error)?.message ?? error).slice(0, 200), true);
}

/**
 * The SDK logs whole frames at debug (message bodies: what customers and salespeople wrote): those
 * are dropped. Its other lines keep their message only, never the arguments it adds.
 */
function sdkLogger(logger: Logger) {
  const line = (message: unknown) => String(message).slice(0, 160);
  return {
    debug: () => undefined,
    info: (message: string) => logger.debug({ sdk: 'aibot' }, line(message)),
    warn: (message: string) => logger.info({ sdk: 'aibot' }, line(message)),
    error: (message: string) => logger.warn({ sdk: 'aibot' }, line(message)),
  };
}
