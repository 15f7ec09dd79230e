import type { OutboundMessage } from '../../../entities/outbound-message.entity';
import { defineJob, UNNAMED_JOB } from '../queue/job-definition';
import { JOB_OPTIONS } from '../queue/job-options';

/** What a row's `payload` holds: the WeCom request body, plus what the processor needs to send it. */
export interface OutboundPayload {
  body: Record<string, unknown>;
  webhookUrl?: string;
  /** ISO time after which sending is pointless (welcome codes) */
  expiresAt?: string;
  /**
   * A message too long for one WeCom message was split (fit-message.ts): the bodies that follow this
   * one, sent in order, each as its own row once this one is sent (`part` counts from 1).
   */
  rest?: Array<Record<string, unknown>>;
  part?: number;
  /** an `image` message: the picture is drawn at send time from `source` (see ImageSource), not stored */
  image?: StoredImage;
  /**
   * A smart-bot card update (`bot_update`): WeCom takes it within 5 s of the click only; after that
   * (or when WeCom refuses it) the card is posted again as a new message to this chat.
   */
  fallback?: { chatid: string; body: Record<string, unknown> };
}

/**
 * A picture to send, as what draws it (a chart spec): a row holds a few hundred bytes instead of the
 * PNG (a message body column holds 64 KB), and every attempt sends the same picture (drawing is
 * deterministic). For an app or app-chat message the temporary media it was uploaded as is kept
 * here, so a retry after the upload (the send's answer lost, a crash) sends the same media_id again
 * — which WeCom's duplicate check then drops — instead of uploading and sending a second picture.
 */
export interface StoredImage {
  source: Record<string, unknown>;
  /** the file name WeCom shows (`漏斗.png`) */
  filename: string;
  mediaId?: string;
  /** ISO time of the upload: WeCom keeps temporary media 3 days */
  uploadedAt?: string;
}

/** Draws a picture from its source (the composition root gives the chart renderer). */
export interface ImageSource {
  render(source: Record<string, unknown>): Promise<Buffer>;
}

export interface OutboundJobData {
  messageId: number;
}

export function outboundJobId(messageId: number): string {
  return `outbound-${messageId}`;
}

/** One job per log row (unnamed, as the queue has always had); a worker runs OUTBOUND_CONCURRENCY at once (worker.ts). */
export const OUTBOUND_JOB = defineJob<OutboundJobData>({
  queue: 'outbound',
  name: UNNAMED_JOB,
  concurrency: 8,
  options: JOB_OPTIONS.outbound,
  jobId: (d) => outboundJobId(d.messageId),
});

/**
 * The smart bot's messages: the same rows and delivery, on the queue only the connection's holder works.
 * One at a time: when the connection drops, every send still waiting for its answer has an unknown
 * outcome and is sent again; with one in flight only the send the drop cut off can be repeated, not
 * others WeCom had already delivered. The bot is paced at 20 a minute per chat, far below what one
 * send at a time over an open connection carries.
 */
export const BOT_OUTBOUND_JOB = defineJob<OutboundJobData>({
  queue: 'bot',
  name: UNNAMED_JOB,
  concurrency: 1,
  options: JOB_OPTIONS.outbound,
  jobId: (d) => outboundJobId(d.messageId),
});

/** Channels sent through the smart bot's long connection. */
export const BOT_CHANNELS = ['bot', 'bot_update'] as const;
export function isBotChannel(channel: string): boolean {
  return (BOT_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Sends one logged message now; throws RetryLater when it has to wait. `loaded`: the row as the
 * caller just wrote it. `claimed`: the caller wrote it already marked as this first attempt
 * (`sending`, attempts 1) while `loaded` holds the values from before, so nothing is written twice.
 */
export type OutboundDelivery = (messageId: number, loaded?: OutboundMessage, options?: { claimed?: boolean }) => Promise<string>;

/** What the delivery needs of the service: the next part of a split message, once a part is sent. */
export interface RestEnqueuer {
  enqueueRest(sent: Pick<OutboundMessage, 'idempotencyKey' | 'channel' | 'recipient' | 'kind' | 'payload'>): Promise<void>;
}
