import { Customer, CustomerRelation, InboundEvent, Reminder, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

/** The bot's clock, a week ahead: reminders are delayed jobs timed by the real clock. */
const NOW = dayjs().add(7, 'day').toDate();

/**
 * "Which 王磊?" lists answered with a number, end to end: the webhook, the inbound queue with its
 * retries, the worker, MariaDB and the conversation store in Redis.
 */
describe('a number answers the list that was open when it arrived', () => {
  let harness: WebhookHarness;
  let container: Container;
  let calls: WecomCall[];
  let msgId = 8_300_000_000_000_000_000n;
  let ids: number[];
  /** how far in the past the conversation store dates what it stores (a list opened minutes ago) */
  let listClockLag = 0;

  beforeAll(async () => {
    harness = await startWebhookHarness('choice-lists', { INBOUND_MAX_ATTEMPTS: '12', INBOUND_RETRY_DELAY_MS: '50' }, () => NOW, {
      conversationClock: () => new Date(Date.now() - listClockLag),
    });
    container = harness.container;
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await deleteRedisPrefix(`${container.queues.keyPrefix}:conversation`);
    listClockLag = 0;
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' });
    const customers = container.dataSource.getRepository(Customer);
    const relations = container.dataSource.getRepository(CustomerRelation);
    ids = [];
    for (const [n, state, mobile] of [
      [1, 'live-demo', '13811112222'],
      [2, null, '13933334444'],
    ] as const) {
      const c = await customers.save({ name: '王磊', externalUserid: `wmWangLei${n}` });
      await relations.save({ customerId: c.id, staffUserid: 'zhangsan', state, remarkMobiles: [mobile], addedAt: new Date(`2026-10-0${n}T02:00:00Z`) });
      ids.push(c.id);
    }
  });

  afterAll(async () => {
    await harness.close();
  });

  const sends = () => calls.filter((c) => c.api === 'message/send');
  /** Posts a message as zhangsan; its MsgId. */
  async function post(content: string): Promise<string> {
    const id = String((msgId += 1n));
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content, msgId: id }));
    return id;
  }
  async function say(content: string): Promise<string> {
    const before = sends().length;
    await post(content);
    const all = await waitFor(
      async () => sends(),
      (s) => s.length > before,
      15_000,
      `a reply to "${content}"`,
    );
    return messageText(all[before]!.body);
  }
  const wangLei = (i: number) => container.dataSource.getRepository(Customer).findOneByOrFail({ id: ids[i]! });
  /** The number a list gives the 王磊 whose phone ends in `tail` (as the salesperson reads the list). */
  const numberOf = (list: string, tail: string) => {
    const line = JSON.parse(list)
      .content.split('\n')
      .find((l: string) => l.includes(`尾号${tail}`));
    return String(line.split('.')[0]);
  };

  it('a retried answer takes its own list, not the one shown while it waited', async () => {
    const first = await say('勿扰 王磊 客户要求不再打扰');
    expect(first).toContain('找到2位「王磊」');
    const [pickFirst, pickSecond] = [numberOf(first, '2222'), numberOf(first, '4444')];

    // The answer's first tries fail (as 勿扰 did on SQLite); it is retried by the queue.
    const doNotContact = container.services.doNotContact;
    const set = doNotContact.set.bind(doNotContact);
    let failing = true;
    doNotContact.set = async (input) => {
      if (failing) throw new Error('database is locked');
      return set(input);
    };
    try {
      const answerId = await post(pickFirst);
      await waitFor(
        () => container.dataSource.getRepository(InboundEvent).findOneBy({ dedupeKey: `msg:${answerId}` }),
        (e) => (e?.attempts ?? 0) >= 1 && e?.lastError !== null,
        15_000,
        'the answer to fail once',
      );

      // Meanwhile another command shows a new list of the same customers.
      const second = await say('提醒 周五 王磊 回访');
      expect(second).toContain('找到2位「王磊」');
      expect([numberOf(second, '2222'), numberOf(second, '4444')]).toEqual([pickFirst, pickSecond]);

      const before = sends().length;
      failing = false;
      const replies = await waitFor(
        async () => sends(),
        (s) => s.length > before,
        15_000,
        'the retried answer',
      );
      const answer = messageText(replies[before]!.body);
      expect(answer).toContain('已将 王磊 设为勿扰');
      expect(answer).toContain('「提醒 周五 王磊 回访」的列表还在等你回复数字');
    } finally {
      doNotContact.set = set;
    }
    expect(await wangLei(0)).toMatchObject({ doNotContact: true, doNotContactReason: '客户要求不再打扰' });
    expect((await wangLei(1)).doNotContact).toBe(false);
    expect(await container.dataSource.getRepository(Reminder).count()).toBe(0);

    // The newer list is still open, and answered by the next number.
    expect(await say(pickSecond)).toContain('提醒已设好');
    const [reminder] = await container.dataSource.getRepository(Reminder).find();
    expect(reminder).toMatchObject({ customerId: ids[1], content: '回访' });
  });

  it('a list answered once is not answered again, and a number without a list is told so', async () => {
    expect(await say('2')).toContain('现在没有等你回复数字的列表');
    const list = await say('勿扰 王磊');
    expect(await say(`第${numberOf(list, '4444')}个`)).toContain('已将 王磊 设为勿扰');
    expect(await say(numberOf(list, '2222'))).toContain(`这个列表已经选过了（回复的是 ${numberOf(list, '4444')}）`);
    expect((await wangLei(0)).doNotContact).toBe(false);
    expect((await wangLei(1)).doNotContact).toBe(true);
  });

  it('a number out of range keeps the list open', async () => {
    const list = await say('勿扰 王磊');
    expect(await say('5')).toContain('请回复 1 到 2 之间的数字');
    expect(await say(numberOf(list, '2222'))).toContain('已将 王磊 设为勿扰');
    expect((await wangLei(0)).doNotContact).toBe(true);
  });

  it('a number after ten minutes is told the list expired and what to type, and changes nothing', async () => {
    // The list was shown eleven minutes before the number arrives.
    listClockLag = 11 * 60_000;
    await say('勿扰 王磊 客户要求不再打扰');
    listClockLag = 0;
    const late = await say('1');
    expect(late).toContain('这个列表已经过期了（超过10分钟），没有执行');
    expect(late).toContain('请重新发送「勿扰 王磊 客户要求不再打扰」');
    expect((await wangLei(0)).doNotContact).toBe(false);
    expect((await wangLei(1)).doNotContact).toBe(false);
  });

  it('tells the two 王磊 apart by channel, date added, last follow-up and phone', async () => {
    const asked = await say('记录跟进 王磊 电话沟通了报价');
    await say(numberOf(asked, '2222'));
    const list = JSON.parse(await say('查客户 王磊')).content as string;
    expect(list).toMatch(/\d\. 王磊 · 渠道 抖音直播间 · 10月1日添加 · 最近跟进 \d+月\d+日「电话沟通了报价」 · 尾号2222/);
    expect(list).toMatch(/\d\. 王磊 · 直接添加 · 10月2日添加 · 还没有跟进 · 尾号4444/);
  });
});
