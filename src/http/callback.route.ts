import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { EventRecorder } from '../events/event-recorder';
import type { Metrics } from '../metrics';
import { CallbackCryptoError, type CallbackKeys, openCallback, type SignedQuery } from '../wecom/callback-crypto';
import { CallbackXmlError, parseCallbackFields, parseEnvelope } from '../wecom/callback-xml';
import { describeInboundEvent } from '../wecom/inbound-event';
import { HttpError } from './http-error';

export interface CallbackRouteDeps {
  keys: CallbackKeys;
  recorder: EventRecorder;
  metrics: Metrics;
  bodyLimit: number;
}

/**
 * The largest decrypted payload we store. Real WeCom callbacks are a few hundred bytes; the column
 * is TEXT (64 KB on MySQL), and an oversized one is refused rather than truncated.
 */
const MAX_PLAINTEXT_BYTES = 60 * 1024;

/**
 * `GET/POST /wecom/callback` (PROTOCOL.md §1). The request does only: verify → decrypt → store →
 * enqueue → `200 ''`. No WeCom API call and no business logic happen here.
 */
export function callbackRouter(deps: CallbackRouteDeps): Router {
  const router = new Router();

  const reject = (reason: string, status: number, message: string): never => {
    deps.metrics.callbackRejected.inc({ reason });
    throw new HttpError(status, reason, message);
  };

  const open = (query: SignedQuery, ciphertext: string): string => {
    try {
      return openCallback(deps.keys, query, ciphertext);
    } catch (error) {
      if (!(error instanceof CallbackCryptoError)) throw error;
      if (error.reason === 'bad_signature') return reject('bad_signature', 401, 'signature verification failed');
      return reject(error.reason, 400, error.message);
    }
  };

  router.get('/wecom/callback', (ctx) => {
    const query = signedQuery(ctx, reject);
    // Koa already percent-decoded the query; a literal '+' arrives as a space (PROTOCOL.md §1.2).
    const echostr = requiredParam(ctx, 'echostr', reject).replace(/ /g, '+');
    ctx.type = 'text/plain';
    ctx.body = open(query, echostr);
  });

  router.post('/wecom/callback', async (ctx) => {
    const query = signedQuery(ctx, reject);
    const body = await readBody(ctx, deps.bodyLimit, reject);
    let envelope;
    try {
      envelope = parseEnvelope(body);
    } catch (error) {
      if (error instanceof CallbackXmlError) return reject('malformed_body', 400, error.message);
      throw error;
    }
    const plaintext = open(query, envelope.encrypt);
    if (Buffer.byteLength(plaintext) > MAX_PLAINTEXT_BYTES) reject('payload_too_large', 413, 'decrypted payload too large');
    let fields;
    try {
      fields = parseCallbackFields(plaintext);
    } catch (error) {
      if (error instanceof CallbackXmlError) return reject('malformed_payload', 400, error.message);
      throw error;
    }
    const descriptor = describeInboundEvent(fields);
    let result;
    try {
      result = await deps.recorder.record(descriptor, fields);
    } catch (error) {
      // Database or Redis unavailable: never 200 for an event we could not store and enqueue.
      ctx.state.log.error({ err: error, kind: descriptor.kind }, 'callback not stored');
      throw new HttpError(503, 'unavailable', 'temporarily unable to store the callback; retry later');
    }
    deps.metrics.eventsReceived.inc({ kind: descriptor.kind, duplicate: String(result.duplicate) });
    ctx.state.log.info({ eventId: result.eventId, kind: descriptor.kind, duplicate: result.duplicate }, 'callback stored');
    ctx.status = 200;
    ctx.body = '';
  });

  return router;
}

type Reject = (reason: string, status: number, message: string) => never;

function requiredParam(ctx: Context, name: string, reject: Reject): string {
  const value = ctx.query[name];
  if (typeof value !== 'string' || value === '') return reject('missing_parameter', 400, `missing query parameter ${name}`);
  return value;
}

function signedQuery(ctx: Context, reject: Reject): SignedQuery {
  return {
    msgSignature: requiredParam(ctx, 'msg_signature', reject),
    timestamp: requiredParam(ctx, 'timestamp', reject),
    nonce: requiredParam(ctx, 'nonce', reject),
  };
}

async function readBody(ctx: Context, limit: number, reject: Reject): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      // Do not keep reading what the client still sends: answer and close the connection.
      ctx.set('Connection', 'close');
      return reject('body_too_large', 413, `body larger than ${limit} bytes`);
    }
    return reject('unreadable_body', 400, 'request body could not be read');
  }
}
