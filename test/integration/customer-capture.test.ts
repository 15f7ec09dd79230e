import type Koa from 'koa';
import nock from 'nock';
import request from 'supertest';
import {
  AuditLog,
  Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  InboundEvent,
  OutboundMessage,
  Staff,
  Tag,
  Team,
} from '../../entities';
import { parseChannelRules } from '../../src/modules/capture/channel-rules';
import { captureWork, createCaptureModule } from '../../src/modules/capture/capture.module';
import { coreModules } from '../../src/feature-modules';
import { parseTeamsFile } from '../../src/modules/capture/teams-file';
import type { Container } from '../../src/container';
import { createInboundProcessor } from '../../src/platform/events/inbound.processor';
import { sweepStaleEvents } from '../../src/platform/events/stale-event.sweeper';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { externalChatXml, externalTagXml } from '../helpers/capture-callbacks';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=team-east-key';

const rules = parseChannelRules({
  rules: [
    {
      name: 'live',
      match: { prefix: 'live-' },
      tags: [
        { group: '渠道', name: '直播间' },
        { group: '意向', name: '高意向', local: true },
      ],
      stage: 'prospect',
      welcome: '您好{name}，我是{staff}',
      sops: ['live-sop'],
    },
  ],
  default: { welcome: '您好{name}' },
});
const teams = parseTeamsFile({ teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan', 'lisi'], robotWebhookUrl: ROBOT }] });

/**
 * Customer capture end to end: signed callbacks into the real webhook, the real Bull queue and
 * worker, MariaDB, and WeCom's API faked by nock (FakeWecomWorld).
 */
describe('customer capture through the webhook', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let world: FakeWecomWorld;
  const sopCalls: Array<{ customerId: number; sopNames: string[]; sourceKey: string }> = [];

  beforeAll(async () => {
    container = await createTestContainer('capture', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50', OUTBOUND_PACING_WINDOW_MS: '200' });
    world = new FakeWecomWorld().install();
    const capture = createCaptureModule(container, {
      rules,
      teams,
      sops: {
        planOnCustomerAdded: async (_m, input) => {
          sopCalls.push(input);
          return async () => undefined;
        },
      },
    });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: [...coreModules(container), captureWork(container, capture)] });
    await worker.ready;
  });

  beforeEach(async () => {
    await resetState(container);
    nock.cleanAll(); // the start-up world of beforeAll
    world = new FakeWecomWorld().install();
    sopCalls.length = 0;
    const { syncTeams } = await import('../../src/modules/capture/teams-file');
    await syncTeams(container.dataSource, teams);
    await container.dataSource.getRepository(Staff).update({ userid: 'zhangsan' }, { name: '张三销售' });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  async function post(xml: string): Promise<void> {
    const req = signedCallback(container.wecom, xml);
    const res = await request(app.callback()).post(req.path).send(req.body);
    expect(res.status).toBe(200);
  }

  const contactEvent = (
    changeType: string,
    externalUserId: string,
    extra: { userId?: string; state?: string; welcomeCode?: string; source?: string; failReason?: string; createTime?: number } = {},
  ) => externalContactXml({ corpId: container.wecom.corpId, changeType, userId: extra.userId ?? 'ZhangSan', externalUserId, ...extra });

  const processed = () =>
    waitFor(
      () => container.dataSource.getRepository(InboundEvent).find(),
      (rows) => rows.length > 0 && rows.every((r) => r.status === 'done'),
      15_000,
      'every event processed',
    );
  const repo = <T extends object>(entity: new () => T) => container.dataSource.getRepository(entity);

  it('an add event becomes a customer with channel tags, a mark_tag call and the welcome call', async () => {
    world.addCustomer('wmLive1', '小红', [{ userid: 'ZhangSan', state: 'live-1122', remark: '直播客户' }]);
    await post(contactEvent('add_external_contact', 'wmLive1', { state: 'live-1122', welcomeCode: 'WC-1' }));

    const welcome = await waitFor(
      async () => world.callsTo('externalcontact/send_welcome_msg'),
      (c) => c.length === 1,
      15_000,
      'the welcome call',
    );
    expect(welcome[0]!.body).toEqual({ welcome_code: 'WC-1', text: { content: '您好小红，我是张三销售' } });
    await processed();

    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmLive1' });
    expect(customer).toMatchObject({ name: '小红', wecomType: 1, gender: 1, stage: 'prospect' });
    const relation = await repo(CustomerRelation).findOneByOrFail({ customerId: customer.id });
    expect(relation).toMatchObject({ staffUserid: 'zhangsan', state: 'live-1122', remark: '直播客户', status: 'active' });

    const marks = world.callsTo('externalcontact/mark_tag');
    expect(marks).toHaveLength(1);
    const corpTag = await repo(Tag).findOneByOrFail({ name: '直播间', origin: 'wecom' });
    expect(marks[0]!.body).toEqual({ userid: 'ZhangSan', external_userid: 'wmLive1', add_tag: [corpTag.wecomTagId] });
    expect(world.callsTo('externalcontact/add_corp_tag')).toHaveLength(1);
    const links = await repo(CustomerTag).find({ where: { customerId: customer.id }, relations: { tag: true } });
    expect(links.map((l) => [l.tag.name, l.tag.origin, l.source]).sort()).toEqual([
      ['直播间', 'wecom', 'rule'],
      ['高意向', 'local', 'rule'],
    ]);
    expect(sopCalls).toEqual([expect.objectContaining({ customerId: customer.id, sopNames: ['live-sop'] })]);
    expect(await repo(AuditLog).countBy({ action: 'customer.add' })).toBe(1);
  });

  it('a worker that dies after the welcome and before recording: the sweeper records the customer, no second welcome', async () => {
    world.addCustomer('wmCrash', '小刚', [{ userid: 'ZhangSan', state: 'live-9' }]);
    const inbound = container.queues.get('inbound');
    await inbound.pause(true); // this worker takes no jobs: the first stage is run by hand below
    try {
      await post(contactEvent('add_external_contact', 'wmCrash', { state: 'live-9', welcomeCode: 'WC-crash' }));
      const event = await repo(InboundEvent).findOneByOrFail({});
      const firstStage = createInboundProcessor(container);
      expect(await firstStage({ data: { eventId: event.id }, attemptsMade: 0, opts: { attempts: 3 } } as never)).toBe('deferred');
      expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(1);
      expect(await repo(Customer).countBy({ externalUserid: 'wmCrash' })).toBe(0); // recording waits
      // The crash: Redis loses every job (the event's and its deferred stage's).
      await inbound.empty();
      expect(await sweepStaleEvents(container, { staleAfterMs: 0, batchSize: 10 })).toBe(1);
    } finally {
      await inbound.resume(true);
    }
    await processed();
    expect(await repo(Customer).findOneByOrFail({ externalUserid: 'wmCrash' })).toMatchObject({ name: '小刚', stage: 'prospect' });
    expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(1);
    expect(world.callsTo('externalcontact/get')).toHaveLength(2); // the recording re-read the customer
    expect(world.callsTo('externalcontact/mark_tag')).toHaveLength(1);
  });

  it('a redelivered add changes nothing and sends nothing twice', async () => {
    world.addCustomer('wmLive2', '小明', [{ userid: 'ZhangSan', state: 'live-1' }]);
    const xml = contactEvent('add_external_contact', 'wmLive2', { state: 'live-1', welcomeCode: 'WC-2', createTime: 1_790_000_000 });
    await post(xml);
    await waitFor(
      async () => world.callsTo('externalcontact/mark_tag'),
      (c) => c.length === 1,
      15_000,
      'the first mark_tag',
    );
    await processed();
    const snapshot = async () => ({
      customers: await repo(Customer).count(),
      relations: await repo(CustomerRelation).count(),
      links: await repo(CustomerTag).count(),
      audits: await repo(AuditLog).count(),
      outbound: await repo(OutboundMessage).count(),
    });
    const before = await snapshot();
    await post(xml); // WeCom retries the same callback
    await waitForQuiet(container);
    expect(await snapshot()).toEqual(before);
    expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(1);
    expect(world.callsTo('externalcontact/mark_tag')).toHaveLength(1);
    expect(await repo(InboundEvent).count()).toBe(1);
  });

  it('two customers added to one salesperson in the same second are both recorded; one customer of two salespeople is one customer with two relations', async () => {
    const second = 1_790_000_100;
    world.addCustomer('wmA', '甲', [{ userid: 'ZhangSan' }, { userid: 'lisi' }]);
    world.addCustomer('wmB', '乙', [{ userid: 'ZhangSan' }]);
    await Promise.all([
      post(contactEvent('add_external_contact', 'wmA', { createTime: second, welcomeCode: 'WC-A' })),
      post(contactEvent('add_external_contact', 'wmB', { createTime: second, welcomeCode: 'WC-B' })),
      post(contactEvent('add_external_contact', 'wmA', { userId: 'lisi', createTime: second, welcomeCode: 'WC-A2' })),
    ]);
    await waitFor(
      () => repo(InboundEvent).count(),
      (n) => n === 3,
      5000,
      'three stored events',
    );
    await processed();
    expect((await repo(Customer).find({ order: { externalUserid: 'ASC' } })).map((c) => c.externalUserid)).toEqual(['wmA', 'wmB']);
    const a = await repo(Customer).findOneByOrFail({ externalUserid: 'wmA' });
    expect((await repo(CustomerRelation).findBy({ customerId: a.id })).map((r) => r.staffUserid).sort()).toEqual(['lisi', 'zhangsan']);
    await waitFor(
      async () => world.callsTo('externalcontact/send_welcome_msg'),
      (c) => c.length === 3,
      10_000,
      'three welcome calls',
    );
    // no channel rule matched: the default welcome, no tags
    expect(world.callsTo('externalcontact/mark_tag')).toHaveLength(0);
  });

  it('a welcome code already used (41051) is recorded as failed with the reason, and the add still succeeds', async () => {
    world.faults.answer('externalcontact/send_welcome_msg', { errcode: 41051, errmsg: 'externaluser has started chatting' });
    world.addCustomer('wmUsed', '老客户', [{ userid: 'ZhangSan' }]);
    await post(contactEvent('add_external_contact', 'wmUsed', { welcomeCode: 'WC-used' }));
    await processed();
    const row = await waitFor(
      () => repo(OutboundMessage).findOneByOrFail({ channel: 'welcome' }),
      (r) => r.status === 'failed',
      10_000,
      'the welcome row failed',
    );
    expect(row.errcode).toBe(41051);
    expect(row.errmsg).toContain('started chatting');
    expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(1);
    expect(await repo(CustomerRelation).countBy({ status: 'active' })).toBe(1);
  });

  it('del_follow_user marks the relation lost with the time, keeps history, and alerts the salesperson and the team group', async () => {
    world.addCustomer('wmGone', '王小姐', [{ userid: 'ZhangSan', state: 'live-9' }]);
    await post(contactEvent('add_external_contact', 'wmGone', { state: 'live-9' }));
    await processed();
    world.customers.get('wmGone')!.follow_user = [];
    const at = Math.floor(Date.now() / 1000);
    await post(contactEvent('del_follow_user', 'wmGone', { createTime: at }));
    await processed();

    const relation = await repo(CustomerRelation).findOneByOrFail({ staffUserid: 'zhangsan' });
    expect(relation).toMatchObject({ status: 'lost', endReason: 'customer_deleted_staff' });
    expect(relation.endedAt!.getTime()).toBe(at * 1000);
    expect(await repo(CustomerTag).count()).toBe(2); // history kept

    const sends = await waitFor(
      async () => world.callsTo('message/send'),
      (c) => c.length === 1,
      10_000,
      'the alert card',
    );
    expect(sends[0]!.body.touser).toBe('ZhangSan');
    expect(JSON.stringify(sends[0]!.body.template_card)).toContain('王小姐');
    const robot = await waitFor(
      async () => world.callsTo('webhook/send'),
      (c) => c.length === 1,
      10_000,
      'the team group alert',
    );
    // the robot's notice card names the salesperson as a member row (a tap opens their profile)
    expect(robot[0]!.body.msgtype).toBe('template_card');
    expect(JSON.stringify(robot[0]!.body)).toContain(JSON.stringify({ keyname: '销售', value: '张三销售', type: 3, userid: 'ZhangSan' }));

    // the same delete redelivered: no second alert
    await post(contactEvent('del_follow_user', 'wmGone', { createTime: at }));
    await waitForQuiet(container);
    expect(world.callsTo('message/send')).toHaveLength(1);
    expect(world.callsTo('webhook/send')).toHaveLength(1);
  });

  it('events out of order: an edit before its add, a delete for an unknown customer, a staff delete by transfer', async () => {
    world.addCustomer('wmEarly', '早到', [{ userid: 'ZhangSan', remark: '备注1' }]);
    await post(contactEvent('edit_external_contact', 'wmEarly'));
    await post(contactEvent('del_external_contact', 'wmNobody'));
    await processed();
    expect(await repo(CustomerRelation).findOneByOrFail({ staffUserid: 'zhangsan' })).toMatchObject({ remark: '备注1', status: 'active' });
    expect(await repo(Customer).countBy({ externalUserid: 'wmNobody' })).toBe(0);

    world.customers.get('wmEarly')!.follow_user[0]!.remark = '备注2';
    await post(contactEvent('add_external_contact', 'wmEarly', { welcomeCode: 'WC-E' }));
    await processed();
    expect(await repo(Customer).count()).toBe(1);
    expect(await repo(CustomerRelation).findOneByOrFail({ staffUserid: 'zhangsan' })).toMatchObject({ remark: '备注2' });

    await post(contactEvent('del_external_contact', 'wmEarly', { source: 'DELETE_BY_TRANSFER' }));
    await processed();
    expect(await repo(CustomerRelation).findOneByOrFail({ staffUserid: 'zhangsan' })).toMatchObject({
      status: 'transferred',
      endReason: 'transferred_to_colleague',
    });
  });

  it('transfer_fail alerts the salesperson and their lead with the reason', async () => {
    world.addCustomer('wmT', '转接客户', [{ userid: 'lisi' }]);
    await post(contactEvent('transfer_fail', 'wmT', { userId: 'lisi', failReason: 'customer_refused' }));
    const sends = await waitFor(
      async () => world.callsTo('message/send'),
      (c) => c.length === 2,
      10_000,
      'two alert cards',
    );
    expect(sends.map((s) => s.body.touser).sort()).toEqual(['Boss', 'lisi']);
    expect(JSON.stringify(sends[0]!.body)).toContain('客户拒绝了转接');
  });

  it('a tag event refreshes the dictionary (new, renamed and deleted tags)', async () => {
    await repo(Tag).save({ wecomTagId: 'etOld', name: '旧标签', groupName: '旧组', origin: 'wecom' });
    world.tagGroups = [
      {
        group_id: 'etG1',
        group_name: '行业',
        create_time: 1,
        order: 1,
        tag: [
          { id: 'etT1', name: '教育', create_time: 1, order: 2 },
          { id: 'etT2', name: '医疗', create_time: 1, order: 1 },
        ],
      },
    ];
    await post(externalTagXml({ corpId: container.wecom.corpId, changeType: 'create', id: 'etT2', tagType: 'tag' }));
    await processed();
    const tags = await repo(Tag).find({ order: { wecomTagId: 'ASC' } });
    expect(tags.map((t) => [t.wecomTagId, t.name, t.groupName, t.deleted])).toEqual([
      ['etOld', '旧标签', '旧组', true],
      ['etT1', '教育', '行业', false],
      ['etT2', '医疗', '行业', false],
    ]);
  });

  it('a group event updates the group and its members; dismiss keeps the history', async () => {
    const chat = {
      chat_id: 'wrChat1',
      name: '客户群1',
      owner: 'ZhangSan',
      create_time: 1_790_000_000,
      member_list: [
        { userid: 'ZhangSan', type: 1, join_time: 1_790_000_000, join_scene: 1 },
        { userid: 'wmA', type: 2, join_time: 1_790_000_001, join_scene: 3, name: '甲' },
      ],
    };
    world.groups.set('wrChat1', chat);
    await post(externalChatXml({ corpId: container.wecom.corpId, changeType: 'create', chatId: 'wrChat1' }));
    await processed();
    const group = await repo(CustomerGroup).findOneByOrFail({ chatId: 'wrChat1' });
    expect(group).toMatchObject({ name: '客户群1', ownerUserid: 'zhangsan', status: 'active' });
    expect((await repo(CustomerGroupMember).findBy({ groupId: group.id })).map((m) => m.memberId).sort()).toEqual(['wmA', 'zhangsan']);

    world.groups.set('wrChat1', {
      ...chat,
      name: '客户群改名',
      member_list: [chat.member_list[0]!, { userid: 'wmB', type: 2, join_time: 1_790_000_100, join_scene: 3, name: '乙' }],
    });
    await post(externalChatXml({ corpId: container.wecom.corpId, changeType: 'update', chatId: 'wrChat1', updateDetail: 'add_member' }));
    await processed();
    expect(await repo(CustomerGroup).findOneByOrFail({ chatId: 'wrChat1' })).toMatchObject({ name: '客户群改名' });
    expect((await repo(CustomerGroupMember).findBy({ groupId: group.id })).map((m) => m.memberId).sort()).toEqual(['wmB', 'zhangsan']);

    await post(externalChatXml({ corpId: container.wecom.corpId, changeType: 'dismiss', chatId: 'wrChat1' }));
    await processed();
    expect(await repo(CustomerGroup).findOneByOrFail({ chatId: 'wrChat1' })).toMatchObject({ status: 'dismissed' });
    expect(await repo(CustomerGroupMember).countBy({ groupId: group.id })).toBe(2);
  });

  it('the teams file puts staff in teams with the lead and the robot', async () => {
    const team = await repo(Team).findOneByOrFail({ name: '华东' });
    expect(team).toMatchObject({ leadUserid: 'boss', robotWebhookUrl: ROBOT });
    expect((await repo(Staff).findBy({ teamId: team.id })).map((s) => s.userid).sort()).toEqual(['boss', 'lisi', 'zhangsan']);
  });
});
