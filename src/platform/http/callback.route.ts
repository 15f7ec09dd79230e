import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { type CallbackIntake, IntakeUnavailable, RowRefused } from '../events/callback-intake';
import type { Metrics } from '../metrics';
import { CallbackCryptoError, type CallbackKeys, openCallback, type SignedQuery } from '../wecom/callback/callback-crypto';
import { extractEncrypt } from '../wecom/callback/callback-envelope';
import { CallbackXmlError } from '../wecom/callback/callback-xml';
import { CallbackRejected, openVerifiedCallback, type SealedCallback } from '../wecom/callback/verified-callback';
import { HttpError } from './http-error';

export interface CallbackRouteDeps {
  keys: CallbackKeys;
  intake: CallbackIntake;
  metrics: Metrics;
  bodyLimit: number;
  /** a request signed further than this from now is refused as a replay; 0 = not checked */
  timestampWindowSeconds: number;
  now?: () => number;
}

/**
 * `GET/POST /wecom/callback` (PROTOCOL.md §1). The request does only: verify → decrypt → store (or
 * spool) → enqueue → `200 ''`. No WeCom API call and no business logic happen here. The cheap checks
 * come first, so hostile input costs little: the query (present, timestamp in the window) before the
 * body is read, the body's size before it is read whole, the signature before anything is parsed.
 */
export function callbackRouter(deps: CallbackRouteDeps): Router {
  const router = new Router();
  const now = deps.now ?? Date.now;

  const reject = (reason: string, status: number, message: string): never => {
    deps.metrics.callbackRejected.inc({ reason });
    throw new HttpError(status, reason, message);
  };

  const signedQuery = (ctx: Context): SignedQuery => {
    const query = {
      msgSignature: requiredParam(ctx, 'msg_signature', reject),
      timestamp: requiredParam(ctx, 'timestamp', reject),
      nonce: requiredParam(ctx, 'nonce', reject),
    };
    checkTimestamp(query.timestamp, deps.timestampWindowSeconds, now(), reject);
    return query;
  };

  router.get('/wecom/callback', (ctx) => {
    // Koa already percent-decoded the query; a literal '+' arrives as a space (PROTOCOL.md §1.2).
    const echostr = requiredParam(ctx, 'echostr', reject).replace(/ /g, '+');
    const query = signedQuery(ctx);
    try {
      ctx.type = 'text/plain';
      ctx.body = openCallback(deps.keys, query, echostr);
    } catch (error) {
      if (!(error instanceof CallbackCryptoError)) throw error;
      reject(error.reason, error.reason === 'bad_signature' ? 401 : 400, error.message);
    }
  });

  router.post('/wecom/callback', async (ctx) => {
    const receivedAt = new Date(now());
    const query = signedQuery(ctx);
    const body = await readBody(ctx, deps.bodyLimit, reject);
    let sealed: SealedCallback;
    try {
      sealed = { ...query, encrypt: extractEncrypt(body) };
    } catch (error) {
      if (error instanceof CallbackXmlError) return reject('malformed_body', 400, error.message);
      throw error;
    }
    let opened;
    try {
      opened = openVerifiedCallback(deps.keys, sealed);
    } catch (error) {
      if (error instanceof CallbackRejected) return reject(error.reason, error.status, error.message);
      throw error;
    }
    const { descriptor } = opened;
    let result;
    try {
      result = await deps.intake.accept({ ...opened, sealed, receivedAt });
    } catch (error) {
      if (error instanceof RowRefused) return reject('payload_not_storable', 413, 'the payload cannot be stored');
      // Neither the database nor the spool can take it: never 200 for an event we could not keep.
      if (error instanceof IntakeUnavailable) throw new HttpError(503, 'unavailable', 'temporarily unable to store the callback; retry later');
      throw error;
    }
    if (result.outcome === 'spooled') {
      ctx.state.log.debug({ kind: descriptor.kind }, 'callback spooled');
    } else {
      deps.metrics.eventsReceived.inc({ kind: descriptor.kind, duplicate: String(result.duplicate) });
      ctx.state.log.info({ eventId: result.eventId, kind: descriptor.kind, duplicate: result.duplicate, enqueued: result.enqueued }, 'callback stored');
    }
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

/**
 * WeCom signs each delivery with the time it sends it. A request signed long ago is a replay: the
 * dedupe key keeps a replayed event from being stored twice, and the window bounds how long a
 * captured request can be used at all. It costs nothing: no body has been read yet.
 */
function checkTimestamp(timestamp: string, windowSeconds: number, nowMs: number, reject: Reject): void {
  if (!/^\d{1,12}$/.test(timestamp)) reject('bad_timestamp', 400, 'timestamp is not unix seconds');
  if (windowSeconds > 0 && Math.abs(nowMs / 1000 - Number(timestamp)) > windowSeconds) {
    reject('stale_timestamp', 401, `timestamp is more than ${windowSeconds} s away from now`);
  }
}

async function readBody(ctx: Context, limit: number, reject: Reject): Promise<string> {
  try {
    // With a Content-Length above the limit raw-body refuses before reading a byte; a chunked body is
    // read only up to the limit.
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
