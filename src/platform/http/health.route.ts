import Router from '@koa/router';
import type { Metrics } from '../metrics';

export interface ReadinessCheck {
  name: string;
  /** resolves when the dependency answers (with what to show instead of `ok`, if anything) */
  check(): Promise<void | string>;
  /** shown, never makes the process unready (the smart bot: the webhook works without it) */
  informational?: boolean;
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
          const shown = await c.check();
          return [c.name, shown || 'ok', c.informational === true] as const;
        } catch (error) {
          return [c.name, `unavailable: ${(error as Error).message}`, c.informational === true] as const;
        }
      }),
    );
    const ready = results.every(([, state, informational]) => informational || state === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'not_ready',
      checks: Object.fromEntries(results.map(([name, state]) => [name, state])),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
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
