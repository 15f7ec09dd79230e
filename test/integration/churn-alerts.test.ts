import request from 'supertest';
import { CustomerRelation } from '../../entities';
import { CaptureHarness, ROBOT } from '../helpers/capture-harness';
import { messageText } from '../helpers/fake-wecom';

const TEAMS = {
  teams: [
    { name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT },
    // no group chat: the lead hears about churn directly
    { name: '华南', lead: 'Nan', members: ['lisi'] },
  ],
};
const NAMES = { zhangsan: '张三销售', lisi: '李四销售', boss: '王经理', nan: '南经理' };

/** Churn is never silent: each way a customer goes, someone who can act hears of it. Driven through the webhook and the queue. */
function setUp(label: string, env: Record<string, string>) {
  const ctx = {} as { h: CaptureHarness };
  beforeAll(async () => {
    ctx.h = await CaptureHarness.start(label, { teams: TEAMS, env });
  });
  beforeEach(async () => {
    const world = await ctx.h.reset();
    for (const [userid, name] of [
      ['ZhangSan', '张三销售'],
      ['lisi', '李四销售'],
      ['Boss', '王经理'],
      ['Nan', '南经理'],
    ] as const)
      world.addMember(userid, name);
    world.followUsers = ['ZhangSan', 'lisi', 'Boss'];
    await ctx.h.nameStaff(NAMES);
  });
  afterAll(() => ctx.h.close());
  return ctx;
}

/** A customer added by `userid` through the webhook, as WeCom reports a scan. */
async function added(h: CaptureHarness, externalUserid: string, name: string, userid: string): Promise<void> {
  h.world.addCustomer(externalUserid, name, [{ userid }]);
  await h.post(h.contactEvent('add_external_contact', externalUserid, { userId: userid }));
  await h.settled();
}

const sentTo = (h: CaptureHarness, api: string, touser?: string) =>
  h.world
    .callsTo(api)
    .filter((c) => touser === undefined || String(c.body.touser).toLowerCase() === touser.toLowerCase())
    .map((c) => messageText(c.body));

/** The nightly job, run now through the maintenance queue; resolves once it and what it sent are done. */
async function reconcileNow(h: CaptureHarness): Promise<void> {
  const job = await h.container.queues.get('maintenance').add('reconcile', {}, { removeOnComplete: true });
  await job.finished();
  await h.settled();
}

describe('churn alerts (admins configured)', () => {
  jest.setTimeout(60_000);
  const ctx = setUp('churn', { CRM_ADMINS: 'Admin1' });

  it('a salesperson deleting a customer (del_external_contact) tells their lead, not the group, once', async () => {
    const { h } = ctx;
    await added(h, 'wmChen', '陈静', 'ZhangSan');
    h.world.customers.get('wmChen')!.follow_user = [];
    const xml = h.contactEvent('del_external_contact', 'wmChen');
    await h.post(xml);
    await h.settled();
    await h.post(xml); // WeCom redelivers
    await h.settled();

    expect(sentTo(h, 'message/send', 'Boss')).toEqual([expect.stringContaining('张三销售 删除了客户 陈静')]);
    expect(sentTo(h, 'message/send', 'ZhangSan')).toEqual([]);
    expect(h.world.callsTo('webhook/send')).toEqual([]);
    expect(await h.repo(CustomerRelation).findOneByOrFail({ staffUserid: 'zhangsan' })).toMatchObject({ status: 'removed', endReason: 'deleted_by_staff' });
  });

  it('a transfer to a colleague alerts nobody; the lead deleting their own customer tells the admins', async () => {
    const { h } = ctx;
    await added(h, 'wmMoved', '刘洋', 'ZhangSan');
    await h.post(h.contactEvent('del_external_contact', 'wmMoved', { source: 'DELETE_BY_TRANSFER' }));
    await added(h, 'wmBossOwn', '赵敏', 'Boss');
    await h.post(h.contactEvent('del_external_contact', 'wmBossOwn', { userId: 'Boss' }));
    await h.settled();
    expect(sentTo(h, 'message/send')).toEqual([expect.stringContaining('王经理 删除了客户 赵敏')]);
    expect(h.world.callsTo('message/send')[0]!.body.touser).toBe('admin1');
  });

  it('a customer deleting a salesperson whose team has no group chat: the salesperson and the lead get the 删人提醒', async () => {
    const { h } = ctx;
    await added(h, 'wmGone', '黄磊', 'lisi');
    h.world.customers.get('wmGone')!.follow_user = [];
    await h.post(h.contactEvent('del_follow_user', 'wmGone', { userId: 'lisi' }));
    await h.settled();
    expect(sentTo(h, 'message/send', 'lisi')).toEqual([expect.stringContaining('客户 黄磊 删除了你')]);
    expect(sentTo(h, 'message/send', 'Nan')).toEqual([expect.stringContaining('客户 黄磊 删除了 李四销售')]);
  });

  it('deletions found only by the reconciliation get a 删人提醒 (salesperson, group or lead), and a salesperson who left is reported to the lead', async () => {
    const { h } = ctx;
    await added(h, 'wmA', '陈静', 'ZhangSan');
    await added(h, 'wmB', '刘洋', 'ZhangSan');
    await added(h, 'wmC', '周婷', 'lisi');
    await added(h, 'wmD', '吴昊', 'Boss');
    // Callbacks that never came: both of ZhangSan's customers are gone from WeCom; Boss no longer has customer contact.
    h.world.customers.get('wmA')!.follow_user = [];
    h.world.customers.get('wmB')!.follow_user = [];
    h.world.followUsers = ['ZhangSan', 'lisi'];
    const before = h.world.calls.length;
    await reconcileNow(h);

    const sends = h.world.calls.slice(before).filter((c) => c.api === 'message/send' || c.api === 'webhook/send');
    const to = (user: string) => sends.filter((c) => String(c.body.touser).toLowerCase() === user).map((c) => messageText(c.body));
    expect(to('zhangsan')).toEqual([expect.stringContaining('2位客户已不在你的客户中')]);
    expect(to('zhangsan')[0]).toMatch(/陈静、刘洋|刘洋、陈静/);
    const group = sends.filter((c) => c.api === 'webhook/send').map((c) => messageText(c.body));
    expect(group).toEqual([expect.stringContaining('已不在 张三销售 的客户中')]);
    // Boss left customer contact: his lead is missing (he is the lead), so the admins hear of it with the drift report.
    expect(to('admin1')).toEqual(expect.arrayContaining([expect.stringContaining('王经理 已不是客户联系成员'), expect.stringContaining('企业微信数据核对')]));
    expect(to('lisi')).toEqual([]);
    expect(await h.repo(CustomerRelation).countBy({ status: 'removed', endReason: 'missing_in_wecom' })).toBe(2);

    // The next night finds nothing new and tells nobody again.
    const again = h.world.calls.length;
    await reconcileNow(h);
    expect(h.world.calls.slice(again).filter((c) => c.api === 'message/send' || c.api === 'webhook/send')).toEqual([]);
  });
});

describe('churn alerts without CRM_ADMINS', () => {
  jest.setTimeout(60_000);
  const ctx = setUp('churn-noadmin', {});

  it('the drift report goes to the team leads, and /readyz and /metrics say that no admin is set', async () => {
    const { h } = ctx;
    await added(h, 'wmX', '孙浩', 'lisi');
    h.world.customers.get('wmX')!.follow_user = [];
    await reconcileNow(h);
    const drift = (user: string) => sentTo(h, 'message/send', user).filter((t) => t.includes('企业微信数据核对') && t.includes('跟进关系'));
    expect(drift('Boss')).toHaveLength(1);
    expect(drift('Nan')).toHaveLength(1);
    // lisi's 删人提醒 goes to her and, her team having no group chat, to her lead
    expect(sentTo(h, 'message/send', 'lisi')).toEqual([expect.stringContaining('客户 孙浩 已不在你的客户中')]);

    const ready = await request(h.harness.app.callback()).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.warnings).toEqual([expect.stringContaining('CRM_ADMINS is empty')]);
    const metrics = await request(h.harness.app.callback()).get('/metrics');
    expect(metrics.text).toContain('crm_config_warning{code="no_admins"} 1');
  });
});
