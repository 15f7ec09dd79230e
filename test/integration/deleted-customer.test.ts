import { Customer, CustomerRelation, FollowUp, Reminder } from '../../entities';
import { CaptureHarness, ROBOT } from '../helpers/capture-harness';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { messageText } from '../helpers/fake-wecom';
import { waitFor } from '../helpers/test-env';

/**
 * A customer who deleted the salesperson (删人) stays theirs to find: the 删人提醒 says the
 * follow-ups are kept, so 查客户 and 记录跟进 must still reach the customer, and the profile says
 * who followed them and when that ended. Driven as WeCom and a salesperson would.
 */
describe('a customer who deleted the salesperson', () => {
  jest.setTimeout(60_000);
  let h: CaptureHarness;

  beforeAll(async () => {
    h = await CaptureHarness.start('deleted-customer', {
      rules: { rules: [{ name: 'live', match: { prefix: 'live-' }, stage: 'prospect', welcome: '您好{name}' }], default: {} },
      teams: { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan', 'lisi'], robotWebhookUrl: ROBOT }] },
    });
  });

  beforeEach(async () => {
    const world = await h.reset();
    for (const [userid, name] of [
      ['ZhangSan', '张三销售'],
      ['lisi', '李四销售'],
      ['Boss', '王经理'],
    ] as const)
      world.addMember(userid, name);
    await h.nameStaff({ zhangsan: '张三销售', lisi: '李四销售', boss: '王经理' });
  });

  afterAll(() => h.close());

  /** 陈静 scans ZhangSan's live QR code, gets a follow-up, then deletes ZhangSan in WeChat. */
  async function addThenDelete(externalUserid: string, name: string): Promise<void> {
    h.world.addCustomer(externalUserid, name, [{ userid: 'ZhangSan', state: 'live-1201' }]);
    await h.post(h.contactEvent('add_external_contact', externalUserid, { state: 'live-1201', welcomeCode: `WC-${externalUserid}` }));
    await h.settled();
    expect(await h.say('ZhangSan', `提醒 明天上午10点 ${name} 回访`)).toContain('回访');
    h.world.customers.get(externalUserid)!.follow_user = [];
    await h.post(h.contactEvent('del_follow_user', externalUserid));
    await h.settled();
  }

  it('查客户 and 记录跟进 still find them for the former owner; the profile says who followed them and when they left', async () => {
    await addThenDelete('wmChen', '陈静');
    const alert = h.world.callsTo('message/send').find((c) => JSON.stringify(c.body).includes('删人提醒'));
    expect(JSON.stringify(alert!.body)).toContain('跟进记录已保留');

    const card = await h.say('ZhangSan', '查客户 陈静');
    expect(card).toContain('客户档案');
    expect(card).toContain('陈静');
    expect(card).toContain('已删除');
    expect(card).toContain('原负责人张三销售');
    expect(card).toContain('客户删除了张三销售');
    expect(card).toContain('live-1201');

    const recorded = await h.say('ZhangSan', '记录跟进 陈静 打电话问了原因，客户说换了微信号');
    expect(recorded).toContain('已记录跟进：陈静');
    const customer = await h.repo(Customer).findOneByOrFail({ externalUserid: 'wmChen' });
    expect(await h.repo(FollowUp).findBy({ customerId: customer.id })).toEqual([
      expect.objectContaining({ staffUserid: 'zhangsan', content: '打电话问了原因，客户说换了微信号' }),
    ]);
    // the relation stays ended: finding a customer is not following them again
    expect(await h.repo(CustomerRelation).findOneByOrFail({ customerId: customer.id })).toMatchObject({ status: 'lost' });

    // 查看客户 on a reminder card about them shows the same profile.
    const reminder = await h.repo(Reminder).findOneByOrFail({ customerId: customer.id });
    const before = h.world.callsTo('message/send').length;
    await h.post(
      templateCardEventXml({
        corpId: h.container.wecom.corpId,
        from: 'ZhangSan',
        eventKey: `rem:customer:${reminder.id}`,
        taskId: `rem-${reminder.id}`,
        responseCode: 'RC-view',
      }),
    );
    const viewed = await waitFor(
      async () => h.world.callsTo('message/send').slice(before),
      (c) => c.length > 0,
      15_000,
      'the profile card',
    );
    expect(messageText(viewed[0]!.body)).toContain('已删除');
    expect(messageText(viewed[0]!.body)).toContain('原负责人张三销售');

    // A colleague who never followed 陈静 still cannot see them.
    expect(await h.say('lisi', '查客户 陈静')).toContain('没有找到客户「陈静」');
  });

  it('among same-name customers the ones still followed come first in the list, the deleted one after', async () => {
    await addThenDelete('wmChenOld', '陈静');
    h.world.addCustomer('wmChenNew', '陈静', [{ userid: 'ZhangSan', state: 'live-1202' }]);
    await h.post(h.contactEvent('add_external_contact', 'wmChenNew', { state: 'live-1202', welcomeCode: 'WC-new' }));
    await h.settled();

    const list = await h.say('ZhangSan', '查客户 陈静');
    expect(list).toContain('找到2位「陈静」');
    // the one still followed is 1, the one who left is 2 and says so
    expect(list).toMatch(/1\. 陈静 · 渠道 live-1202/);
    expect(list).toMatch(/2\. 陈静 · \d+月\d+日已删除 · 渠道 live-1201/);
    const second = await h.say('ZhangSan', '2');
    expect(second).toContain('已删除');
    expect(second).toContain('live-1201');

    await h.say('ZhangSan', '查客户 陈静');
    const first = await h.say('ZhangSan', '1');
    expect(first).toContain('live-1202');
    expect(first).not.toContain('已删除');
  });
});
