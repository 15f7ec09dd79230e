import type Koa from 'koa';
import type { Container } from './container';
import { createApp } from './http/app';

/** The web role's Koa app, wired from the container (main.ts listens on it; tests call `.callback()`). */
export function createWebApp(container: Container): Koa {
  const { wecom, config } = container;
  return createApp({
    logger: container.logger,
    metrics: container.metrics,
    readiness: container.readiness,
    admin: { token: config.adminToken, queues: container.queues.all() },
    callback: {
      keys: { token: wecom.token, encodingAesKey: wecom.encodingAesKey, corpId: wecom.corpId },
      recorder: container.recorder,
      bodyLimit: config.webhookBodyLimit,
    },
  });
}
