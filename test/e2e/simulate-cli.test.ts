import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SandboxClient } from '../../src/modules/sandbox/sandbox-client';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';
import { waitFor } from '../helpers/test-env';

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
    run(TS_NODE, ['--swc', 'src/cli/simulate.ts', ...args, '--url', app.url], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });

  it('adds a customer from a channel, types a command and prints the reply card', async () => {
    const scanned = await simulate('scan', '--user', 'zhangwei', '--state', 'expo-2026', '--name', '陈静');
    expect(scanned.stdout).toMatch(/^陈静 扫码添加了 zhangwei（external_userid wmSandbox\w+）/);

    // The reply may come before the add is processed: ask until the profile shows the rule's tags.
    let reply = '';
    for (let i = 0; i < 10 && !reply.includes('标签：展会、高意向'); i++) reply = (await simulate('type', '--user', 'zhangwei', '查客户', '陈静')).stdout;
    expect(reply).toContain('[text_notice] 陈静 · 潜在客户');
    expect(reply).toContain('来源：2026展会');

    const view = await simulate('view', '--user', 'zhangwei');
    expect(view.stdout).toContain('陈静 · 潜在客户 · 展会、高意向 · 张伟');
  });

  it('a reply WeCom refuses is printed with WeCom’s errcode and message, not as "is a worker running?"', async () => {
    // The command is held (its queue paused here) while a send WeCom refuses (45002: markdown over
    // 2048 bytes, as 帮助 once was) reaches the salesperson's chat through the fake WeCom's API.
    const inbound = app.container.queues.get('inbound');
    await inbound.pause(true);
    try {
      const typed = simulate('type', '--user', 'zhangwei', '--timeout', '20', '帮助').catch((e: { code: number; stdout: string; stderr: string }) => e);
      const client = new SandboxClient(app.url);
      await waitFor(
        () => client.view('zhangwei'),
        (v) => v.chat.some((c) => c.direction === 'in' && c.text === '帮助'),
        15_000,
        'the typed message',
      );
      const { wecom } = app.container;
      const token = (await (await fetch(`${app.url}/sandbox/cgi-bin/gettoken?corpid=${wecom.corpId}&corpsecret=${wecom.secret}`)).json()) as {
        access_token: string;
      };
      const refused = await fetch(`${app.url}/sandbox/cgi-bin/message/send?access_token=${token.access_token}`, {
        method: 'POST',
        body: JSON.stringify({ touser: 'zhangwei', agentid: Number(wecom.agentId), msgtype: 'markdown', markdown: { content: '**可用命令**\n'.repeat(200) } }),
      });
      expect(((await refused.json()) as { errcode: number }).errcode).toBe(45002);
      const result = await typed;
      expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('回复被企业微信拒收：errcode 45002') });
      expect((result as { stdout: string }).stdout).toContain('content size out of limit');
      expect((result as { stderr: string }).stderr).not.toContain('worker 在运行吗');
    } finally {
      await inbound.resume(true);
    }
    // released, the command is answered (and its answer cannot land in the next test's chat)
    await waitFor(
      () => new SandboxClient(app.url).view('zhangwei'),
      (v) => v.chat.some((c) => c.msgtype === 'markdown' && String(c.text).includes('帮助 命令')),
      15_000,
      'the real 帮助 reply',
    );
  });

  it('with no reply at all, says what became of the message', async () => {
    const inbound = app.container.queues.get('inbound');
    await inbound.pause(true);
    try {
      const held = await simulate('type', '--user', 'zhangwei', '--timeout', '2', '今日').catch((e: { code: number; stderr: string }) => e);
      expect(held).toMatchObject({ code: 1, stderr: expect.stringContaining('2 秒内没有回复：消息已存下，但还没有 worker 处理它') });
    } finally {
      await inbound.resume(true);
    }
    await waitFor(
      () => new SandboxClient(app.url).view('zhangwei'),
      (v) => v.chat.some((c) => c.msgtype === 'markdown' && String(c.text).includes('今日简报')),
      15_000,
      'the 今日 reply',
    );
  });

  it('explains bad input and an unreachable instance, with a failing exit code', async () => {
    const failure = await simulate('scan', '--user', 'nobody').catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('userid not found: nobody') });
    const unknown = await simulate('teleport').catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown action: teleport') });
    const away = await run(TS_NODE, ['--swc', 'src/cli/simulate.ts', 'view', '--url', 'http://127.0.0.1:1'], { cwd: ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(away).toMatchObject({ code: 1, stderr: expect.stringContaining('连不上 http://127.0.0.1:1') });
  });
});
