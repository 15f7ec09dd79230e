import type Koa from 'koa';
import request from 'supertest';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { createTestContainer, deleteRedisPrefix, type TestDatabaseOptions } from './test-env';
import { signedCallback } from './wecom-callbacks';

/** The product end to end in one test process: the webhook, the real queues and worker, MariaDB. */
export interface WebhookHarness {
  container: Container;
  app: Koa;
  worker: WorkerHandle;
  /** posts plaintext callback XML as WeCom would (encrypted, signed) and expects 200 */
  post(xml: string): Promise<void>;
  /** the process stops; Redis keeps what it holds (for a restart, or another database on the same Redis) */
  stop(): Promise<void>;
  /** stops, and removes the queues' keys from Redis */
  close(): Promise<void>;
}

export interface HarnessOptions extends TestDatabaseOptions {
  /** the handlers' clock only (the bot's), when it must differ from `now` (a clock that fails) */
  handlersNow?: () => Date;
}

/**
 * Quiet hours off and fast inbound retries unless `overrides` say otherwise; `now` is the clock of
 * the handlers, the queues' schedulers and the outbound queue (Bull itself waits on the real clock).
 */
export async function startWebhookHarness(
  label: string,
  overrides: Record<string, string> = {},
  now?: () => Date,
  options: HarnessOptions = {},
): Promise<WebhookHarness> {
  const { handlersNow, ...database } = options;
  const container = await createTestContainer(
    label,
    { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50', ...overrides },
    { ...database, now: now ? () => now().getTime() : undefined },
  );
  const app = createWebApp(container);
  const worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, handlersNow ?? now) });
  const stop = async () => {
    worker.stop();
    await container.close();
  };
  return {
    container,
    app,
    worker,
    async post(xml) {
      const req = signedCallback(container.wecom, xml);
      expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    },
    stop,
    async close() {
      await stop();
      await deleteRedisPrefix(container.queues.prefix);
    },
  };
}
