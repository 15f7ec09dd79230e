import { Customer, CustomerTag } from '../../entities';
import { CaptureHarness, ROBOT } from '../helpers/capture-harness';

const TAG_GROUPS = [
  { group_id: 'etGroupChannel', group_name: '渠道', create_time: 1, order: 1, tag: [{ id: 'etLive', name: '直播间', create_time: 1, order: 1 }] },
  { group_id: 'etGroupLevel', group_name: '客户等级', create_time: 1, order: 2, tag: [{ id: 'etVip', name: 'VIP', create_time: 1, order: 1 }] },
];

/**
 * WeCom's current tags are the truth for corp tags, whoever linked them here (a channel rule, 打标签
 * or the WeCom client); local tags are ours alone. Driven as WeCom drives it: callbacks into the
 * webhook, the queue and worker, WeCom's API played by nock.
 */
describe('corp tags follow WeCom', () => {
  jest.setTimeout(60_000);
  let h: CaptureHarness;

  beforeAll(async () => {
    h = await CaptureHarness.start('tag-truth', {
      rules: {
        rules: [
          {
            name: 'live',
            match: { prefix: 'live-' },
            tags: [
              { group: '渠道', name: '直播间' },
              { group: '意向', name: '高意向', local: true },
            ],
            welcome: '您好{name}',
          },
        ],
        default: {},
      },
      teams: { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan', 'lisi'], robotWebhookUrl: ROBOT }] },
      env: { CRM_ADMINS: 'boss' },
    });
  });

  beforeEach(async () => {
    const world = await h.reset();
    world.tagGroups = structuredClone(TAG_GROUPS);
    world.followUsers = ['ZhangSan', 'lisi'];
    for (const [userid, name] of [
      ['ZhangSan', '张三销售'],
      ['lisi', '李四销售'],
      ['Boss', '王经理'],
    ] as const)
      world.addMember(userid, name);
    await h.nameStaff({ zhangsan: '张三销售', lisi: '李四销售', boss: '王经理' });
  });

  afterAll(() => h.close());

  /** The nightly job, run now through the maintenance queue; resolves once it and what it sent are done. */
  const reconcileNow = async () => {
    const job = await h.container.queues.get('maintenance').add('reconcile', {}, { removeOnComplete: true });
    await job.finished();
    await h.settled();
  };

  const tagNames = async (externalUserid: string) => {
    const customer = await h.repo(Customer).findOneByOrFail({ externalUserid });
    const links = await h.repo(CustomerTag).find({ where: { customerId: customer.id }, relations: { tag: true } });
    return links.map((l) => `${l.tag.name}:${l.source}`).sort();
  };

  it('a corp tag added by a channel rule or by 打标签 and then removed in the WeCom client leaves the profile; local tags stay', async () => {
    h.world.addCustomer('wmTagged', '小红', [{ userid: 'ZhangSan', state: 'live-1' }]);
    await h.post(h.contactEvent('add_external_contact', 'wmTagged', { state: 'live-1', welcomeCode: 'WC-T1' }));
    await h.settled();
    expect(await h.say('ZhangSan', '打标签 小红 VIP 老客户')).toContain('VIP');
    await h.settled();
    expect(await tagNames('wmTagged')).toEqual(['VIP:command', '直播间:rule', '老客户:command', '高意向:rule']);
    // both corp tags reached WeCom (mark_tag), so WeCom's client shows them
    expect(
      h.world.customers
        .get('wmTagged')!
        .follow_user[0]!.tags!.map((t) => t.tag_id)
        .sort(),
    ).toEqual(['etLive', 'etVip']);

    // The salesperson removes both in the WeCom client: WeCom sends edit_external_contact.
    h.world.untagInClient('wmTagged', 'ZhangSan', ['etLive', 'etVip']);
    await h.post(h.contactEvent('edit_external_contact', 'wmTagged'));
    await h.settled();
    expect(await tagNames('wmTagged')).toEqual(['老客户:command', '高意向:rule']);
    const card = await h.say('ZhangSan', '查客户 小红');
    expect(card).toContain('高意向、老客户');
    expect(card).not.toContain('直播间');
    expect(card).not.toContain('VIP');
    // the timeline names what WeCom took away
    expect(await h.say('ZhangSan', '查客户 小红 全部')).toMatch(/企业微信里去掉了标签：(直播间、VIP|VIP、直播间)/);
  });

  it('the nightly reconciliation repairs tag drift WeCom sent no event for, counting each follower’s tags', async () => {
    h.world.addCustomer('wmDrift', '小明', [{ userid: 'ZhangSan', state: 'live-2' }]);
    h.world.addCustomer('wmShared', '小刚', [
      { userid: 'ZhangSan', tags: [{ group_name: '客户等级', tag_name: 'VIP', type: 1, tag_id: 'etVip' }] },
      { userid: 'lisi', tags: [{ group_name: '客户等级', tag_name: 'VIP', type: 1, tag_id: 'etVip' }] },
    ]);
    await h.post(h.contactEvent('add_external_contact', 'wmDrift', { state: 'live-2', welcomeCode: 'WC-D1' }));
    await h.post(h.contactEvent('add_external_contact', 'wmShared', { welcomeCode: 'WC-D2' }));
    await h.post(h.contactEvent('add_external_contact', 'wmShared', { userId: 'lisi', welcomeCode: 'WC-D3' }));
    await h.settled();
    expect(await tagNames('wmDrift')).toEqual(['直播间:rule', '高意向:rule']);
    expect(await tagNames('wmShared')).toEqual(['VIP:wecom']);

    // Edits whose callbacks never arrived: 直播间 removed and VIP added on 小明; one of 小刚's two followers drops VIP.
    h.world.untagInClient('wmDrift', 'ZhangSan', ['etLive']);
    h.world.customers.get('wmDrift')!.follow_user[0]!.tags!.push({ group_name: '客户等级', tag_name: 'VIP', type: 1, tag_id: 'etVip' });
    h.world.untagInClient('wmShared', 'lisi', ['etVip']);

    const sendsBefore = h.world.callsTo('message/send').length;
    await reconcileNow();
    const reports = h.world
      .callsTo('message/send')
      .slice(sendsBefore)
      .filter((s) => s.body.touser === 'boss');
    expect(reports).toHaveLength(1);
    expect(JSON.stringify(reports[0]!.body)).toContain('客户标签：补上 1，移除 1');
    expect(await tagNames('wmDrift')).toEqual(['VIP:wecom', '高意向:rule']);
    expect(await tagNames('wmShared')).toEqual(['VIP:wecom']); // ZhangSan still has it on 小刚

    // A second run finds nothing to repair and reports nothing.
    const again = h.world.callsTo('message/send').length;
    await reconcileNow();
    expect(h.world.callsTo('message/send').length).toBe(again);
    expect(await tagNames('wmDrift')).toEqual(['VIP:wecom', '高意向:rule']);
  });
});
