import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../entities';
import { openDatabase } from '../../src/platform/db/database';
import { createTestContainer, deleteRedisPrefix, TEST_REDIS_URL, testDatabaseEnv, TEST_WECOM, testWecomEnv, uniquePrefix, waitFor } from '../helpers/test-env';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';
import { SandboxClient } from '../../src/modules/sandbox/sandbox-client';

/**
 * The real entry point as operators run it: separate web and worker processes against one MariaDB and
 * Redis, a config error that lists every problem, and a fresh start with nothing configured (sandbox).
 */

const run = startAppProcess;

async function healthy(port: number, path = '/readyz'): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`)).status === 200;
  } catch {
    return false;
  }
}

/** Exit code 0 after SIGTERM; otherwise fail with what the process printed, so a flake explains itself. */
async function expectCleanExit(running: AppProcess): Promise<void> {
  const code = await running.exited;
  if (code !== 0) throw new Error(`exited with ${code}; output:\n${running.output()}`);
}

const randomPort = () => 20000 + Math.floor(Math.random() * 20000);

describe('process roles', () => {
  jest.setTimeout(120_000);
  const children: AppProcess[] = [];
  afterAll(() => {
    for (const c of children) c.child.kill('SIGKILL');
  });

  it('web and worker run as separate processes, serve /metrics on METRICS_PORT only, and stop cleanly on SIGTERM', async () => {
    // Start from a migrated, empty database.
    const prepared = await createTestContainer('roles-prepare');
    await prepared.close();
    const prefix = uniquePrefix('roles');
    const port = randomPort();
    const database = await testDatabaseEnv();
    const env = {
      PORT: String(port),
      ...database,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ...testWecomEnv('http://127.0.0.1:9/cgi-bin'),
      LOG_LEVEL: 'info',
    };
    // /metrics on ports of their own: the public webhook port does not expose it, the worker shows its figures.
    const webMetricsPort = port + 1;
    const workerMetricsPort = port + 2;
    const web = run(['web'], { ...env, METRICS_PORT: String(webMetricsPort) });
    const worker = run(['worker'], { ...env, METRICS_PORT: String(workerMetricsPort) });
    children.push(web, worker);
    // two processes compiling TypeScript at start: on a loaded 2-core machine that alone took over 30 s
    // (and once in a full run over 60 s); a timeout says what the web process printed
    await waitFor(() => healthy(port), Boolean, 90_000, 'web process ready').catch((error: Error) => {
      throw new Error(`${error.message}\nweb output (last 3,000 characters):\n${web.output().slice(-3000)}`);
    });
    await waitFor(() => healthy(workerMetricsPort, '/metrics'), Boolean, 30_000, 'worker metrics port');
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

    const xml = externalContactXml({
      corpId: TEST_WECOM.corpId,
      changeType: 'transfer_fail',
      userId: 'zhaoliu',
      externalUserId: 'wmRoles',
      failReason: 'customer_refused',
    });
    const req = signedCallback(TEST_WECOM, xml);
    const res = await fetch(`http://127.0.0.1:${port}${req.path}`, { method: 'POST', body: req.body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');

    const dataSource: DataSource = await openDatabase({ databaseUrl: database.DATABASE_URL, dataDir: database.DATA_DIR ?? 'unused', runMigrations: false });
    try {
      // The worker process takes the event and settles it (its alert goes to the outbound queue).
      const row = await waitFor(
        () => dataSource.getRepository(InboundEvent).findOneBy({ kind: 'change_external_contact/transfer_fail' }),
        (e) => !!e && ['done', 'ignored', 'failed'].includes(e.status),
        30_000,
        'the worker process to take the event',
      );
      expect(['done', 'ignored']).toContain(row!.status);
    } finally {
      await dataSource.destroy();
    }
    const webMetrics = await (await fetch(`http://127.0.0.1:${webMetricsPort}/metrics`)).text();
    expect(webMetrics).toMatch(/wecom_events_received_total\{kind="change_external_contact\/transfer_fail",duplicate="false"\} 1/);
    const workerMetrics = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
    expect(workerMetrics).toMatch(/wecom_events_processed_total\{kind="change_external_contact\/transfer_fail",outcome="(done|ignored)"\} 1/);
    expect(web.output()).not.toContain(TEST_WECOM.token);
    expect(web.output()).not.toContain(TEST_WECOM.encodingAesKey);

    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    await expectCleanExit(web);
    await expectCleanExit(worker);
    expect(worker.output()).toContain('"msg":"stopped"');
    await deleteRedisPrefix(prefix);
  });

  it('refuses to start on a bad configuration and lists every problem', async () => {
    const bad = run([], { WECOM_ENCODING_AES_KEY: 'short', PORT: 'abc', CRM_TIMEZONE: 'Nowhere/City' });
    children.push(bad);
    expect(await bad.exited).toBe(1);
    const out = bad.output();
    expect(out).toContain('Invalid configuration');
    for (const name of ['PORT', 'WECOM_ENCODING_AES_KEY', 'CRM_TIMEZONE', 'WECOM_CORP_ID']) expect(out).toContain(name);
  });

  it('starts with nothing configured: sandbox mode on embedded SQLite, announced, with the sandbox page working', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wecom-crm-fresh-'));
    const port = randomPort();
    const prefix = uniquePrefix('fresh');
    const fresh = run([], { PORT: String(port), DATA_DIR: dataDir, QUEUE_PREFIX: prefix });
    children.push(fresh);
    try {
      await waitFor(() => healthy(port), Boolean, 30_000, 'fresh start ready');
      expect(fresh.output()).toContain('SANDBOX MODE');
      expect(fresh.output()).toContain('embedded SQLite');
      // The quick start's promise: the sandbox page is there, and a customer added there is captured.
      const page = await fetch(`http://127.0.0.1:${port}/sandbox`);
      expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('企业微信')]);
      const sandbox = new SandboxClient(`http://127.0.0.1:${port}`);
      await sandbox.action('scan', { userid: 'zhangwei', state: 'expo-2026', name: '陈静' });
      await waitFor(
        () => sandbox.view('zhangwei'),
        (v) => v.customers.some((c) => c.name === '陈静' && c.tags.includes('展会') && c.welcome !== null),
        20_000,
        'the customer captured',
      );
      fresh.child.kill('SIGTERM');
      await expectCleanExit(fresh);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await deleteRedisPrefix(prefix);
    }
  });
});
