import type Koa from 'koa';
import request from 'supertest';
import { Customer, CustomerRelation, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { promoteDelayedJobs } from '../../src/platform/queue/queues';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { say as sayTo } from '../helpers/bot-chat';
import { messageText } from '../helpers/fake-wecom';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/** A Sunday 10:00 in Shanghai ahead of the real clock (reminders are delayed jobs on the real clock). */
const TODAY = dayjs().tz(TZ).startOf('day');
const SUNDAY = TODAY.add(14 - TODAY.day(), 'day').hour(10);
const NOW = SUNDAY.toDate();

/** How many times `name` occurs in `text`. */
const count = (text: string, name: string) => text.split(name).length - 1;

/**
 * Cards and texts as a salesperson reads them, through the webhook, the queue, the bot and the
 * outbound queue, with the shipped channel rules and SOPs: a customer named once per line, a close
 * date without a clock time, channels by their display name, and no gap where a value is not known.
 */
describe('cards read well', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let world: FakeWecomWorld;
  const say = (text: string) => sayTo(container, app, world.calls, 'zhangsan', text);

  beforeAll(async () => {
    container = await createTestContainer('cards-read', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
  });

  beforeEach(async () => {
    // nock is emptied after every test (helpers/no-network.ts): a fresh fake WeCom for each
    world = new FakeWecomWorld().install();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' });
    const live = await container.dataSource.getRepository(Customer).save({ name: '刘洋', externalUserid: 'wmLiuyang' });
    const direct = await container.dataSource.getRepository(Customer).save({ name: '陈静', externalUserid: 'wmChenjing' });
    await container.dataSource.getRepository(CustomerRelation).save([
      { customerId: live.id, staffUserid: 'zhangsan', state: 'live-1201', addedAt: SUNDAY.subtract(3, 'day').toDate() },
      { customerId: direct.id, staffUserid: 'zhangsan', addedAt: SUNDAY.subtract(2, 'day').toDate() },
    ]);
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it('a reminder names its customer once: in 待办, on the fired card and on the profile', async () => {
    await say('记录跟进 刘洋 电话沟通了报价，明天下午3点再联系');
    await say('提醒 后天上午10点 刘洋 给刘洋发报价');
    const todo = await say('待办');
    // the card's list (the drop-down's options name the customer on their own, one each)
    const card = JSON.parse(todo) as { sub_title_text: string; button_selection: { option_list: Array<{ text: string }> } };
    const lines = card.sub_title_text.split('\n').filter((l) => l.includes('#'));
    for (const option of card.button_selection.option_list) expect(count(option.text, '刘洋')).toBe(1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(count(line, '刘洋')).toBe(1);
    expect(todo).toContain('刘洋：电话沟通了报价');
    expect(todo).toContain('给刘洋发报价');
    expect(todo).not.toContain('刘洋：给刘洋');

    // on 刘洋's own card, the next reminder without their name
    const profile = await say('查客户 刘洋');
    const next = /"待办","value":"([^"]*)"/.exec(profile)![1]!;
    expect(next).toMatch(/^2条 · 下次 .* 电/);
    expect(next).not.toContain('刘洋');

    await promoteDelayedJobs(container.queues.get('reminders'));
    const fired = await waitFor(
      async () =>
        world
          .callsTo('message/send')
          .filter(
            (c) =>
              (c.body.template_card as { card_type?: string } | undefined)?.card_type === 'button_interaction' &&
              String((c.body.template_card as { task_id: string }).task_id).startsWith('rem-'),
          ),
      (f) => f.length === 2,
      15_000,
      'two reminder cards',
    );
    for (const card of fired.map((c) => c.body.template_card as { main_title: { title: string }; quote_area: { quote_text: string } })) {
      expect(card.main_title.title).toBe('该联系 刘洋 了');
      expect(count(card.quote_area.quote_text, '联系 刘洋')).toBe(0);
    }
  });

  it('记录跟进 with a date: the big time and the day under it, nothing cut', async () => {
    const card = JSON.parse(await say('记录跟进 刘洋 客户说月底前定，12月31日上午10点再联系')) as { emphasis_content: { title: string; desc: string } };
    expect(card.emphasis_content.title).toBe('10:00');
    expect(card.emphasis_content.desc).toMatch(/^下次联系 (\d{4}年)?12月31日 周[日一二三四五六]$/);
    // a date in another year: the day whole, with its year
    const next = JSON.parse(await say(`记录跟进 刘洋 约好了，${SUNDAY.year() + 1}年1月8日下午2点再联系`)) as {
      emphasis_content: { title: string; desc: string };
    };
    expect(next.emphasis_content).toEqual({ title: '14:00', desc: expect.stringMatching(new RegExp(`^${SUNDAY.year() + 1}年1月8日 周[日一二三四五六]$`)) });
  });

  it('商机 shows the expected close as a day, without a clock time', async () => {
    const card = await say('商机 刘洋 5万 60% 12月31日');
    expect(card).toMatch(/"预计成交","value":"(\d{4}年)?12月31日 周[日一二三四五六]"/);
    expect(card).not.toMatch(/12月31日 周. \d{2}:\d{2}/);
  });

  it('a channel reads by its rule’s display name, an add without one as 直接添加', async () => {
    expect(await say('查客户 刘洋')).toContain('"来源","value":"抖音直播间"');
    expect(await say('查客户 陈静')).toContain('"来源","value":"直接添加"');
    const timeline = await say('查客户 刘洋 全部');
    expect(timeline).toContain('添加了张三销售（渠道 抖音直播间）');
  });

  it('a welcome for a salesperson whose name is not known yet reads 「您好王磊，很高兴为您服务！」, and the SOP step names the channel', async () => {
    world.addCustomer('wmNewcomer', '王磊', [{ userid: 'newbie' }]);
    const req = signedCallback(
      container.wecom,
      externalContactXml({
        corpId: container.wecom.corpId,
        changeType: 'add_external_contact',
        userId: 'newbie',
        externalUserId: 'wmNewcomer',
        welcomeCode: 'WELCOME-1',
      }),
    );
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    const [welcome] = await waitFor(
      async () => world.callsTo('externalcontact/send_welcome_msg'),
      (w) => w.length === 1,
      15_000,
      'the welcome',
    );
    expect((welcome!.body.text as { content: string }).content).toBe('您好王磊，很高兴为您服务！');
    // the SOP's first step is planned at the bot's clock (ahead of the real one): bring it forward
    const step = await waitFor(
      async () => {
        await promoteDelayedJobs(container.queues.get('sop'));
        return world.callsTo('message/send').filter((c) => c.body.touser === 'newbie');
      },
      (s) => s.length >= 1,
      15_000,
      'the first SOP step',
    );
    expect(messageText(step[0]!.body)).toContain('来源：直接添加');
  });
});
