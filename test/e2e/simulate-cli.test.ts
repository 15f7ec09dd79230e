import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';

/** `npm run simulate` as a script runs it: a separate process driving a running sandbox by its URL. */
const ROOT = resolve(__dirname, '../..');
const TS_NODE = join(ROOT, 'node_modules/.bin/ts-node');
const run = promisify(execFile);

describe('npm run simulate', () => {
  jest.setTimeout(60_000);
  let app: SandboxApp;
  beforeAll(async () => {
    app = await startSandboxApp('cli');
  });
  afterAll(() => app?.close());

  const simulate = (...args: string[]) =>
    run(TS_NODE, ['--swc', 'src/cli/simulate.ts', ...args, '--url', app.url], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });

  it('adds a customer from a channel, types a command and prints the reply card', async () => {
    const scanned = await simulate('scan', '--user', 'zhangwei', '--state', 'expo-2026', '--name', '陈静');
    expect(scanned.stdout).toMatch(/^陈静 扫码添加了 zhangwei（external_userid wmSandbox\w+）/);

    // The reply may come before the add is processed: ask until the profile shows the rule's tags.
    let reply = '';
    for (let i = 0; i < 10 && !reply.includes('标签：展会、高意向'); i++) reply = (await simulate('type', '--user', 'zhangwei', '查客户', '陈静')).stdout;
    expect(reply).toContain('[text_notice] 陈静 · 潜在客户');
    expect(reply).toContain('来源：expo-2026');

    const view = await simulate('view', '--user', 'zhangwei');
    expect(view.stdout).toContain('陈静 · 潜在客户 · 展会、高意向 · 张伟');
  });

  it('explains bad input and an unreachable instance, with a failing exit code', async () => {
    const failure = await simulate('scan', '--user', 'nobody').catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('userid not found: nobody') });
    const unknown = await simulate('teleport').catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown action: teleport') });
    const away = await run(TS_NODE, ['--swc', 'src/cli/simulate.ts', 'view', '--url', 'http://127.0.0.1:1'], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(away).toMatchObject({ code: 1, stderr: expect.stringContaining('连不上 http://127.0.0.1:1') });
  });
});
