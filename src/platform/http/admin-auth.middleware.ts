import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

/**
 * Guards `/admin/*` with ADMIN_TOKEN: `Authorization: Bearer <token>` for scripts, or HTTP Basic
 * with the token as the password so a browser can open the queue dashboard. Without ADMIN_TOKEN the
 * admin routes do not exist (404), so a forgotten setting never exposes them.
 */
export function adminAuth(adminToken: string | undefined): Middleware {
  const expected = adminToken ? Buffer.from(adminToken) : undefined;
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/admin')) return next();
    if (!expected) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', message: 'admin endpoints are disabled: set ADMIN_TOKEN to enable them' };
      return;
    }
    const given = presentedToken(ctx.get('authorization'));
    if (given && given.length === expected.length && timingSafeEqual(given, expected)) return next();
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Basic realm="wecom-crm admin", charset="UTF-8"');
    ctx.body = { error: 'unauthorized', message: 'admin token required' };
  };
}

function presentedToken(header: string): Buffer | undefined {
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return Buffer.from(value);
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  }
  return undefined;
}
