import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { SandboxView } from '../../src/modules/sandbox';
import { type SandboxApp, startSandboxApp } from '../helpers/sandbox-app';
import { waitFor } from '../helpers/test-env';

/**
 * The sandbox playing the smart bot (智能机器人), as `WECOM_BOT_ID=… WECOM_BOT_SECRET=… npm start`
 * runs it: the worker's SDK connects to the fake long connection on the app's own port, and the
 * page's control API @-mentions the bot in the team group and clicks its cards.
 */
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('the sandbox plays the smart bot', () => {
  jest.setTimeout(60_000);
  let sandbox: SandboxApp;

  beforeAll(async () => {
    sandbox = await startSandboxApp('sandbox-bot', { WECOM_BOT_ID: 'sandbox-bot', WECOM_BOT_SECRET: 'sandbox-bot-secret' });
    await waitFor(async () => sandbox.container.bot?.ready === true, Boolean, 20_000, 'the bot connected to the sandbox');
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const view = async (user: string): Promise<SandboxView> => (await fetch(`${sandbox.url}/sandbox/api/view?user=${user}`)).json() as Promise<SandboxView>;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${sandbox.url}/sandbox/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { ok: boolean; error?: string } };
  };
  const groupItems = async (user: string, predicate: (items: NonNullable<SandboxView['group']>['items']) => boolean, what: string) =>
    waitFor(async () => (await view(user)).group!.items, predicate, 20_000, what);

  it('binds the team group, answers an @-command there, and draws a 删人提醒 card whose button acts', async () => {
    expect((await view('wangfang')).group!.bot).toBe(true);
    expect((await post('bot/say', { userid: 'wangfang', content: '绑定 华东销售一组' })).body.ok).toBe(true);
    await groupItems('wangfang', (items) => items.some((i) => (i.text ?? '').includes('已绑定')), 'the binding answered in the group');

    await post('bot/say', { userid: 'wangfang', content: '帮助' });
    await groupItems('wangfang', (items) => items.some((i) => (i.text ?? '').includes('记录跟进')), 'the help in the group');

    // a customer of 张伟 deletes him: the card with buttons in the team group
    expect((await post('actions/scan', { userid: 'zhangwei', state: '', name: '小丽' })).body.ok).toBe(true);
    const customers = await waitFor(
      async () => (await view('zhangwei')).customers,
      (c) => c.some((x) => x.name === '小丽'),
      20_000,
      'the customer recorded',
    );
    const xiaoli = customers.find((c) => c.name === '小丽')!;
    expect((await post('actions/delete-staff', { userid: 'zhangwei', customer: xiaoli.externalUserid })).body.ok).toBe(true);
    const items = await groupItems('lina', (all) => all.some((i) => i.card?.card_type === 'button_interaction'), 'the 删人提醒 card');
    const card = items.find((i) => i.card?.card_type === 'button_interaction')!;
    expect(JSON.stringify(card.card)).toContain('我来挽回');

    expect((await post('bot/click', { userid: 'lina', card: card.seq, key: 'gb:save' })).body.ok).toBe(true);
    await groupItems('lina', (all) => JSON.stringify(all.find((i) => i.seq === card.seq)?.card ?? {}).includes('李娜'), 'the card updated for everyone');
    expect((await view('lina')).pendingReminders).toBe(1);
  });

  it('npm run simulate plays the group too: bot-say prints the answers in the group and in private, bot-click the card redrawn', async () => {
    const simulate = (...args: string[]) =>
      run(join(ROOT, 'node_modules/.bin/ts-node'), ['--swc', 'src/cli/simulate.ts', ...args, '--url', sandbox.url], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    const bound = await simulate('bot-say', '--user', 'wangfang', '绑定', '华东销售一组');
    expect(bound.stdout).toMatch(/\[群\] #\d+ .*已绑定/);
    // 待办 shows one salesperson's customers: a line in the group, the list privately
    const todo = await simulate('bot-say', '--user', 'zhangwei', '待办');
    expect(todo.stdout).toMatch(/\[群\] .*已私信发给你/);
    expect(todo.stdout).toContain('[私信]');

    // a 删人提醒 card with buttons, clicked from the command line
    await post('actions/scan', { userid: 'zhangwei', state: '', name: '小美' });
    const customers = await waitFor(
      async () => (await view('zhangwei')).customers,
      (c) => c.some((x) => x.name === '小美'),
      20_000,
      'the customer recorded',
    );
    await post('actions/delete-staff', { userid: 'zhangwei', customer: customers.find((c) => c.name === '小美')!.externalUserid });
    const items = await groupItems('lina', (all) => all.some((i) => JSON.stringify(i.card ?? {}).includes('小美')), 'the card for 小美');
    const card = items.find((i) => JSON.stringify(i.card ?? {}).includes('小美'))!;
    const clicked = await simulate('bot-click', '--user', 'lina', '--card', String(card.seq), '--key', 'gb:save');
    expect(clicked.stdout).toContain(`已点击卡片 #${card.seq} 的 gb:save`);
    expect(clicked.stdout).toMatch(/\[群\] [\s\S]*李娜/);

    const wrong = await simulate('bot-click', '--user', 'lina', '--card', '99999', '--key', 'gb:save');
    expect((wrong as { code: number }).code).toBe(1);
    expect(wrong.stderr).toContain('没有这张卡片');
  });

  it('says what to do when the bot is not asked something', async () => {
    const refused = await post('bot/say', { userid: 'wangfang', content: '' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('例如');
  });
});
