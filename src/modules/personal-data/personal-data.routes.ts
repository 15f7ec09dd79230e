import Router from '@koa/router';
import type { PersonalDataService } from './personal-data.service';

/**
 * `GET /admin/customers/:ref/export`: the export of one customer (by external_userid or name) as
 * JSON, with its summary. Mounted under /admin, so ADMIN_TOKEN guards it (admin-auth.middleware).
 * 404 for an unknown or erased customer, 409 when a name matches several (the body lists them).
 */
export function personalDataRoutes(service: PersonalDataService): Router {
  const router = new Router({ prefix: '/admin/customers' });
  router.get('/:ref/export', async (ctx) => {
    const ref = ctx.params.ref!;
    const resolved = await service.resolve(ref);
    if (resolved.kind !== 'found') {
      ctx.status = resolved.kind === 'ambiguous' ? 409 : 404;
      ctx.body = { error: resolved.kind, message: resolved.message };
      return;
    }
    const { document, summary } = await service.export(resolved.customer, { actor: 'admin:http', via: 'GET /admin/customers/:ref/export' });
    ctx.set('Content-Disposition', `attachment; filename="customer-${resolved.customer.id}.json"`);
    ctx.body = { summary, export: document };
  });
  return router;
}
