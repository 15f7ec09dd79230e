import Router from '@koa/router';
import type { Metrics } from '../metrics';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * `/healthz`: the process answers. `/readyz`: its dependencies answer too (and `warnings` lists
 * settings that leave something unattended, without making the process unready).
 */
export function healthRouter(checks: ReadinessCheck[], warnings: string[] = []): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await c.check();
          return [c.name, 'ok'] as const;
        } catch (error) {
          return [c.name, `unavailable: ${(error as Error).message}`] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results), ...(warnings.length > 0 ? { warnings } : {}) };
  });
  return router;
}

/** `/metrics`: Prometheus, on the webhook's port or on METRICS_PORT (see metrics-server.ts). */
export function metricsRouter(metrics: Metrics): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
