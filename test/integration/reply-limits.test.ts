import type Koa from 'koa';
import { Staff } from '../../entities';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { utf8Bytes } from '../../src/platform/wecom/limits/wecom-limits';
import { say as sayTo } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, resetState } from '../helpers/test-env';

/**
 * 帮助 as a salesperson types it, through the webhook, the queue, the bot and the outbound queue,
 * against a fake WeCom that refuses what WeCom refuses (45002 over 2048 bytes of markdown).
 */
describe('帮助 reaches the salesperson', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  const say = (text: string) => sayTo(container, app, calls, 'zhangsan', text);

  beforeAll(async () => {
    container = await createTestContainer('help-limits', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container) });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it.each(['帮助', 'help', '?', '？', 'HELP'])('「%s」 gets the command list, within WeCom’s 2048 bytes, naming every command', async (typed) => {
    const reply = await say(typed);
    for (const name of [
      '记录跟进',
      '查客户',
      '我的客户',
      '打标签',
      '去标签',
      '阶段',
      '商机',
      '提醒',
      '待办',
      '完成',
      '推迟',
      '今日',
      '报表',
      '撤销',
      '勿扰',
      '恢复',
    ])
      expect(reply).toContain(name);
    const sent = calls.filter((c) => c.api === 'message/send');
    expect(sent.map((c) => c.errcode)).toEqual(sent.map(() => undefined));
    for (const c of sent) expect(utf8Bytes(JSON.stringify(c.body.markdown ?? c.body.text))).toBeLessThan(2048);
  });

  it('帮助 <命令> answers with that command’s usage, an example and its aliases', async () => {
    const reply = await say('帮助 商机');
    expect(reply).toContain('商机 <客户> <金额>');
    expect(reply).toContain('商机 张三 5万');
    expect(await say('帮助 跟进')).toContain('别名');
    expect(await say('帮助 跟近')).toContain('你是不是想看「帮助 记录跟进」');
  });
});
