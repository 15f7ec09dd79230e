import { WSClient } from '@wecom/aibot-node-sdk';
import type Redis from 'ioredis';
import type { EventRecorder } from '../../events/event-recorder';
import type { InboundProducer } from '../../events/inbound.producer';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { WecomApiError } from '../api/wecom-api.error';
import type { CallbackFields } from '../callback/callback-xml';
import { type BotFrame, describeBotFrame } from './bot-frames';
import { BotLease } from './bot-lease';
import type { BotSender } from './bot-sender';

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
  logger: Logger;
  metrics: Metrics;
  /** the SDK's heartbeat (30 s by default) */
  heartbeatMs?: number;
}

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
   * for a callback: stored first, every answer comes after, from the worker that handles the event.
   */
  private async take(frame: BotFrame): Promise<void> {
    const described = describeBotFrame(frame, new Date());
    if (!described) return;
    const { descriptor, fields } = described;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.deps.recorder.store(descriptor, fields as unknown as CallbackFields);
        this.deps.metrics.eventsReceived.inc({ kind: descriptor.kind, duplicate: String(stored.duplicate) });
        if (stored.needsJob)
          await this.deps.producer.enqueue(stored.eventId).catch((error) =>
            // the row is the record: the stale-event sweeper queues it when Redis answers again
            this.deps.logger.warn({ eventId: stored.eventId, err: error }, 'bot frame stored; its job waits for the sweeper'),
          );
        return;
      } catch (error) {
        // The database is away: keep trying for a while (the frame is in memory only until stored).
        if (attempt >= 20) {
          this.deps.logger.error({ kind: descriptor.kind, err: error }, 'bot frame could not be stored; dropped');
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
      }
    }
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
