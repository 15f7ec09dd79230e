import Koa from 'koa';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { callbackRouter, type CallbackRouteDeps } from './callback.route';
import { errorHandler } from './error.middleware';
import { healthRouter, type ReadinessCheck } from './health.route';
import { requestContext } from './request-context.middleware';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  callback: Omit<CallbackRouteDeps, 'metrics'>;
  readiness: ReadinessCheck[];
}

/** Builds the Koa app without listening: the server and tests use `app.callback()`. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(errorHandler());
  for (const router of [callbackRouter({ ...deps.callback, metrics: deps.metrics }), healthRouter(deps.readiness, deps.metrics)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
