import type { Middleware } from 'koa';
import { HttpError } from './http-error';

/** Maps HttpError to its status; anything else is logged once and answered 500 without details. */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { error: error.code, message: error.message, requestId: ctx.state.requestId };
        ctx.state.log.warn({ status: error.status, code: error.code, reason: error.message }, 'request rejected');
        return;
      }
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'internal error', requestId: ctx.state.requestId };
      ctx.state.log.error({ err: error }, 'request failed');
    }
  };
}
