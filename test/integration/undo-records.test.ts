import { Customer, SopStepRun } from '../../entities';
import { SandboxClient } from '../../src/modules/sandbox/sandbox-client';
import type { ChatItem } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';
import { waitFor } from '../helpers/test-env';

/**
 * 撤销 takes a record back as if it had never been made, and says which record it was. Played on the
 * sandbox (the shipped channel rules and SOPs, the fake WeCom with its corp tags) through the control
 * API the page and `npm run simulate` use: a customer scans, the salesperson types, WeCom is asked.
 */
describe('撤销 after each kind of record', () => {
  jest.setTimeout(90_000);
  let app: SandboxApp;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    app = await startSandboxApp('undo');
    sandbox = new SandboxClient(app.url);
    await sandbox.action('scan', { userid: 'zhangwei', state: 'live-0901', name: '刘洋' });
    await waitFor(
      () => app.container.dataSource.getRepository(Customer).findOneBy({ name: '刘洋' }),
      (c) => c !== null,
      15_000,
      'the customer recorded',
    );
  });
  afterAll(() => app?.close());

  const text = (item: ChatItem) => (item.card ? JSON.stringify(item.card) : (item.text ?? ''));

  /** What the salesperson types, and the app's answer as the fake WeCom delivered it (SOP pushes the scan started are not answers). */
  async function type(content: string): Promise<string> {
    const { seq } = await sandbox.action('type', { userid: 'zhangwei', content });
    const answer = (c: ChatItem) => c.seq > Number(seq) && c.direction === 'out' && !text(c).startsWith('**SOP');
    const view = await waitFor(
      () => sandbox.view('zhangwei'),
      (v) => v.chat.some(answer),
      15_000,
      `the answer to ${content}`,
    );
    return text(view.chat.find(answer)!);
  }

  const liuYang = () => app.container.dataSource.getRepository(Customer).findOneByOrFail({ name: '刘洋' });
  const tagsOf = async () => (await sandbox.view('zhangwei')).customers.find((c) => c.name === '刘洋')!.tags;

  it('each answer names the record taken back', async () => {
    await type('记录跟进 刘洋 客户问了价格，明天下午三点再联系');
    expect(await type('撤销')).toMatch(/^已撤销：刘洋 的跟进「客户问了价格，明天下午三点再联系」和它设的提醒 #\d+$/);
    await type('提醒 周五 刘洋 发报价');
    expect(await type('撤销')).toMatch(/^已撤销：提醒 #\d+「发报价」（刘洋）$/);
    await type('阶段 刘洋 潜在客户');
    expect(await type('撤销')).toBe('已撤销：刘洋 的阶段变更（线索 → 潜在客户），已改回 线索');
    await type('商机 刘洋 5万元 六成');
    expect(await type('撤销')).toBe('已撤销：刘洋 的商机 ¥50,000，阶段改回 线索');
    await type('提醒 明天下午三点 给刘洋发报价');
    expect(await type('撤销')).toMatch(/^已撤销：提醒 #\d+「给刘洋发报价」$/);
    await type('打标签 刘洋 高意向');
    expect(await type('撤销')).toBe('已撤销：给 刘洋 打的标签：高意向');
    expect(await type('撤销')).toBe('10分钟内没有可以撤销的记录。');
  });

  it('an undone corp tag is taken off in WeCom too, so the next edit from WeCom does not bring it back', async () => {
    const inWecom = (line: string) =>
      waitFor(
        () => sandbox.view('zhangwei'),
        (v) => v.activity.some((a) => a.text === line),
        15_000,
        `WeCom: ${line}`,
      );
    await type('打标签 刘洋 A类');
    await inWecom('mark_tag：刘洋 打上 A类');
    await type('撤销');
    expect(await tagsOf()).not.toContain('A类');
    await inWecom('mark_tag：刘洋 去掉 A类');
    // the admin tags the customer in the WeCom console: WeCom's tags are read again and are the truth
    const customer = (await sandbox.view('zhangwei')).customers.find((c) => c.name === '刘洋')!;
    await sandbox.action('tag', { userid: 'zhangwei', customer: customer.externalUserid, add: ['B类'] });
    const tags = await waitFor(tagsOf, (t) => t.includes('B类'), 15_000, 'the console tag');
    expect(tags).not.toContain('A类');

    // 去标签 undone puts the tag back in WeCom as well
    await type('去标签 刘洋 B类');
    await inWecom('mark_tag：刘洋 去掉 B类');
    await type('撤销');
    expect(await tagsOf()).toContain('B类');
    await inWecom('mark_tag：刘洋 打上 B类');
  });

  it('an undone follow-up leaves the customer not yet followed up: the SOP step that waits for a first contact still fires', async () => {
    await type('记录跟进 刘洋 打了个电话');
    await type('撤销');
    expect((await liuYang()).lastContactAt).toBeNull();
    await sandbox.action('fire-due');
    const step = await waitFor(
      () => app.container.dataSource.getRepository(SopStepRun).findOneBy({ stepKey: 'first-call' }),
      (s) => s !== null && s.status !== 'pending',
      15_000,
      'the first-call step handled',
    );
    expect(step).toMatchObject({ status: 'sent', skipReason: null });
  });

  it('查客户 全部 leaves out what was undone: no tag change, no reminder set', async () => {
    await type('打标签 刘洋 教育行业');
    await type('撤销');
    await type('记录跟进 刘洋 约了下周二见面，下周二再联系');
    await type('撤销');
    await type('提醒 明天 刘洋 寄样品');
    await type('撤销');
    const timeline = await type('查客户 刘洋 全部');
    expect(timeline).toContain('客户时间线');
    expect(timeline).not.toContain('教育行业');
    expect(timeline).not.toContain('约了下周二见面');
    expect(timeline).not.toContain('寄样品');
  });
});
