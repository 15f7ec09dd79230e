import type { Server } from 'node:http';
import Koa from 'koa';
import type { Metrics } from '../metrics';
import { metricsRouter } from './health.route';

/**
 * `/metrics` alone on METRICS_PORT, for every role: the webhook's public port need not expose it,
 * and a worker (which has no other HTTP server) shows its job and outbound figures too.
 */
export function listenMetrics(metrics: Metrics, port: number, onListening?: () => void): Server {
  const app = new Koa();
  app.silent = true;
  const router = metricsRouter(metrics);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app.listen(port, onListening);
}
