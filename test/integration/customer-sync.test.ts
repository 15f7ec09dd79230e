import { AuditLog, ContactWay, Customer, CustomerGroup, CustomerRelation, CustomerTag, OutboundMessage, Staff, SyncCheckpoint, Tag } from '../../entities';
import { createCaptureModule, type CaptureModule } from '../../src/modules/capture/capture.module';
import { parseChannelRules } from '../../src/modules/capture/channel-rules';
import { ContactWayError, ContactWayService } from '../../src/modules/capture/contact-way.service';
import { CustomerSync } from '../../src/modules/capture/customer-sync';
import { reconcileAndReport, scheduleReconciliation } from '../../src/modules/capture/reconcile.job';
import type { Container } from '../../src/container';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';

/** Backfill (`npm run sync`) and the nightly reconciliation against a fake WeCom (nock), on MariaDB. */
describe('backfill and reconciliation', () => {
  // Several tests import 250 customers one transaction each: seconds when the machine is busy.
  jest.setTimeout(90_000);
  let container: Container;
  let capture: CaptureModule;
  let worker: WorkerHandle;
  let world: FakeWecomWorld;

  beforeAll(async () => {
    container = await createTestContainer('sync', { CRM_QUIET_HOURS: 'off', CRM_ADMINS: 'boss', OUTBOUND_PACING_WINDOW_MS: '200' });
    capture = createCaptureModule(container, { rules: parseChannelRules({ rules: [] }), teams: { teams: [] } });
    worker = startWorker(container, { sweepEveryMs: 60_000 });
  });

  beforeEach(async () => {
    await resetState(container);
    world = new FakeWecomWorld().install();
    world.followUsers = ['ZhangSan', 'lisi'];
    world.tagGroups = [{ group_id: 'etG', group_name: '行业', create_time: 1, order: 0, tag: [{ id: 'etEdu', name: '教育', create_time: 1, order: 0 }] }];
    for (let i = 0; i < 250; i += 1) {
      const follows = [
        { userid: 'ZhangSan', remark: `备注${i}`, tags: i % 10 === 0 ? [{ group_name: '行业', tag_name: '教育', type: 1, tag_id: 'etEdu' }] : [] },
      ];
      world.addCustomer(`wmBulk${String(i).padStart(3, '0')}`, `客户${i}`, follows);
    }
    world.groups.set('wrG1', {
      chat_id: 'wrG1',
      name: '群1',
      owner: 'ZhangSan',
      create_time: 1_790_000_000,
      member_list: [{ userid: 'wmBulk001', type: 2, join_time: 1_790_000_000, join_scene: 3 }],
    });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const sync = () => new CustomerSync(container.dataSource, container.wecomApi, capture.dictionary, capture.groups);
  const count = (entity: new () => object) => container.dataSource.getRepository(entity).count();

  it('a backfill of 250 customers over 3 pages is complete, and a second run changes nothing', async () => {
    const phases: string[] = [];
    const report = await sync().run('backfill', (p) => phases.push(`${p.phase}:${p.customersSeen}`));
    expect(world.callsTo('externalcontact/batch/get_by_user').map((c) => c.body.cursor ?? '')).toEqual(['', '100', '200']);
    expect(world.callsTo('externalcontact/batch/get_by_user')[0]!.body).toMatchObject({ userid_list: ['ZhangSan', 'lisi'], limit: 100 });
    expect(report).toMatchObject({ customersSeen: 250, customers: { added: 250, changed: 0 }, relations: { added: 250 }, groups: { added: 1 } });
    expect(phases).toContain('customers:250');
    expect(await count(Customer)).toBe(250);
    expect(await count(CustomerRelation)).toBe(250);
    expect(await count(CustomerTag)).toBe(25);
    // each tag WeCom had is in the audit trail as the system's, applied by the backfill
    expect(await container.dataSource.getRepository(AuditLog).countBy({ action: 'tag.sync', actor: 'system' })).toBe(25);
    expect(await count(CustomerGroup)).toBe(1);
    expect(await container.dataSource.getRepository(CustomerRelation).findOneByOrFail({ remark: '备注7' })).toMatchObject({
      staffUserid: 'zhangsan',
      status: 'active',
    });

    const snapshot = async () =>
      JSON.stringify(await container.dataSource.query('SELECT id, name, updated_at FROM customers ORDER BY id')) +
      JSON.stringify(await container.dataSource.query('SELECT id, remark, status, updated_at FROM customer_relations ORDER BY id'));
    const before = await snapshot();
    const again = await sync().run('backfill');
    expect(again).toMatchObject({
      resumed: false,
      customersSeen: 250,
      customers: { added: 0, changed: 0, removed: 0 },
      relations: { added: 0, changed: 0 },
      tags: { added: 0, changed: 0 },
      groups: { added: 0, changed: 0 },
    });
    expect(await snapshot()).toBe(before);
    expect(await count(CustomerTag)).toBe(25);
  });

  it('a backfill that crashed on page 2 resumes at the saved cursor and finishes the import', async () => {
    world.faults.add({
      apis: ['externalcontact/batch/get_by_user'],
      when: (c) => c.body.cursor === '100',
      times: 1,
      answer: { errcode: 60011, errmsg: 'no privilege' },
    });
    await expect(sync().run('backfill')).rejects.toThrow(/60011/);
    expect(await count(Customer)).toBe(100);
    expect(await container.dataSource.getRepository(SyncCheckpoint).findOneByOrFail({ name: 'backfill' })).toMatchObject({
      status: 'running',
      state: expect.objectContaining({ batch: 0, cursor: '100' }),
    });

    const calls = world.callsTo('externalcontact/batch/get_by_user').length;
    const report = await sync().run('backfill');
    expect(
      world
        .callsTo('externalcontact/batch/get_by_user')
        .slice(calls)
        .map((c) => c.body.cursor),
    ).toEqual(['100', '200']);
    expect(report).toMatchObject({ resumed: true, customersSeen: 250, customers: { added: 250 } });
    expect(await count(Customer)).toBe(250);
    expect(await container.dataSource.getRepository(SyncCheckpoint).findOneByOrFail({ name: 'backfill' })).toMatchObject({ status: 'done' });
  });

  it('reconciliation repairs and reports a customer removed in WeCom', async () => {
    await sync().run('backfill');
    world.customers.delete('wmBulk005');
    world.groups.clear();
    const report = await reconcileAndReport(container, capture);
    expect(report.relations.removed).toBe(1);
    expect(report.customers.removed).toBe(1);
    expect(report.groups.removed).toBe(1);
    const customer = await container.dataSource.getRepository(Customer).findOneByOrFail({ externalUserid: 'wmBulk005' });
    expect(await container.dataSource.getRepository(CustomerRelation).findOneByOrFail({ customerId: customer.id })).toMatchObject({
      status: 'removed',
      endReason: 'missing_in_wecom',
    });
    const sent = await waitFor(
      async () => world.callsTo('message/send'),
      (c) => c.some((s) => s.body.msgtype === 'markdown'),
      10_000,
      'the drift report',
    );
    const drift = sent.find((s) => s.body.msgtype === 'markdown')!;
    expect(drift.body.touser).toBe('boss');
    expect(JSON.stringify(drift.body)).toContain('客户：新增 0，移除 1，变更 0');
    // the salesperson hears of it as a 删人提醒 (and, having no team lead, so does the admin)
    const alerts = await waitFor(
      async () => world.callsTo('message/send').filter((s) => s.body.msgtype === 'template_card'),
      (c) => c.length === 2,
      10_000,
      'the 删人提醒',
    );
    expect(alerts.map((a) => a.body.touser).sort()).toEqual(['boss', 'zhangsan']);
    expect(JSON.stringify(alerts.find((a) => a.body.touser === 'zhangsan')!.body)).toContain('已不在你的客户中');

    // a second reconciliation finds nothing and sends nothing
    const quiet = await reconcileAndReport(container, capture);
    expect(quiet.relations).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(quiet.ended).toEqual([]);
    expect(await container.dataSource.getRepository(OutboundMessage).count()).toBe(3);
    expect(world.callsTo('message/send')).toHaveLength(3);
    expect(await container.dataSource.getRepository(SyncCheckpoint).findOneByOrFail({ name: 'reconcile' })).toMatchObject({ status: 'done' });
    expect(await count(Tag)).toBe(1);
  });

  it('reconciliation ends the relations of a salesperson WeCom no longer lists as a follow user, and keeps them when the list comes back empty', async () => {
    await sync().run('backfill');
    const shared = await container.dataSource.getRepository(Customer).findOneByOrFail({ externalUserid: 'wmBulk007' });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: shared.id, staffUserid: 'wangwu', status: 'active', addedAt: new Date() });

    world.followUsers = [];
    const glitch = await sync().run('reconcile');
    expect(glitch.relations.removed).toBe(0);
    expect(await container.dataSource.getRepository(CustomerRelation).countBy({ staffUserid: 'wangwu', status: 'active' })).toBe(1);

    world.followUsers = ['ZhangSan', 'lisi']; // wangwu left the company
    const report = await sync().run('reconcile');
    expect(report.relations.removed).toBe(1);
    expect(report.customers.removed).toBe(0); // ZhangSan still follows that customer
    expect(await container.dataSource.getRepository(CustomerRelation).findOneByOrFail({ staffUserid: 'wangwu' })).toMatchObject({
      status: 'removed',
      endReason: 'staff_not_following',
    });
    expect(report.samples.join('\n')).toContain('wangwu 已不是客户联系成员');
  });

  it('reconciliation keeps the relations of a salesperson who left the company: their customers wait for 离职继承', async () => {
    await sync().run('backfill');
    const shared = await container.dataSource.getRepository(Customer).findOneByOrFail({ externalUserid: 'wmBulk008' });
    await container.dataSource.getRepository(Staff).save({ userid: 'zhaoliu', wecomUserid: 'zhaoliu', name: '赵六', active: false });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: shared.id, staffUserid: 'zhaoliu', status: 'active', addedAt: new Date() });
    const report = await sync().run('reconcile');
    expect(report.relations.removed).toBe(0);
    expect(await container.dataSource.getRepository(CustomerRelation).findOneByOrFail({ staffUserid: 'zhaoliu' })).toMatchObject({ status: 'active' });
  });

  it('a contact-way QR for a channel state is created once in WeCom and its config_id kept', async () => {
    const service = new ContactWayService(
      container.dataSource,
      container.wecomApi,
      parseChannelRules({ rules: [{ name: 'live', match: { prefix: 'live-' } }] }),
    );
    const first = await service.create({ state: 'live-1122', users: ['ZhangSan', 'lisi'], remark: '双11直播', createdBy: 'cli' });
    expect(first.created).toBe(true);
    expect(world.callsTo('externalcontact/add_contact_way')[0]!.body).toEqual({
      type: 2,
      scene: 2,
      state: 'live-1122',
      user: ['ZhangSan', 'lisi'],
      skip_verify: true,
      remark: '双11直播',
    });
    expect(await container.dataSource.getRepository(ContactWay).findOneByOrFail({ state: 'live-1122' })).toMatchObject({
      ruleName: 'live',
      configId: first.way.configId,
      users: ['zhangsan', 'lisi'],
    });

    const again = await service.create({ state: 'live-1122', users: ['ZhangSan'] });
    expect(again).toMatchObject({ created: false, way: { configId: first.way.configId } });
    expect(world.callsTo('externalcontact/add_contact_way')).toHaveLength(1);
    await expect(service.create({ state: 'nobody-knows', users: ['ZhangSan'] })).rejects.toThrow(ContactWayError);
    await expect(service.create({ state: 'x'.repeat(31), users: ['ZhangSan'] })).rejects.toThrow(ContactWayError);
  });

  it('a contact-way creation interrupted after WeCom answered is noticed and needs --retry; a WeCom refusal frees the state', async () => {
    const service = new ContactWayService(
      container.dataSource,
      container.wecomApi,
      parseChannelRules({ rules: [{ name: 'live', match: { prefix: 'live-' } }] }),
    );
    // what a crash between WeCom's answer and our write leaves behind
    await container.dataSource
      .getRepository(ContactWay)
      .insert({ state: 'live-crash', configId: null, status: 'creating', ruleName: 'live', users: ['zhangsan'] });
    await expect(service.create({ state: 'live-crash', users: ['ZhangSan'] })).rejects.toThrow(/--retry/);
    expect(world.callsTo('externalcontact/add_contact_way')).toHaveLength(0);
    const retried = await service.create({ state: 'live-crash', users: ['ZhangSan'], retry: true });
    expect(retried.created).toBe(true);
    expect(await container.dataSource.getRepository(ContactWay).findOneByOrFail({ state: 'live-crash' })).toMatchObject({
      status: 'created',
      configId: retried.way.configId,
    });
    expect(retried.way.configId).toMatch(/^cfg/);

    world.faults.answer('externalcontact/add_contact_way', { errcode: 40098, errmsg: 'not a contact member' });
    await expect(service.create({ state: 'live-refused', users: ['nobody'] })).rejects.toThrow(/40098/);
    expect(await container.dataSource.getRepository(ContactWay).countBy({ state: 'live-refused' })).toBe(0);
  });

  it('the nightly schedule in Redis follows the config across restarts: one repeatable job, replaced when the cron changes, gone when off', async () => {
    const queue = container.queues.get('maintenance');
    await scheduleReconciliation(queue, '30 3 * * *', 'Asia/Shanghai');
    await scheduleReconciliation(queue, '30 3 * * *', 'Asia/Shanghai'); // a second worker start
    expect((await queue.getRepeatableJobs()).map((j) => [j.name, j.cron, j.tz])).toEqual([['reconcile', '30 3 * * *', 'Asia/Shanghai']]);
    await scheduleReconciliation(queue, '0 4 * * *', 'Asia/Shanghai');
    expect((await queue.getRepeatableJobs()).map((j) => j.cron)).toEqual(['0 4 * * *']);
    await scheduleReconciliation(queue, undefined, 'Asia/Shanghai');
    expect(await queue.getRepeatableJobs()).toEqual([]);
  });
});
