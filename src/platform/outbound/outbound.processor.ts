import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OutboundMessage } from '../../../entities/outbound-message.entity';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Job } from '../queue/queues';
import { backoffDelay, type CallOptions, type WecomApiClient } from '../wecom/api/wecom-api.client';
import { WecomApiError } from '../wecom/api/wecom-api.error';
import type * as T from '../wecom/api/wecom-api.types';
import { pacingRules, ticketFor } from './outbound-pacing';
import { MEDIA_VALIDITY_MS, md5Hex, ROBOT_IMAGE_MAX_BYTES } from '../wecom/limits/media-limits';
import type { ImageSource, OutboundDelivery, OutboundJobData, OutboundPayload, RestEnqueuer } from './outbound.types';
import { heldByQuietHours, quietHoursEnd } from './quiet-hours';
import type { RedisRateLimiter } from './rate-limiter';
import type { BotSender } from '../wecom/bot/bot-sender';

/** A picture that cannot be drawn (no renderer, a bad source, too big): no retry changes that. */
class ImageNotDrawn extends Error {
  override readonly name = 'ImageNotDrawn';
}

/** Thrown to put the job back in the delayed set for `retryAfterMs` (queues.ts `retryAfter` backoff). */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(
    readonly retryAfterMs: number,
    readonly reason: 'pacing' | 'quiet_hours' | 'retry',
  ) {
    super(`outbound message waits ${retryAfterMs} ms (${reason})`);
    this.stack = this.message; // Bull stores the stack on the job: keep it small
  }
}

export interface OutboundProcessorDeps {
  dataSource: DataSource;
  wecomApi: WecomApiClient;
  rateLimiter: RedisRateLimiter;
  logger: Logger;
  metrics: Metrics;
  config: Pick<Config, 'quietHours' | 'timezone' | 'outbound'>;
  /** queues the next part of a split message once a part is sent */
  outbound: RestEnqueuer;
  /** draws the pictures of image messages (absent: charts are off, and an image message fails with the reason) */
  images?: ImageSource;
  /** the smart bot's connection, when the bot is configured (its channels fail for good without it) */
  bot?: BotSender;
  now?: () => number;
}

/** A welcome retry waits 1 s at most: the code is only valid for 20 s. */
const WELCOME_RETRY = { baseDelayMs: 500, maxDelayMs: 1000 };
/** Used when the caller gave no expiry: WeCom's window from the add event. */
const WELCOME_VALIDITY_MS = 20_000;
/** After a call whose outcome is unknown, message/send asks WeCom to drop an identical message within 30 min. */
const DUPLICATE_CHECK = { enable_duplicate_check: 1 as const, duplicate_check_interval: 1800 };

type Outcome = { msgid: string | null; note: string | null };

/** send_welcome_msg: the code was used already (or the customer is already chatting). */
const WELCOME_CODE_USED = 41051;

/**
 * An earlier attempt reached out to WeCom without us learning the answer: the process died
 * mid-call (the row still says `sending`), or the call timed out or got no errcode (network, 5xx).
 * An attempt WeCom answered with an errcode is known not to have delivered.
 */
function mayHaveBeenDelivered(row: OutboundMessage): boolean {
  return row.status === 'sending' || (row.attempts > 0 && row.errcode === null);
}

/** The Bull processor of the outbound queue: one delivery attempt per job run. */
export function createOutboundProcessor(deps: OutboundProcessorDeps) {
  const deliver = createOutboundDelivery(deps);
  return (job: Job<OutboundJobData>): Promise<string> => deliver(job.data.messageId);
}

export type { OutboundDelivery };

/**
 * Sends one logged message, safely more than once: a row already sent, failed or dropped is left
 * alone; quiet hours and pacing put the job back in the delayed set (the row stays queued, with
 * `notBefore`); the attempt is recorded before the call and the result before the job is acked.
 */
export function createOutboundDelivery(deps: OutboundProcessorDeps): OutboundDelivery {
  const repo = deps.dataSource.getRepository(OutboundMessage);
  const now = deps.now ?? Date.now;
  const settings = deps.config.outbound;

  const defer = async (
    row: OutboundMessage,
    waitMs: number,
    reason: RetryLater['reason'],
    also: Partial<Pick<OutboundMessage, 'status' | 'attempts' | 'errcode' | 'errmsg'>> = {},
  ): Promise<never> => {
    await repo.update({ id: row.id }, { ...also, notBefore: new Date(now() + waitMs), heldFor: reason });
    deps.metrics.outboundDeferred.inc({ channel: row.channel, reason });
    throw new RetryLater(waitMs, reason);
  };

  const fail = async (row: OutboundMessage, errcode: number | null, errmsg: string): Promise<string> => {
    await repo.update({ id: row.id }, { status: 'failed', errcode, errmsg: errmsg.slice(0, 512), notBefore: null, heldFor: null });
    deps.metrics.outboundMessages.inc({ channel: row.channel, status: 'failed' });
    deps.logger.warn({ outboundId: row.id, channel: row.channel, recipient: row.recipient, kind: row.kind, errcode, errmsg }, 'outbound message failed');
    return 'failed';
  };

  /** The truth about a welcome that may or may not have arrived: neither sent nor failed. */
  const settleUnknown = async (row: OutboundMessage, errcode: number | null, errmsg: string): Promise<string> => {
    await repo.update({ id: row.id }, { status: 'unknown', errcode, errmsg: errmsg.slice(0, 512), notBefore: null });
    deps.metrics.outboundMessages.inc({ channel: row.channel, status: 'unknown' });
    deps.logger.warn({ outboundId: row.id, channel: row.channel, kind: row.kind, errcode }, 'outbound message may have been delivered; recorded as unknown');
    return 'unknown';
  };

  /**
   * The body of an image message, completed: for a robot the picture itself (base64 + md5); for a
   * member or app chat its media_id — the one kept from an earlier attempt while WeCom still has it,
   * else a new upload, kept on the row before anything is sent.
   */
  const withPicture = async (row: OutboundMessage, payload: OutboundPayload): Promise<OutboundPayload> => {
    const image = payload.image!;
    const uploadedAt = image.uploadedAt ? Date.parse(image.uploadedAt) : Number.NaN;
    // an hour's margin: a retry late on the third day would send an id WeCom is about to drop
    if (row.channel !== 'robot' && image.mediaId && now() - uploadedAt < MEDIA_VALIDITY_MS - 3600_000)
      return { ...payload, body: { msgtype: 'image', image: { media_id: image.mediaId } } };
    if (!deps.images) throw new ImageNotDrawn('no image renderer in this process (charts are off: the chart font is missing or CRM_CHARTS=off)');
    let png: Buffer;
    try {
      png = await deps.images.render(image.source);
    } catch (error) {
      throw new ImageNotDrawn(`the picture could not be drawn: ${String((error as Error)?.message ?? error).slice(0, 200)}`);
    }
    if (row.channel === 'robot') {
      if (png.length > ROBOT_IMAGE_MAX_BYTES)
        throw new ImageNotDrawn(`the picture is ${png.length} bytes; a group robot takes at most ${ROBOT_IMAGE_MAX_BYTES}`);
      return { ...payload, body: { msgtype: 'image', image: { base64: png.toString('base64'), md5: md5Hex(png) } } };
    }
    const uploaded = await deps.wecomApi.uploadMedia('image', { filename: image.filename, contentType: 'image/png', bytes: png }, { attempts: 1 });
    if (!uploaded.media_id) throw new WecomApiError('media/upload', null, 'answer without media_id', false);
    const kept: OutboundPayload = { ...payload, image: { ...image, mediaId: uploaded.media_id, uploadedAt: new Date(now()).toISOString() } };
    await repo.update({ id: row.id }, { payload: kept as never });
    return { ...kept, body: { msgtype: 'image', image: { media_id: uploaded.media_id } } };
  };

  return async (messageId: number, loaded?: OutboundMessage, options: { claimed?: boolean } = {}): Promise<string> => {
    const row = loaded ?? (await repo.findOneBy({ id: messageId }));
    if (!row) {
      deps.logger.warn({ outboundId: messageId }, 'outbound job for a missing row');
      return 'missing';
    }
    if (row.status !== 'queued' && row.status !== 'sending') return row.status;
    const payload = row.payload as unknown as OutboundPayload;

    if (row.channel === 'welcome') {
      const expiresAt = payload.expiresAt ? Date.parse(payload.expiresAt) : row.createdAt.getTime() + WELCOME_VALIDITY_MS;
      if (now() > expiresAt) {
        if (mayHaveBeenDelivered(row))
          return settleUnknown(
            row,
            null,
            'an earlier attempt may have delivered it (its answer was never received); the code has expired since, so it is not sent again',
          );
        const lastAnswer =
          row.errcode !== null && row.errcode !== undefined ? `; WeCom's last answer: errcode ${row.errcode} ${row.errmsg ?? ''}`.trimEnd() : '';
        return fail(row, row.errcode ?? null, `welcome code expired (valid 20 s from the add event) before it could be sent${lastAnswer}`);
      }
    }

    // The setting in force now decides, not the one when the message was queued.
    if (heldByQuietHours(row)) {
      const until = quietHoursEnd(new Date(now()), deps.config.quietHours, deps.config.timezone);
      if (until) return defer(row, until.getTime() - now(), 'quiet_hours', options.claimed ? { status: row.status, attempts: row.attempts } : {});
    }

    // An earlier attempt may have reached WeCom without us learning it (a crash mid-call, a timeout,
    // a 5xx): on every retry, ask WeCom to drop an identical message where the API allows it.
    const outcomeUnknown = row.status === 'sending' || row.attempts > 0;
    const attempts = row.attempts + 1;
    // Recorded before the slot is taken, so that nothing slow sits between the slot and the call:
    // the limiter counts at admission and WeCom at arrival.
    if (!options.claimed) await repo.update({ id: row.id }, { status: 'sending', attempts, notBefore: null, heldFor: null });

    // Whatever WeCom answered (to the upload or the send), handled one way: retry later, or fail with its reason.
    const refused = async (error: unknown): Promise<string> => {
      if (!(error instanceof WecomApiError)) {
        // Not WeCom's answer (a bug, Redis down): leave the row to the retry, which dedupes.
        await repo.update({ id: row.id }, { status: 'queued', errmsg: `internal: ${String((error as Error)?.message ?? error)}`.slice(0, 512) });
        throw error;
      }
      // No token is a problem of the whole app (WeCom busy, secret being fixed), not of this message.
      const retryable = error.retryable || error.api === 'gettoken';
      // A welcome is worth trying for as long as its code lives (the check above ends it with WeCom's
      // last answer); counting attempts gave up after ~5 s of a WeCom outage with 10 s of code left.
      const triesLeft = row.channel === 'welcome' || attempts < settings.maxAttempts;
      if (retryable && triesLeft) {
        const delay =
          row.channel === 'welcome'
            ? backoffDelay(attempts, WELCOME_RETRY)
            : backoffDelay(attempts, { baseDelayMs: settings.retryBaseMs, maxDelayMs: 15 * 60_000 });
        deps.logger.info(
          { outboundId: row.id, channel: row.channel, errcode: error.errcode, errmsg: error.errmsg, attempts, delayMs: delay },
          'outbound message will be retried',
        );
        return defer(row, delay, 'retry', { status: 'queued', errcode: error.errcode, errmsg: error.errmsg.slice(0, 512) });
      }
      // 41051: the code was used. After an attempt whose answer was lost, most likely by that attempt.
      if (row.channel === 'welcome' && error.errcode === WELCOME_CODE_USED && mayHaveBeenDelivered(row)) {
        return settleUnknown(row, error.errcode, `${error.errmsg} — after an earlier attempt whose answer was never received: probably delivered by it`);
      }
      return fail(row, error.errcode, error.errmsg);
    };

    // A picture is drawn (and for a member or app chat uploaded) before the message's slot is taken:
    // nothing slow between the slot and the call.
    let ready: OutboundPayload;
    try {
      ready = payload.image ? await withPicture(row, payload) : payload;
    } catch (error) {
      if (error instanceof ImageNotDrawn) return fail(row, null, error.message);
      return refused(error);
    }

    const rules = pacingRules({ channel: row.channel, recipient: row.recipient, webhookUrl: payload.webhookUrl }, settings);
    const admissionId = randomUUID();
    const admitted = await deps.rateLimiter.acquire(rules, ticketFor(row), { admissionId });
    if (!admitted.granted) return defer(row, admitted.waitMs, 'pacing', { status: row.status, attempts: row.attempts });

    let outcome: Outcome;
    try {
      outcome = await send({ client: deps.wecomApi, bot: deps.bot, now }, row, ready, outcomeUnknown).finally(() =>
        // counted until its answer came back, not from its admission: WeCom counted it somewhere in between
        deps.rateLimiter.settle(rules, ticketFor(row), admissionId).catch((error) => deps.logger.warn({ err: error }, 'pacing: admission not re-dated')),
      );
    } catch (error) {
      return refused(error);
    }

    if (outcome.note) return fail(row, 0, outcome.note);
    // The next part is queued before this one is marked sent: a crash between the two repeats this
    // part (WeCom is asked to drop the duplicate) rather than losing the rest of the message.
    if (payload.rest?.length) await deps.outbound.enqueueRest(row);
    await repo.update(
      { id: row.id },
      { status: 'sent', errcode: 0, errmsg: null, wecomMsgid: outcome.msgid, sentAt: new Date(now()), notBefore: null, heldFor: null },
    );
    deps.metrics.outboundMessages.inc({ channel: row.channel, status: 'sent' });
    deps.logger.debug({ outboundId: row.id, channel: row.channel, recipient: row.recipient, kind: row.kind, attempts }, 'outbound message sent');
    return 'sent';
  };
}

/** One call to WeCom for the row's channel. The pacing slot is taken: the client must not take another, nor retry. */
async function send(
  senders: { client: WecomApiClient; bot: BotSender | undefined; now: () => number },
  row: OutboundMessage,
  payload: OutboundPayload,
  outcomeUnknown: boolean,
): Promise<Outcome> {
  const { client } = senders;
  const once: CallOptions = { attempts: 1, paced: true };
  const body = payload.body;
  switch (row.channel) {
    case 'user': {
      const response = await client.sendMessage({ touser: row.recipient }, body as unknown as T.AppMessage, outcomeUnknown ? DUPLICATE_CHECK : {}, once);
      return { msgid: response.msgid ?? null, note: undeliveredNote(row.recipient, response) };
    }
    case 'welcome':
      await client.sendWelcomeMsg(body as unknown as T.SendWelcomeMsgRequest, once);
      return { msgid: null, note: null };
    case 'card_update': {
      const response = await client.updateTemplateCard({ ...(body as unknown as T.UpdateTemplateCardRequest), userids: [row.recipient] }, once);
      const invalid = response.invaliduser ?? [];
      return { msgid: null, note: invalid.length > 0 ? `WeCom accepted the call but reported invaliduser=${invalid.join('|')}` : null };
    }
    case 'appchat':
      await client.appChatSend(row.recipient, body as unknown as T.AppChatMessage, 0, once);
      return { msgid: null, note: null };
    case 'robot':
      if (!payload.webhookUrl) throw new WecomApiError('webhook/send', null, 'robot message without a webhook URL', false);
      await client.robotSend(payload.webhookUrl, body as unknown as T.RobotMessage, once);
      return { msgid: null, note: null };
    case 'bot':
      await botOf(senders.bot, 'aibot_send_msg').send(row.recipient, body);
      return { msgid: null, note: null };
    case 'bot_update':
      return updateBotCard(botOf(senders.bot, 'aibot_respond_update_msg'), payload, senders.now());
  }
}

function botOf(bot: BotSender | undefined, api: string): BotSender {
  if (!bot) throw new WecomApiError(api, null, 'no smart bot is configured (WECOM_BOT_ID / WECOM_BOT_SECRET)', false);
  return bot;
}

/**
 * A card updated in place for everyone in the chat, within WeCom's 5 s of the click; later, or
 * when WeCom refuses the update (its errcode), the card is posted again as a new message. An
 * update whose answer never came is retried (and by then is usually posted anew).
 */
async function updateBotCard(bot: BotSender, payload: OutboundPayload, now: number): Promise<Outcome> {
  const body = payload.body as { req_id: string; template_card: Record<string, unknown> };
  const fallback = payload.fallback;
  const expired = payload.expiresAt !== undefined && now > Date.parse(payload.expiresAt);
  if (!expired) {
    try {
      await bot.updateCard(body.req_id, body.template_card);
      return { msgid: null, note: null };
    } catch (error) {
      if (!(error instanceof WecomApiError) || error.errcode === null || !fallback) throw error;
    }
  }
  if (!fallback) return { msgid: null, note: 'too late to update the card in place, and no message to post instead' };
  await bot.send(fallback.chatid, fallback.body);
  return { msgid: null, note: null };
}

/** errcode 0 does not mean delivered: WeCom lists recipients it skipped (PROTOCOL.md §5.6). */
function undeliveredNote(touser: string, response: T.MessageSendResponse): string | null {
  const member = touser.toLowerCase();
  const listed = (field: string | undefined) =>
    (field ?? '')
      .split('|')
      .map((s) => s.trim().toLowerCase())
      .includes(member);
  if (listed(response.invaliduser)) return `WeCom accepted the call but reported invaliduser=${response.invaliduser}`;
  if (listed(response.unlicenseduser)) return `WeCom accepted the call but reported unlicenseduser=${response.unlicenseduser} (member has no license)`;
  return null;
}
