import 'reflect-metadata';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, loadDotEnvFile } from './config';
import { configWarnings } from './config-warnings';
import { createContainer } from './container';
import { startSpoolDrain } from './platform/events/spool-drain';
import { listenMetrics } from './platform/http/metrics-server';
import { createLogger } from './platform/logger';
import { prepareSandbox } from './modules/sandbox';
import { workerModules } from './feature-modules';
import { createWebApp } from './web';
import { startWorker } from './worker';
import { withTimeout } from './platform/queue/queues';

/**
 * Entry point. `npm start` runs the web and worker roles in one process (small installs);
 * `npm run start:web` / `npm run start:worker` run one role each, any number of each against one
 * database and Redis.
 */
type Role = 'all' | 'web' | 'worker';

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  loadDotEnvFile();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let wecom = config.wecom;
  if (config.sandbox) {
    ({ config, wecom } = prepareSandbox(config));
    logger.warn(
      { corpId: wecom.corpId, credentialsFile: `${config.dataDir}/sandbox-credentials.json`, wecomApiBase: config.wecomApiBase },
      'SANDBOX MODE: no WeCom credentials configured (WECOM_CORP_ID etc.); using generated local callback credentials. ' +
        'Nothing reaches a real WeCom. Set the five WECOM_* variables to connect a real app.',
    );
  }
  if (!config.databaseUrl) logger.warn({ dataDir: config.dataDir }, 'DATABASE_URL not set: using the embedded SQLite database');
  for (const warning of configWarnings(config)) logger.warn({ code: warning.code }, warning.message);

  const container = await createContainer(config, wecom!, logger);
  let server: Server | undefined;
  let worker: ReturnType<typeof startWorker> | undefined;

  if (role !== 'worker') {
    server = createWebApp(container).listen(config.port, () => logger.info({ port: config.port, role }, `listening on http://127.0.0.1:${config.port}`));
    // WeCom waits 5 s; a client that stalls longer than this is not WeCom.
    server.requestTimeout = 15_000;
  }
  if (role !== 'web') {
    worker = startWorker(container, { modules: workerModules(container) });
  }
  // Callbacks kept in the Redis spool during a database outage are stored when it is back, by
  // whichever process (web or worker) gets there first.
  const drain = startSpoolDrain({
    spool: container.spool,
    intake: container.intake,
    keys: { token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId },
    databaseUp: async () => void (await withTimeout(container.dataSource.query('SELECT 1'), 1000, 'database ping')),
    metrics: container.metrics,
    logger,
  });
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : listenMetrics(container.metrics, config.metricsPort, () => logger.info({ port: config.metricsPort, role }, 'metrics on their own port'));

  let stopping = false;
  // Background work (start-up refreshes, sweeps) can still be settling when connections close on
  // shutdown; its failure then is expected and must not turn a clean stop into exit code 1.
  // Outside shutdown an unhandled rejection stays fatal, as Node intends.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason, stopping }, 'unhandled rejection');
    if (!stopping) process.exit(1);
  });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests or jobs; finishing running ones');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      worker?.stop();
      drain.stop();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      metricsServer?.close();
      await container.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function parseRole(arg: string | undefined): Role {
  if (arg === undefined || arg === 'all') return 'all';
  if (arg === 'web' || arg === 'worker') return arg;
  process.stderr.write(`unknown role "${arg}": use web, worker or nothing for both\n`);
  process.exit(2);
}

main().catch((error) => {
  process.stderr.write(`startup failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
