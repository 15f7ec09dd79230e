import Koa from 'koa';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { callbackRouter, type CallbackRouteDeps } from './callback.route';
import type { Queue } from '../queue/queues';
import { type AdminRequest, adminAudit } from './admin-audit.middleware';
import { adminAuth } from './admin-auth.middleware';
import { errorHandler } from './error.middleware';
import { healthRouter, metricsRouter, type ReadinessCheck } from './health.route';
import { QUEUE_DASHBOARD_PATH, queueDashboard } from './queue-dashboard';
import { requestContext } from './request-context.middleware';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  callback: Omit<CallbackRouteDeps, 'metrics'>;
  readiness: ReadinessCheck[];
  /** configuration warnings shown by /readyz */
  warnings?: string[];
  /** `audit` records each admin request that passed the token (admin-audit.middleware) */
  admin: { token: string | undefined; queues: Queue[]; audit?: (request: AdminRequest) => Promise<void> };
  /** false when /metrics has a port of its own (METRICS_PORT): the public port does not expose it */
  serveMetrics?: boolean;
}

/** Builds the Koa app without listening: the server and tests use `app.callback()`. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(errorHandler());
  app.use(adminAuth(deps.admin.token));
  if (deps.admin.audit) app.use(adminAudit(deps.admin.audit, deps.logger, QUEUE_DASHBOARD_PATH));
  if (deps.admin.token) app.use(queueDashboard(deps.admin.queues));
  const routers = [callbackRouter({ ...deps.callback, metrics: deps.metrics }), healthRouter(deps.readiness, deps.warnings)];
  if (deps.serveMetrics !== false) routers.push(metricsRouter(deps.metrics));
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
