import type { Middleware } from 'koa';
import type { Logger } from '../logger';

/** One admin request as the audit trail records it: the route's pattern, never the ids or names in its path. */
export interface AdminRequest {
  method: string;
  /** the router's pattern (`/admin/customers/:ref/export`) when a route matched, else the path without its query */
  route: string;
  status: number;
}

/**
 * Writes an audit entry for each admin request that got past the token (admin-auth.middleware runs
 * first): which route, how it ended. Reading the queue dashboard (Bull Board polls every few seconds)
 * is left out; what it changes (retry, clean, promote) is not. The pattern stands for the path, so a
 * customer's name typed into a URL is not copied into the trail. A failed write is logged and the
 * answer still goes: the route's own work (an export) writes its own entry in its transaction.
 */
export function adminAudit(record: (request: AdminRequest) => Promise<void>, logger: Logger, dashboardPath: string): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/admin')) return next();
    const reading = ctx.method === 'GET' || ctx.method === 'HEAD';
    try {
      await next();
    } finally {
      if (!(reading && ctx.path.startsWith(dashboardPath))) {
        const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
        const route = typeof matched === 'string' ? matched : ctx.path;
        await record({ method: ctx.method, route, status: ctx.status }).catch((error) => logger.error({ err: error, route }, 'admin request not audited'));
      }
    }
  };
}
