import { Customer, Reminder } from '../../entities';
import { fireDelayedWorkNow } from '../../src/modules/sandbox/sandbox.module';
import { CaptureHarness, ROBOT } from '../helpers/capture-harness';
import { messageText } from '../helpers/fake-wecom';
import { waitFor } from '../helpers/test-env';

/**
 * Reminders about a customer who deleted the salesperson: one set before the deletion is closed at
 * its time (ended-relation.ts), so 待办, the profile and 今日 leave it out as well; one the
 * salesperson sets afterwards, knowing (to phone them, say), is theirs and fires like any other.
 * Driven as WeCom and a salesperson would: add and 删人 callbacks, typed commands, the real queue.
 */
describe('reminders of a customer who deleted the salesperson', () => {
  jest.setTimeout(60_000);
  let h: CaptureHarness;

  beforeAll(async () => {
    h = await CaptureHarness.start('ended-todo', {
      rules: { rules: [], default: {} },
      teams: { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT }] },
    });
  });

  beforeEach(async () => {
    const world = await h.reset();
    for (const [userid, name] of [
      ['ZhangSan', '张三销售'],
      ['Boss', '王经理'],
    ] as const)
      world.addMember(userid, name);
    await h.nameStaff({ zhangsan: '张三销售', boss: '王经理' });
    world.addCustomer('wmChen', '陈静', [{ userid: 'ZhangSan' }]);
    await h.post(h.contactEvent('add_external_contact', 'wmChen', { welcomeCode: 'WC-chen' }));
    await h.settled();
  });

  afterAll(() => h.close());

  const sendsTo = (userid: string) => h.world.callsTo('message/send').filter((c) => String(c.body.touser).toLowerCase() === userid.toLowerCase());

  async function deleted(): Promise<void> {
    h.world.customers.get('wmChen')!.follow_user = [];
    // a second later than anything set before it: relation ends and reminder creations are kept to the second
    const second = Math.floor(Date.now() / 1000);
    await waitFor(
      async () => Math.floor(Date.now() / 1000),
      (now) => now > second,
      2000,
      'the next second',
    );
    await h.post(h.contactEvent('del_follow_user', 'wmChen'));
    await h.settled();
  }

  it('待办, 查客户 and 今日 leave out a reminder set before the deletion, which closes at its time', async () => {
    expect(await h.say('ZhangSan', '提醒 明天上午10点 陈静 回访')).toContain('提醒已设好');
    expect(await h.say('ZhangSan', '提醒 明天上午11点 写周报')).toContain('提醒已设好');
    expect(await h.say('ZhangSan', '今日')).toContain('明天的提醒 **2**');
    expect(await h.say('ZhangSan', '记录跟进 陈静 电话没接，后天上午10点再打')).toContain('已记录跟进');
    await deleted();

    const todo = await h.say('ZhangSan', '待办');
    expect(todo).toContain('待办提醒（1）');
    expect(todo).toContain('写周报');
    expect(todo).not.toContain('回访');
    const profile = await h.say('ZhangSan', '查客户 陈静');
    expect(profile).toContain('已删除');
    // added today: not 「客户0天」
    expect(profile).toContain('线索 · 今天添加');
    expect(profile).toContain('"value":"线索 · 今天起"');
    expect(profile).toContain('"keyname":"待办","value":"无"');
    expect(await h.say('ZhangSan', '今日')).toContain('明天的提醒 **1**');

    // at its time it is closed with the reason, as before
    const before = sendsTo('ZhangSan').length;
    await fireDelayedWorkNow(h.container.queues);
    const fired = await waitFor(
      async () =>
        sendsTo('ZhangSan')
          .slice(before)
          .map((c) => messageText(c.body)),
      (s) => s.length >= 3,
      15_000,
      'the three reminders handled',
    );
    expect(fired.some((t) => t.includes('已自动关闭') && t.includes('回访'))).toBe(true);
    // the follow-up's reminder 「联系 陈静：…」 names 陈静 once, in the brackets
    const closedFollowUp = fired.find((t) => t.includes('电话没接'))!;
    expect(closedFollowUp).toContain('已自动关闭（陈静：客户已删除你');
    expect(closedFollowUp).toContain('原事项：电话没接，后天上午10点再打');
    expect(fired.some((t) => t.includes('button_interaction') && t.includes('写周报'))).toBe(true);
  });

  it('a reminder set after the deletion is listed in 待办 and fires as a card, not closed', async () => {
    await deleted();
    const confirmation = await h.say('ZhangSan', '提醒 明天下午3点 陈静 打电话问原因');
    expect(confirmation).toContain('提醒已设好');
    const customer = await h.repo(Customer).findOneByOrFail({ externalUserid: 'wmChen' });
    const reminder = await h.repo(Reminder).findOneByOrFail({ customerId: customer.id });

    expect(await h.say('ZhangSan', '待办')).toContain('打电话问原因');
    expect(await h.say('ZhangSan', '查客户 陈静')).toContain('1条 · 下次');

    const before = sendsTo('ZhangSan').length;
    await fireDelayedWorkNow(h.container.queues);
    const card = await waitFor(
      async () => sendsTo('ZhangSan').slice(before),
      (s) => s.length >= 1,
      15_000,
      'the reminder card',
    );
    expect(card[0]!.body.msgtype).toBe('template_card');
    expect(messageText(card[0]!.body)).toContain('打电话问原因');
    expect(messageText(card[0]!.body)).not.toContain('已自动关闭');
    await waitFor(
      () => h.repo(Reminder).findOneByOrFail({ id: reminder.id }),
      (r) => r.status === 'sent',
      10_000,
      'the reminder sent',
    );
  });
});
