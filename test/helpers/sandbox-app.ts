import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { createLogger } from '../../src/platform/logger';
import { prepareSandbox } from '../../src/modules/sandbox/sandbox-setup';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { deleteRedisPrefix, ensureTestDatabase, onSqlite, TEST_REDIS_URL, truncateAll, uniquePrefix } from './test-env';

/**
 * The whole product in sandbox mode, in this process, as `npm start` runs it with nothing configured:
 * generated credentials in a temporary data directory, the fake WeCom at WECOM_API_BASE, the web app
 * listening on a real port (the simulator posts to its own /wecom/callback over HTTP), and the worker.
 * The database is the test environment's: on SQLite a new file in the temporary data directory, as a
 * first `npm start`; on MariaDB the worker's test database, emptied. Redis (a queue prefix of its
 * own) is real.
 */
export interface SandboxApp {
  url: string;
  container: Container;
  worker: WorkerHandle;
  dataDir: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startSandboxApp(label: string, env: Record<string, string> = {}): Promise<SandboxApp> {
  const dataDir = mkdtempSync(join(tmpdir(), `wecom-crm-sandbox-${label}-`));
  const port = await freePort();
  const loaded = loadConfig({
    ...(onSqlite() ? {} : { DATABASE_URL: await ensureTestDatabase() }),
    REDIS_URL: TEST_REDIS_URL,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Reminder cards are not urgent: whatever the hour the suite runs at, they must not wait for the morning.
    CRM_QUIET_HOURS: 'off',
    CRM_RECONCILE_CRON: 'off',
    ...env,
  });
  const { config, wecom } = prepareSandbox(loaded);
  const queuePrefix = uniquePrefix(label);
  const container = await createContainer(config, wecom, createLogger(config.logLevel), { queuePrefix, defaultMetrics: false });
  await truncateAll(container.dataSource);
  // listen() as main.ts does it: the sandbox serves the smart bot's long connection on that server
  const app = createWebApp(container);
  const server: Server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  const worker = startWorker(container, { modules: workerModules(container) });
  return {
    url: `http://127.0.0.1:${port}`,
    container,
    worker,
    dataDir,
    async close() {
      worker.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await container.close();
      await deleteRedisPrefix(queuePrefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
