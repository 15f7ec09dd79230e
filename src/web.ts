import type Koa from 'koa';
import type { Container } from './container';
import { configWarnings } from './config-warnings';
import { audit } from './platform/db/audit';
import { createApp } from './platform/http/app';
import { mountSandbox } from './modules/sandbox';
import { personalDataRoutes } from './modules/personal-data';
import { createPersonalDataService } from './personal-data-service';

/** The web role's Koa app, wired from the container (main.ts listens on it; tests call `.callback()`). */
export function createWebApp(container: Container): Koa {
  const { wecom, config } = container;
  const app = createApp({
    logger: container.logger,
    metrics: container.metrics,
    readiness: container.readiness,
    warnings: configWarnings(config).map((w) => w.message),
    admin: {
      token: config.adminToken,
      queues: container.queues.all(),
      // which admin route was used, and how it ended: the token is shared, so the actor is the route's caller
      audit: async ({ method, route, status }) =>
        void (await audit(container.dataSource.manager, {
          actor: 'admin:http',
          action: 'admin.request',
          targetType: 'route',
          targetId: `${method} ${route}`.slice(0, 64),
          detail: { status },
        })),
    },
    callback: {
      keys: { token: wecom.token, encodingAesKey: wecom.encodingAesKey, corpId: wecom.corpId },
      intake: container.intake,
      bodyLimit: config.webhookBodyLimit,
      timestampWindowSeconds: config.webhookTimestampWindowSeconds,
    },
    serveMetrics: config.metricsPort === undefined,
  });
  // Admin routes: ADMIN_TOKEN guards every /admin path (createApp's adminAuth runs first).
  const personalData = personalDataRoutes(createPersonalDataService(container));
  app.use(personalData.routes());
  app.use(personalData.allowedMethods());
  // No WeCom account configured: this app also plays WeCom (fake API, simulator, /sandbox page).
  if (config.sandbox) mountSandbox(app, container);
  return app;
}
