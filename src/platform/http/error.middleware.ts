import type { Middleware } from 'koa';
import { OncePerInterval } from '../once-per-interval';
import { HttpError } from './http-error';

/** A flood of one kind of bad request is one warn line a minute (with how many were held back), never a stack. */
const REJECTION_LOG_INTERVAL_MS = 60_000;

/** Maps HttpError to its status; anything else is logged and answered 500 without details. */
export function errorHandler(): Middleware {
  const rejections = new OncePerInterval(REJECTION_LOG_INTERVAL_MS);
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { error: error.code, message: error.message, requestId: ctx.state.requestId };
        const { log, suppressed } = rejections.check(`${error.status}:${error.code}`);
        if (log) ctx.state.log.warn({ status: error.status, code: error.code, reason: error.message, suppressedSinceLast: suppressed }, 'request rejected');
        return;
      }
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'internal error', requestId: ctx.state.requestId };
      ctx.state.log.error({ err: error }, 'request failed');
    }
  };
}
