import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Reminder } from '../../entities';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';
import { waitFor } from '../helpers/test-env';

/**
 * `npm run simulate -- click … --select <question_key>=<option_id>`: the 待办 card's drop-down picked
 * from a terminal, as a separate process against a running sandbox. The pick reaches the product
 * as WeCom's SelectedItems; an option the card does not have is refused before anything is clicked.
 */
const ROOT = resolve(__dirname, '../..');
const TS_NODE = join(ROOT, 'node_modules/.bin/ts-node');
const run = promisify(execFile);

describe('npm run simulate -- click --select', () => {
  jest.setTimeout(90_000);
  let app: SandboxApp;
  beforeAll(async () => {
    app = await startSandboxApp('cli-select');
  });
  afterAll(() => app?.close());

  const simulate = (...args: string[]) =>
    run(TS_NODE, ['--swc', 'src/cli/simulate.ts', ...args, '--url', app.url], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });

  it('picks a 待办 option, prints the options with the --select that picks each, and refuses one the card lacks', async () => {
    await simulate('scan', '--user', 'zhangwei', '--name', '刘洋');
    await simulate('scan', '--user', 'zhangwei', '--name', '李雷');
    const reminders = app.container.dataSource.getRepository(Reminder);
    // the adds may still be in the queue: ask until the customer is known
    for (const [name, what] of [
      ['刘洋', '发报价'],
      ['李雷', '发合同'],
    ]) {
      await waitFor(
        async () => (await simulate('type', '--user', 'zhangwei', '提醒', '明天下午3点', name, what)).stdout,
        (out) => out.includes('提醒已设好'),
        20_000,
        `the reminder about ${name}`,
      );
    }
    const second = await reminders.findOneByOrFail({ content: '发合同' });

    const todo = (await simulate('type', '--user', 'zhangwei', '待办')).stdout;
    const card = /#(\d+) \S+ ← \[button_interaction\] 待办提醒/.exec(todo)![1]!;
    expect(todo).toContain(`○ #${second.id} 李雷 `);
    expect(todo).toContain(`--select reminder=${second.id}`);

    const refused = await simulate('click', '--user', 'zhangwei', '--card', card, '--key', 'todo:done', '--select', 'reminder=999').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('没有选项 999') });
    expect(await reminders.countBy({ status: 'done' })).toBe(0);

    const clicked = (await simulate('click', '--user', 'zhangwei', '--card', card, '--key', 'todo:done', '--select', `reminder=${second.id}`)).stdout;
    // the redrawn card is printed: the one picked is done, the other still open
    expect(clicked).toContain(`#${second.id} ✅ 已完成`);
    expect((await reminders.findOneByOrFail({ id: second.id })).status).toBe('done');
    expect((await reminders.findOneByOrFail({ content: '发报价' })).status).toBe('pending');
  });
});
