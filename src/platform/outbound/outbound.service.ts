import { randomUUID } from 'node:crypto';
import { In, IsNull, LessThan, MoreThan, Not, Or, type DataSource } from 'typeorm';
import { OutboundMessage, type OutboundChannel } from '../../../entities/outbound-message.entity';
import { isUniqueViolation } from '../db/unique-violation';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { addJob } from '../queue/job-definition';
import type { QueueSet } from '../queue/queues';
import { sweepRows } from '../queue/row-sweep';
import type { AppChatMessage, AppMessage, RobotMessage, SendWelcomeMsgRequest, TemplateCard } from '../wecom/api/wecom-api.types';
import { fitMessage } from './fit-message';
import { robotId } from './outbound-pacing';
import {
  BOT_CHANNELS,
  BOT_OUTBOUND_JOB,
  isBotChannel,
  type OutboundDelivery,
  type OutboundJobData,
  type OutboundPayload,
  OUTBOUND_JOB,
  outboundJobId,
  type RestEnqueuer,
  type StoredImage,
} from './outbound.types';
import { heldByQuietHours, type QuietHours, quietHoursEnd } from './quiet-hours';

interface Common {
  /** the caller's name for this logical message (≤ 150 chars): enqueuing it twice sends it once. */
  idempotencyKey: string;
  /** an answer to someone waiting for it (a reply, a welcome, a card update): skips quiet hours and overtakes the backlog */
  urgent?: boolean;
  /**
   * A person asked for this message at this time (their own reminder): quiet hours do not hold it,
   * and it keeps its place in the queue. Quiet hours hold only what the product starts on its own.
   */
  personTimed?: boolean;
}

/** Everything the product sends to WeCom, one recipient per message (so each has its own log row). */
export type OutboundRequest =
  | (Common & { channel: 'user'; touser: string; message: AppMessage })
  | (Common & { channel: 'robot'; webhookUrl: string /** shown as the recipient, e.g. the team name */; label?: string; message: RobotMessage })
  | (Common & { channel: 'appchat'; chatid: string; message: AppChatMessage })
  | (Common & {
      channel: 'welcome';
      welcomeCode: string;
      /** the new customer, for the log */
      externalUserid: string;
      text?: SendWelcomeMsgRequest['text'];
      attachments?: SendWelcomeMsgRequest['attachments'];
      /** the code is single-use and valid 20 s from the add event: give up (failed) after this */
      expiresAt?: Date;
    })
  | (Common & { channel: 'card_update'; userid: string; responseCode: string; update: { button: { replace_name: string } } | { template_card: TemplateCard } })
  /** the smart bot (智能机器人): a message to a group's chatid, or to a member's userid (the single chat with the bot) */
  | (Common & { channel: 'bot'; chatid: string; message: BotMessage })
  | (Common & {
      channel: 'bot_update';
      /** the chat the card is in (the log's recipient, and where the card goes again when too late to update it) */
      chatid: string;
      /** the req_id of the click's frame: WeCom updates the card it names within 5 s */
      reqId: string;
      card: TemplateCard;
      /** the click's frame arrived at: the update goes within WeCom's 5 s of it, or as a new message */
      clickedAt: Date;
      /** the card as a new message, when it is too late to update it in place (another task_id) */
      fallback: BotMessage;
    });

/** What the smart bot pushes: markdown or a template card (aibot_send_msg). */
export type BotMessage = { msgtype: 'markdown'; markdown: { content: string } } | { msgtype: 'template_card'; template_card: TemplateCard };

/** WeCom takes a card update within 5 s of the click; kept a little short of it for the way there. */
export const BOT_UPDATE_WINDOW_MS = 4500;

/** A picture to one recipient: a group robot (base64 + md5), or a member or app chat (uploaded as temporary media, then sent by media_id). */
export type OutboundImageRequest = Common & { image: { source: Record<string, unknown>; filename: string } } & (
    | { channel: 'user'; touser: string }
    | { channel: 'robot'; webhookUrl: string; label?: string }
    | { channel: 'appchat'; chatid: string }
  );

export type { OutboundJobData, OutboundPayload };
export { outboundJobId };

export interface EnqueueResult {
  /** the row that is (or was) sent */
  id: number;
  /** queued: new; duplicate: an earlier enqueue of the same key exists (a duplicate row logs this one) */
  outcome: 'queued' | 'duplicate';
  status: OutboundMessage['status'];
}

export interface OutboundServiceDeps {
  dataSource: DataSource;
  queues: QueueSet;
  logger: Logger;
  metrics: Metrics;
  config: { quietHours: QuietHours | undefined; timezone: string };
  now?: () => number;
  /**
   * Worker processes: lets `sendNow` deliver in-process (built with the service, which it needs for
   * the parts of a split message). Without it (the web process never calls WeCom) `sendNow` is `enqueue`.
   */
  delivery?: (service: RestEnqueuer) => OutboundDelivery;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 150;

/**
 * The one way to send anything to WeCom. `enqueue` writes the log row under its idempotency key
 * first (the row, not Redis, is the record), then adds a Bull job whose id comes from the row, so a
 * repeated enqueue collapses into one job. Non-urgent messages enqueued in quiet hours are delayed
 * to the morning; urgent ones (welcome messages, card updates) jump the queue.
 */
export class OutboundService implements RestEnqueuer {
  private readonly repo;
  private readonly now: () => number;

  constructor(private readonly deps: OutboundServiceDeps) {
    this.repo = deps.dataSource.getRepository(OutboundMessage);
    this.now = deps.now ?? Date.now;
    this.delivery = deps.delivery?.(this);
  }

  private readonly delivery: OutboundDelivery | undefined;

  async enqueue(request: OutboundRequest): Promise<EnqueueResult> {
    return this.submit(request, false);
  }

  /** Queues a picture (outbound.types.ts StoredImage): drawn, and for a member or app chat uploaded, when it is sent. */
  async enqueueImage(request: OutboundImageRequest): Promise<EnqueueResult> {
    const { image, ...rest } = request;
    const stored = { source: image.source, filename: image.filename };
    // The body is completed at send time: base64 + md5 for a robot, the media_id for the others.
    const message = { msgtype: 'image', image: {} } as never;
    return this.submit({ ...rest, message } as OutboundRequest, false, stored);
  }

  /**
   * Logs the message like `enqueue`, then sends it from this process at once instead of through a
   * queued job: for a welcome, whose code dies 20 s after the add, a queue hop behind a burst costs
   * seconds. Pacing and quiet hours still apply; anything that has to wait (no pacing slot, a
   * retryable error) continues as a delayed job. Without a delivery (the web process) it is `enqueue`.
   */
  async sendNow(request: OutboundRequest): Promise<EnqueueResult> {
    return this.submit(request, true);
  }

  private async submit(request: OutboundRequest, now: boolean, image?: StoredImage): Promise<EnqueueResult> {
    const key = request.idempotencyKey;
    if (!key || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new Error(`idempotencyKey must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    validate(request);
    const described = fitted(describe(request));
    const { channel, recipient, kind, urgent } = described;
    const payload: OutboundPayload = image ? { ...described.payload, image } : described.payload;
    const quietHoursExempt = request.personTimed === true;
    const notBefore = heldByQuietHours({ urgent, quietHoursExempt })
      ? quietHoursEnd(new Date(this.now()), this.deps.config.quietHours, this.deps.config.timezone)
      : null;

    // Sent from here at once (not in quiet hours): the row is written as its first attempt already
    // (one UPDATE less per message); `row` keeps the values from before the attempt, as the delivery expects.
    // The smart bot's messages go from the process holding its connection: always through its queue.
    const claim = now && this.delivery !== undefined && !notBefore && !isBotChannel(channel);
    let row: OutboundMessage;
    try {
      row = this.repo.create({
        idempotencyKey: key,
        channel,
        recipient,
        kind,
        urgent,
        quietHoursExempt,
        payload: payload as unknown as Record<string, unknown>,
        status: 'queued',
        notBefore,
        heldFor: notBefore ? 'quiet_hours' : null,
        attempts: 0,
      });
      // insert, not save: no transaction around a single INSERT (a burst is bound by round trips).
      // (typed by create() above; TypeORM's insert type does not accept a simple-json Record column)
      const written = claim ? this.repo.create({ ...row, status: 'sending', attempts: 1 }) : row;
      await this.repo.insert(written as never);
      if (claim) Object.assign(row, { id: written.id, createdAt: written.createdAt, updatedAt: written.updatedAt });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.recordDuplicate(key, { channel, recipient, kind, urgent, payload });
    }
    if (claim) return this.deliverHere(row);
    await this.addJob(row);
    this.deps.metrics.outboundMessages.inc({ channel, status: 'queued' });
    this.deps.logger.debug({ outboundId: row.id, channel, recipient, kind, urgent, notBefore }, 'outbound message queued');
    return { id: row.id, outcome: 'queued', status: row.status };
  }

  /** The log row, for "why did this card never arrive". */
  find(id: number): Promise<OutboundMessage | null> {
    return this.repo.findOneBy({ id });
  }

  findByKey(idempotencyKey: string): Promise<OutboundMessage | null> {
    return this.repo.findOneBy({ idempotencyKey });
  }

  /**
   * After a part of a split message was sent: the next part, as a row of its own (`<key>#part<n>`)
   * and a job. The tail of a message half delivered goes next, quiet hours or not (it is marked
   * urgent). Safe to repeat: a second call finds the row and only makes sure its job exists.
   */
  async enqueueRest(sent: Pick<OutboundMessage, 'idempotencyKey' | 'channel' | 'recipient' | 'kind' | 'payload'>): Promise<void> {
    const payload = sent.payload as unknown as OutboundPayload;
    const [next, ...later] = payload.rest ?? [];
    if (!next) return;
    const part = (payload.part ?? 1) + 1;
    const key = `${sent.idempotencyKey.replace(/#part\d+$/, '')}#part${part}`;
    const body: OutboundPayload = {
      body: next,
      ...(payload.webhookUrl ? { webhookUrl: payload.webhookUrl } : {}),
      ...(later.length ? { rest: later } : {}),
      part,
    };
    const row = this.repo.create({
      idempotencyKey: key,
      channel: sent.channel,
      recipient: sent.recipient,
      kind: sent.kind,
      urgent: true,
      quietHoursExempt: true,
      payload: body as unknown as Record<string, unknown>,
      status: 'queued',
      notBefore: null,
      heldFor: null,
      attempts: 0,
    });
    try {
      await this.repo.insert(row as never);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.repo.findOneBy({ idempotencyKey: key });
      if (existing && (existing.status === 'queued' || existing.status === 'sending')) await this.addJob(existing);
      return;
    }
    await this.addJob(row);
    this.deps.metrics.outboundMessages.inc({ channel: row.channel, status: 'queued' });
  }

  /**
   * Re-adds the job of unfinished rows whose job is gone (the process died between the insert and the
   * add, or Redis lost its data) or will not run again. Rows waiting for quiet hours or a pacing slot keep their job.
   */
  async requeueStale(staleAfterMs: number, batchSize = 500): Promise<number> {
    const app = await this.requeueStaleOn('outbound', Not(In([...BOT_CHANNELS])), staleAfterMs, batchSize);
    return app + (await this.requeueStaleOn('bot', In([...BOT_CHANNELS]), staleAfterMs, batchSize));
  }

  private async requeueStaleOn(
    queue: 'outbound' | 'bot',
    channel: ReturnType<typeof In<OutboundChannel>> | ReturnType<typeof Not<OutboundChannel>>,
    staleAfterMs: number,
    batchSize: number,
  ): Promise<number> {
    const cutoff = new Date(this.now() - staleAfterMs);
    const { readded } = await sweepRows(this.deps.queues, {
      name: queue,
      queue,
      rows: () =>
        this.repo.find({
          where: { channel, status: In(['queued', 'sending']), updatedAt: LessThan(cutoff), notBefore: Or(IsNull(), LessThan(cutoff)) },
          order: { id: 'ASC' },
          take: batchSize,
        }),
      jobId: (row) => outboundJobId(row.id),
      // A job that will not run again (Bull gave up on it after worker crashes, or it is from before
      // a database restore): the row still decides, so it gets a new job; its attempts bound the retries.
      readd: (row) => this.addJob(row),
    });
    if (readded > 0) this.deps.logger.warn({ requeued: readded }, 're-enqueued outbound messages that had no job');
    return readded;
  }

  /**
   * Held messages follow the quiet hours in force, not the ones they were queued under: run when a
   * worker starts (the setting is read at start). A hold that no longer applies (quiet hours off,
   * shorter, or a message quiet hours no longer hold) is released now; one that ends at another time
   * is moved there. Returns how many holds changed.
   */
  async reevaluateQuietHolds(batchSize = 500): Promise<number> {
    const queue = this.deps.queues.get('outbound');
    let changed = 0;
    let afterId = 0;
    for (;;) {
      const rows = await this.repo.find({ where: { status: 'queued', heldFor: 'quiet_hours', id: MoreThan(afterId) }, order: { id: 'ASC' }, take: batchSize });
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1]!.id;
      for (const row of rows) {
        const now = this.now();
        const until = heldByQuietHours(row) ? quietHoursEnd(new Date(now), this.deps.config.quietHours, this.deps.config.timezone) : null;
        if (until && row.notBefore && until.getTime() === row.notBefore.getTime()) continue;
        // The row first (it is the record), then its job: a crash in between leaves a job that wakes
        // at the old time and asks the setting again.
        const updated = await this.repo.update(
          { id: row.id, status: 'queued', heldFor: 'quiet_hours' },
          until ? { notBefore: until } : { notBefore: null, heldFor: null },
        );
        if (!updated.affected) continue;
        const job = await (isBotChannel(row.channel) ? this.deps.queues.get('bot') : queue).getJob(outboundJobId(row.id));
        const delay = until ? until.getTime() - now : 0;
        try {
          if (job && !(await job.isDelayed())) continue; // running or about to: it asks the setting itself
          if (job && delay === 0) await job.promote();
          else {
            await job?.remove();
            await this.addJob(row, Math.max(0, delay));
          }
        } catch (error) {
          // Its time came meanwhile (promoted or locked by a worker): it re-checks quiet hours when it runs.
          this.deps.logger.debug({ outboundId: row.id, err: error }, 'held message moved on by itself');
        }
        changed += 1;
      }
    }
    if (changed > 0)
      this.deps.logger.info({ changed, quietHours: this.deps.config.quietHours ?? 'off' }, 'messages held by quiet hours follow the setting in force');
    return changed;
  }

  private async deliverHere(row: OutboundMessage): Promise<EnqueueResult> {
    this.deps.metrics.outboundMessages.inc({ channel: row.channel, status: 'queued' });
    try {
      const status = (await this.delivery!(row.id, row, { claimed: true })) as OutboundMessage['status'];
      return { id: row.id, outcome: 'queued', status };
    } catch (error) {
      // The row is queued again (or waits for a slot): a job takes over, as after any attempt.
      const waitMs = Number((error as { retryAfterMs?: unknown }).retryAfterMs);
      await this.addJob(row, Number.isFinite(waitMs) && waitMs > 0 ? waitMs : 1000);
      this.deps.logger.debug({ outboundId: row.id, channel: row.channel, err: error }, 'outbound message not sent at once; queued');
      return { id: row.id, outcome: 'queued', status: 'queued' };
    }
  }

  private async addJob(row: OutboundMessage, delayMs?: number): Promise<void> {
    const delay = delayMs ?? (row.notBefore ? Math.max(0, row.notBefore.getTime() - this.now()) : 0);
    await addJob(this.deps.queues, isBotChannel(row.channel) ? BOT_OUTBOUND_JOB : OUTBOUND_JOB, { messageId: row.id } satisfies OutboundJobData, {
      // Bull: 1 is the highest priority; unprioritised jobs are FIFO behind prioritised ones.
      priority: row.urgent ? 1 : undefined,
      delayMs: delay,
    });
  }

  private async recordDuplicate(key: string, fields: ReturnType<typeof describe>): Promise<EnqueueResult> {
    const original = await this.repo.findOneBy({ idempotencyKey: key });
    if (!original) throw new Error(`outbound message "${key}" vanished during enqueue`);
    // The first enqueue may have stored its row and died before adding the job: make sure it exists.
    if (original.status === 'queued' || original.status === 'sending') await this.addJob(original);
    const duplicate = await this.repo.save(
      this.repo.create({
        idempotencyKey: `${key}#dup:${randomUUID()}`,
        channel: fields.channel,
        recipient: fields.recipient,
        kind: fields.kind,
        urgent: fields.urgent,
        payload: { duplicateOf: original.id },
        status: 'duplicate',
        errmsg: `duplicate of #${original.id} (${original.status}); not sent again`,
      }),
    );
    this.deps.metrics.outboundMessages.inc({ channel: fields.channel, status: 'duplicate' });
    this.deps.logger.info(
      { outboundId: original.id, duplicateId: duplicate.id, channel: fields.channel, recipient: fields.recipient },
      'outbound message enqueued twice; sent once',
    );
    return { id: original.id, outcome: 'duplicate', status: original.status };
  }
}

/** Caller bugs, refused before anything is stored: one recipient per message, or pacing would not hold. */
function validate(request: OutboundRequest): void {
  const oneRecipient = (value: string, what: string) => {
    if (!value || /[|,]/.test(value) || value === '@all') throw new Error(`${what} must be exactly one recipient (got "${value}")`);
  };
  switch (request.channel) {
    case 'user':
      oneRecipient(request.touser, 'touser');
      return;
    case 'card_update':
      oneRecipient(request.userid, 'userid');
      return;
    case 'appchat':
      oneRecipient(request.chatid, 'chatid');
      return;
    case 'welcome':
      if (!request.welcomeCode) throw new Error('welcomeCode is required');
      return;
    case 'bot':
    case 'bot_update':
      oneRecipient(request.chatid, 'chatid');
      return;
    case 'robot':
      if (!/^https?:\/\/[^/]+\/.*[?&]key=[^&]+/.test(request.webhookUrl)) throw new Error('webhookUrl must be a group robot URL with its key');
      return;
  }
}

/** The payload guard (fit-message.ts): the first body that fits WeCom's limits, and the parts that follow it. */
function fitted(described: ReturnType<typeof describe>): ReturnType<typeof describe> {
  const [first, ...rest] = fitMessage(described.channel, described.payload.body);
  return { ...described, payload: { ...described.payload, body: first!, ...(rest.length > 0 ? { rest, part: 1 } : {}) } };
}

function describe(request: OutboundRequest): { channel: OutboundChannel; recipient: string; kind: string; urgent: boolean; payload: OutboundPayload } {
  switch (request.channel) {
    case 'user':
      return {
        channel: 'user',
        recipient: request.touser,
        kind: request.message.msgtype,
        urgent: request.urgent ?? false,
        payload: { body: { ...request.message } },
      };
    case 'robot':
      return {
        channel: 'robot',
        recipient: request.label ?? `robot:${robotId(request.webhookUrl)}`,
        kind: request.message.msgtype,
        urgent: request.urgent ?? false,
        payload: { body: { ...request.message }, webhookUrl: request.webhookUrl },
      };
    // a group chat, by the app (appchat/send) or by the smart bot's connection: the same row
    case 'appchat':
    case 'bot':
      return {
        channel: request.channel,
        recipient: request.chatid,
        kind: request.message.msgtype,
        urgent: request.urgent ?? false,
        payload: { body: { ...request.message } },
      };
    case 'welcome':
      return {
        channel: 'welcome',
        recipient: request.externalUserid,
        kind: 'welcome',
        urgent: true,
        payload: {
          body: {
            welcome_code: request.welcomeCode,
            ...(request.text ? { text: request.text } : {}),
            ...(request.attachments ? { attachments: request.attachments } : {}),
          },
          expiresAt: request.expiresAt?.toISOString(),
        },
      };
    case 'card_update':
      return {
        channel: 'card_update',
        recipient: request.userid,
        kind: 'card_update',
        urgent: true,
        payload: { body: { response_code: request.responseCode, ...request.update } },
      };
    case 'bot_update':
      return {
        channel: 'bot_update',
        recipient: request.chatid,
        kind: 'card_update',
        urgent: true,
        payload: {
          body: { req_id: request.reqId, template_card: request.card },
          expiresAt: new Date(request.clickedAt.getTime() + BOT_UPDATE_WINDOW_MS).toISOString(),
          fallback: { chatid: request.chatid, body: { ...request.fallback } },
        },
      };
  }
}
