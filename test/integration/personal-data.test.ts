import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  AuditLog,
  Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  ErasedCustomer,
  FollowUp,
  InboundEvent,
  Opportunity,
  OpportunityChange,
  OutboundMessage,
  Reminder,
  SopRun,
  SopStepRun,
  Staff,
  StageChange,
  SyncCheckpoint,
  Tag,
} from '../../entities';
import { runAuditCommand } from '../../src/cli/audit-command';
import { type CommandIo, EXIT, runCustomerCommand } from '../../src/cli/customer-command';
import type { Container } from '../../src/container';
import { createCaptureModule } from '../../src/modules/capture/capture.module';
import { parseChannelRules } from '../../src/modules/capture/channel-rules';
import { upsertCustomer } from '../../src/modules/capture/customer-profile.store';
import { CustomerSync } from '../../src/modules/capture/customer-sync';
import { DigestQueries } from '../../src/modules/digests/digest-queries.service';
import { dayWindow } from '../../src/modules/digests/digest-window';
import type { CustomerExport } from '../../src/modules/personal-data';
import dayjs from '../../src/platform/dayjs';
import { createWebApp } from '../../src/web';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { createTestContainer, deleteRedisPrefix, resetState } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
const EXTERNAL_ID = 'wmZhaoLiu_0001';
const NAME = '赵六六';
const REMARK = '老赵宝马车主';
const PHONE = '13912345678';
const ADMIN_TOKEN = 'admin-token-personal-data-0123';

/** What a command printed, and how it answered a confirmation. */
function captureIo(answer = false): CommandIo & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    confirm: async () => answer,
    text: () => lines.join('\n'),
  };
}

/**
 * Export and erasure of one customer (README "Personal data"), on both databases: the export holds
 * every kind of row, the erasure leaves no trace of the name, remark or phone in any text column of
 * any table (read from the database's own catalogue, not from our entities) while the digests'
 * figures stay the same, a second erasure changes nothing, and sync does not bring the customer back.
 */
describe('personal data: export and erasure of one customer', () => {
  jest.setTimeout(60_000);
  let container: Container;
  let dir: string;
  // noon today in Shanghai: every time below stays inside today's digest window whenever the test runs
  const today = dayjs().tz(TZ).startOf('day').add(12, 'hour');
  const now = today.toDate();

  beforeAll(async () => {
    container = await createTestContainer('pdata', { ADMIN_TOKEN, CRM_TIMEZONE: TZ });
    dir = mkdtempSync(join(tmpdir(), 'wecom-crm-pdata-'));
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  /** One customer with one of each kind of row, a second one who mentions them, and copies of their data in callbacks, messages, audit and sync state. */
  async function seed(): Promise<{ zhao: Customer; qian: Customer }> {
    const ds = container.dataSource;
    await ds.getRepository(Staff).save([
      { userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三' },
      { userid: 'lisi', wecomUserid: 'lisi', name: '李四' },
    ]);
    const zhao = await ds.getRepository(Customer).save({
      name: NAME,
      externalUserid: EXTERNAL_ID,
      unionid: 'unZhaoLiu',
      corpName: '赵氏贸易',
      stage: 'opportunity',
      lastContactAt: today.subtract(1, 'day').toDate(),
    });
    const qian = await ds.getRepository(Customer).save({ name: '钱七七', externalUserid: 'wmQianQi_0002', stage: 'lead' });
    const added = today.subtract(2, 'hour').toDate();
    await ds.getRepository(CustomerRelation).save([
      {
        customerId: zhao.id,
        staffUserid: 'zhangsan',
        remark: REMARK,
        description: `电话 ${PHONE}，开宝马`,
        remarkMobiles: [PHONE],
        remarkCorpName: '赵氏贸易',
        state: 'douyin',
        addedAt: added,
      },
      { customerId: zhao.id, staffUserid: 'lisi', addedAt: today.subtract(10, 'day').toDate(), status: 'lost', endedAt: today.subtract(1, 'hour').toDate() },
      { customerId: qian.id, staffUserid: 'zhangsan', addedAt: added },
    ]);
    const tag = await ds.getRepository(Tag).save({ name: '高意向', groupName: '意向' });
    await ds.getRepository(CustomerTag).save({ customerId: zhao.id, tagId: tag.id, source: 'command', addedBy: 'zhangsan' });
    await ds.getRepository(StageChange).save({ customerId: zhao.id, fromStage: 'lead', toStage: 'opportunity', staffUserid: 'zhangsan', sourceKey: 'msg:1' });
    await ds.getRepository(FollowUp).save([
      { customerId: zhao.id, staffUserid: 'zhangsan', content: `${NAME}说下周签，电话${PHONE}`, sourceKey: 'msg:2' },
      { customerId: qian.id, staffUserid: 'zhangsan', content: `钱七七是${NAME}介绍的`, sourceKey: 'msg:3' },
    ]);
    await ds.getRepository(Reminder).save([
      { staffUserid: 'zhangsan', customerId: zhao.id, content: `给${NAME}打电话`, dueAt: today.add(1, 'hour').toDate() },
      { staffUserid: 'zhangsan', customerId: zhao.id, content: `回访${REMARK}`, dueAt: today.subtract(3, 'hour').toDate(), status: 'done', doneAt: now },
    ]);
    const opportunity = await ds.getRepository(Opportunity).save({ customerId: zhao.id, staffUserid: 'zhangsan', amount: 5000, probability: 60 });
    // its history: recorded at 3,000 with 40%, then raised to 5,000 with 60%
    await ds.getRepository(OpportunityChange).save([
      { opportunityId: opportunity.id, customerId: zhao.id, kind: 'create', amount: 3000, probability: 40, status: 'open', staffUserid: 'zhangsan' },
      { opportunityId: opportunity.id, customerId: zhao.id, kind: 'update', amount: 5000, probability: 60, status: 'open', staffUserid: 'zhangsan' },
    ]);
    const run = await ds.getRepository(SopRun).save({
      sopName: '新客户',
      customerId: zhao.id,
      staffUserid: 'zhangsan',
      triggerType: 'customer_added',
      runKey: `added:${zhao.id}:zhangsan`,
      context: { state: 'douyin', remark: REMARK },
      startedAt: now,
    });
    await ds.getRepository(SopStepRun).save([
      { runId: run.id, stepKey: 'day0', stepIndex: 0, dueAt: now, status: 'sent', message: `${NAME}您好`, firedAt: now },
      { runId: run.id, stepKey: 'day3', stepIndex: 1, dueAt: today.add(3, 'day').toDate() },
    ]);
    const group = await ds.getRepository(CustomerGroup).save({ chatId: 'wrGroup1', name: '车友群', ownerUserid: 'zhangsan' });
    await ds.getRepository(CustomerGroupMember).save([
      { groupId: group.id, memberId: EXTERNAL_ID, memberType: 2, name: NAME, groupNickname: REMARK, unionid: 'unZhaoLiu' },
      { groupId: group.id, memberId: 'zhangsan', memberType: 1, name: '张三' },
    ]);
    await ds.getRepository(InboundEvent).save([
      {
        dedupeKey: 'evt:change_external_contact:1',
        kind: 'event:change_external_contact',
        fromUser: 'sys',
        createTime: '1790000000',
        payload: { Event: 'change_external_contact', ChangeType: 'add_external_contact', ExternalUserID: EXTERNAL_ID, UserID: 'ZhangSan' },
        status: 'done',
      },
      {
        dedupeKey: 'msg:2',
        kind: 'text',
        fromUser: 'zhangsan',
        createTime: '1790000001',
        payload: { MsgType: 'text', Content: `跟进 ${NAME} 电话${PHONE}` },
        status: 'done',
      },
      { dedupeKey: 'msg:9', kind: 'text', fromUser: 'zhangsan', createTime: '1790000002', payload: { MsgType: 'text', Content: '今日' }, status: 'done' },
    ]);
    await ds.getRepository(OutboundMessage).save([
      {
        idempotencyKey: 'welcome:evt:1',
        channel: 'welcome',
        recipient: EXTERNAL_ID,
        kind: 'welcome',
        payload: { text: { content: `${NAME}您好，我是张三` } },
        status: 'sent',
      },
      {
        idempotencyKey: 'reply:msg:2',
        channel: 'user',
        recipient: 'zhangsan',
        kind: 'text',
        payload: { text: { content: `已记录 ${REMARK} 的跟进` } },
        status: 'sent',
      },
      { idempotencyKey: 'reply:msg:9', channel: 'user', recipient: 'zhangsan', kind: 'text', payload: { text: { content: '今日无事' } }, status: 'sent' },
    ]);
    await ds.getRepository(AuditLog).save([
      {
        actor: 'system',
        action: 'customer.add',
        targetType: 'customer',
        targetId: String(zhao.id),
        detail: { userid: 'zhangsan', name: NAME },
        sourceKey: 'evt:1',
      },
      { actor: 'zhangsan', action: 'customer.do_not_contact', targetType: 'customer', targetId: String(qian.id), detail: { reason: `和${NAME}一样` } },
      { actor: 'system', action: 'relation.lost.unknown', targetType: 'customer', targetId: EXTERNAL_ID, detail: { userid: 'lisi' } },
    ]);
    await ds.getRepository(SyncCheckpoint).save({ name: 'backfill', status: 'done', state: { report: { samples: [`新客户 ${NAME}`] } }, startedAt: now });
    return { zhao, qian };
  }

  beforeEach(async () => {
    await resetState(container);
  });

  /** Every text column of every table, as the database itself lists them. */
  async function textColumns(): Promise<Array<{ table: string; column: string }>> {
    const ds = container.dataSource;
    if (ds.options.type === 'better-sqlite3') {
      const tables: Array<{ name: string }> = await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      const result: Array<{ table: string; column: string }> = [];
      for (const { name } of tables) {
        const columns: Array<{ name: string; type: string }> = await ds.query(`PRAGMA table_info("${name}")`);
        for (const c of columns) if (/char|text|clob/i.test(c.type)) result.push({ table: name, column: c.name });
      }
      return result;
    }
    const rows: Array<{ t: string; c: string }> = await ds.query(
      "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json')",
    );
    return rows.map((r) => ({ table: r.t, column: r.c }));
  }

  /** `table.column: value` for each text column holding one of `needles`. */
  async function traces(needles: string[]): Promise<string[]> {
    const ds = container.dataSource;
    const q = (name: string) => ds.driver.escape(name);
    const found: string[] = [];
    for (const { table, column } of await textColumns()) {
      for (const needle of needles) {
        const rows: Array<{ v: string }> = await ds.query(`SELECT ${q(column)} AS v FROM ${q(table)} WHERE ${q(column)} LIKE ?`, [`%${needle}%`]);
        for (const r of rows) if (String(r.v).includes(needle)) found.push(`${table}.${column}: ${r.v}`);
      }
    }
    return found;
  }

  /** Every row of every table (to show that something changed nothing). */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const ds = container.dataSource;
    const result: Record<string, unknown[]> = {};
    for (const meta of ds.entityMetadatas) result[meta.tableName] = await ds.query(`SELECT * FROM ${ds.driver.escape(meta.tableName)} ORDER BY id`);
    return result;
  }

  async function digestFigures() {
    const queries = new DigestQueries(container.dataSource);
    const w = dayWindow(now, TZ, 7);
    const perStaff = Object.fromEntries(await queries.perStaff(w));
    const team = await queries.team(w, null, today.subtract(30, 'day').toDate());
    return { perStaff, team };
  }

  it('export holds every kind of row held about the customer, with a summary, and the audit trail records that it was made (not what it holds)', async () => {
    const { zhao } = await seed();
    const out = join(dir, 'zhao.json');
    const io = captureIo();
    expect(await runCustomerCommand(container, ['export', NAME, '--out', out, '--actor', 'boss'], io)).toBe(EXIT.ok);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as CustomerExport;
    expect(doc.customer).toMatchObject({ id: zhao.id, name: NAME, externalUserid: EXTERNAL_ID });
    expect(doc.relations.map((r) => r.staffUserid).sort()).toEqual(['lisi', 'zhangsan']);
    expect(doc.relations.find((r) => r.staffUserid === 'zhangsan')).toMatchObject({ remark: REMARK, remarkMobiles: [PHONE] });
    expect(doc.tags).toEqual([expect.objectContaining({ name: '高意向', source: 'command' })]);
    expect(doc.stageChanges).toHaveLength(1);
    expect(doc.followUps.map((f) => f.content)).toEqual([`${NAME}说下周签，电话${PHONE}`]);
    expect(doc.reminders).toHaveLength(2);
    expect(doc.opportunities).toEqual([expect.objectContaining({ amount: 5000 })]);
    expect(doc.opportunityChanges.map((c) => [c.kind, c.amount, c.probability, c.staffUserid])).toEqual([
      ['create', 3000, 40, 'zhangsan'],
      ['update', 5000, 60, 'zhangsan'],
    ]);
    expect(doc.sopRuns).toEqual([expect.objectContaining({ sopName: '新客户', steps: [expect.anything(), expect.anything()] })]);
    expect(doc.groupMemberships).toEqual([expect.objectContaining({ groupName: '车友群', groupNickname: REMARK })]);
    expect(doc.inboundEvents.map((e) => e.dedupeKey).sort()).toEqual(['evt:change_external_contact:1', 'msg:2']);
    expect(doc.outboundMessages.map((m) => m.idempotencyKey).sort()).toEqual(['reply:msg:2', 'welcome:evt:1']);
    expect(doc.auditTrail.map((a) => a.action)).toEqual(['customer.add']);
    expect(doc.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['added', 'ended', 'stage', 'follow_up', 'reminder_created', 'opportunity', 'tag_added']),
    );
    expect(io.text()).toContain(`客户：${NAME}（${EXTERNAL_ID}）`);
    expect(io.text()).toContain('跟进记录 1 条，提醒 2 条，商机 1 个（变更 2 次），标签 1 个');
    expect(io.text()).toContain(`已导出到 ${out}`);

    const entry = await container.dataSource.getRepository(AuditLog).findOneByOrFail({ action: 'customer.export' });
    expect(entry).toMatchObject({ actor: 'boss', targetType: 'customer', targetId: String(zhao.id) });
    expect(entry.detail).toMatchObject({ via: 'cli', rows: expect.objectContaining({ followUps: 1, reminders: 2, opportunities: 1, opportunityChanges: 2 }) });
    const stored = JSON.stringify(entry.detail);
    for (const s of [NAME, REMARK, PHONE, EXTERNAL_ID]) expect(stored).not.toContain(s);
  });

  it('the admin route exports the same behind ADMIN_TOKEN, and says so for an unknown customer', async () => {
    await seed();
    const app = createWebApp(container).callback();
    expect((await request(app).get(`/admin/customers/${EXTERNAL_ID}/export`)).status).toBe(401);
    const res = await request(app).get(`/admin/customers/${EXTERNAL_ID}/export`).set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body.summary).toContain(`客户：${NAME}`);
    expect(res.body.export.followUps).toHaveLength(1);
    const unknown = await request(app)
      .get(`/admin/customers/${encodeURIComponent('没有这个人')}/export`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('找不到客户');
    expect(await container.dataSource.getRepository(AuditLog).findOneByOrFail({ action: 'customer.export' })).toMatchObject({ actor: 'admin:http' });
    // each admin request that passed the token is in the trail by its route's pattern (no name from the path); the refused one is not
    const routes = await container.dataSource.getRepository(AuditLog).find({ where: { action: 'admin.request' }, order: { id: 'ASC' } });
    expect(routes.map((r) => [r.actor, r.targetId, r.detail])).toEqual([
      ['admin:http', 'GET /admin/customers/:ref/export', { status: 200 }],
      ['admin:http', 'GET /admin/customers/:ref/export', { status: 404 }],
    ]);
    const trail = captureIo();
    expect(await runAuditCommand(container, ['--action', 'admin'], trail)).toBe(EXIT.ok);
    expect(trail.text()).toContain('admin:http  admin.request  route#GET /admin/customers/:ref/export');
    expect(trail.text()).not.toContain('customer.export');
    expect(await runAuditCommand(container, ['--action', 'nonsense'], captureIo())).toBe(EXIT.usage);
  });

  it('erase leaves no trace of the name, remark or phone in any text column, keeps the digest figures, and a second erase changes nothing', async () => {
    const { zhao, qian } = await seed();
    const needles = [NAME, REMARK, PHONE, EXTERNAL_ID, 'unZhaoLiu'];
    expect((await traces(needles)).length).toBeGreaterThan(10);
    const before = await digestFigures();
    // the figures the erased customer is part of: new and lost customers, follow-ups, reminders, the funnel, wins, channels
    expect(before.perStaff.zhangsan).toMatchObject({ newCustomers: 2, followUps: 2, remindersDone: 1, dueOpen: 1 });
    expect(before.perStaff.lisi).toMatchObject({ lost: 1 });
    expect(before.team.funnel).toMatchObject({ opportunity: 1, lead: 1 });
    expect(before.team.channels).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'douyin', customers: 1, reachedOpportunity: 1 })]));

    const dry = captureIo();
    const untouched = await snapshot();
    expect(await runCustomerCommand(container, ['erase', EXTERNAL_ID, '--dry-run'], dry)).toBe(EXIT.ok);
    expect(dry.text()).toMatch(/follow_ups: 2 行/);
    expect(dry.text()).toContain('未做任何改动');
    expect(await snapshot()).toEqual(untouched);

    const declined = captureIo(false);
    expect(await runCustomerCommand(container, ['erase', EXTERNAL_ID], declined)).toBe(EXIT.usage);
    expect(declined.text()).toContain('已取消');
    expect(await snapshot()).toEqual(untouched);

    const io = captureIo();
    expect(await runCustomerCommand(container, ['erase', NAME, '--yes', '--actor', 'boss'], io)).toBe(EXIT.ok);
    expect(io.text()).toContain('已删除');

    expect(await traces(needles)).toEqual([]);
    expect(await digestFigures()).toEqual(before);
    // the rows the counts need are kept, anonymised; the other customer keeps what is theirs
    const ds = container.dataSource;
    expect(await ds.getRepository(Customer).findOneByOrFail({ id: zhao.id })).toMatchObject({ externalUserid: null, doNotContact: true, stage: 'opportunity' });
    expect(await ds.getRepository(CustomerRelation).countBy({ customerId: zhao.id })).toBe(2);
    expect(await ds.getRepository(Customer).findOneByOrFail({ id: qian.id })).toMatchObject({ name: '钱七七', externalUserid: 'wmQianQi_0002' });
    expect((await ds.getRepository(FollowUp).findOneByOrFail({ customerId: qian.id })).content).toBe('钱七七是[已删除]介绍的');
    expect(await ds.getRepository(SopStepRun).findOneByOrFail({ stepKey: 'day3' })).toMatchObject({ status: 'skipped', skipReason: 'customer_erased' });
    // the open reminder is closed with the reason (not fired later as [已删除]); the done one stays done
    const reminders = await ds.getRepository(Reminder).find({ where: { customerId: zhao.id }, order: { id: 'ASC' } });
    expect(reminders.map((r) => [r.status, r.closeReason])).toEqual([
      ['cancelled', 'customer_erased'],
      ['done', null],
    ]);
    expect(reminders[0]!.closedAt).toBeInstanceOf(Date);
    // today's figures count it as they did (see above); a day begun after the erasure does not
    const tomorrow = Object.fromEntries(await new DigestQueries(ds).perStaff(dayWindow(today.add(1, 'day').toDate(), TZ, 7)));
    expect(tomorrow.zhangsan?.overdue ?? 0).toBe(0);
    // the audit entry says who and when, and a reference that cannot be turned back into the customer
    const entry = await ds.getRepository(AuditLog).findOneByOrFail({ action: 'customer.erase' });
    expect(entry).toMatchObject({ actor: 'boss', targetType: 'customer', targetId: String(zhao.id) });
    expect(entry.detail).toMatchObject({ via: 'cli', reference: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const tombstones = await ds.getRepository(ErasedCustomer).find();
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tombstones[0]!.subjectHash.startsWith(String(entry.detail!.reference))).toBe(true);

    const erased = await snapshot();
    const again = captureIo();
    expect(await runCustomerCommand(container, ['erase', EXTERNAL_ID, '--yes'], again)).toBe(EXIT.ok);
    expect(again.text()).toContain('已删除过');
    expect(await snapshot()).toEqual(erased);
    // by name the erased customer is nobody any more
    const byName = captureIo();
    expect(await runCustomerCommand(container, ['erase', NAME, '--yes'], byName)).toBe(EXIT.unknown);
    expect(await snapshot()).toEqual(erased);

    const trail = captureIo();
    expect(await runAuditCommand(container, ['--customer', `#${zhao.id}`, '--actor', 'boss'], trail)).toBe(EXIT.ok);
    expect(trail.text()).toMatch(/boss {2}customer\.erase {2}customer#\d+/);
  });

  it('sync after an erasure does not bring the customer back while WeCom still lists them; others are imported as usual', async () => {
    await seed();
    expect(await runCustomerCommand(container, ['erase', EXTERNAL_ID, '--yes'], captureIo())).toBe(EXIT.ok);
    const world = new FakeWecomWorld().install();
    world.followUsers = ['ZhangSan'];
    world.addCustomer(EXTERNAL_ID, NAME, [{ userid: 'ZhangSan', remark: REMARK, remark_mobiles: [PHONE] }]);
    world.addCustomer('wmNewOne_0003', '孙八八', [{ userid: 'ZhangSan' }]);
    world.groups.set('wrGroup1', {
      chat_id: 'wrGroup1',
      name: '车友群',
      owner: 'ZhangSan',
      create_time: 1_790_000_000,
      member_list: [
        { userid: EXTERNAL_ID, type: 2, join_time: 1_790_000_000, join_scene: 3, name: NAME },
        { userid: 'ZhangSan', type: 1, join_time: 1_790_000_000, join_scene: 1 },
      ],
    });
    const capture = createCaptureModule(container, { rules: parseChannelRules({ rules: [] }), teams: { teams: [] } });
    await new CustomerSync(container.dataSource, container.wecomApi, capture.dictionary, capture.groups).run('backfill');
    expect(await container.dataSource.getRepository(Customer).findOneBy({ externalUserid: 'wmNewOne_0003' })).not.toBeNull();
    expect(await container.dataSource.getRepository(Customer).findOneBy({ externalUserid: EXTERNAL_ID })).toBeNull();
    expect(await traces([NAME, REMARK, PHONE, EXTERNAL_ID])).toEqual([]);
  });

  it('a customer erased who adds a salesperson again (WeCom tells us of them anew) is a new customer, whom sync may then import', async () => {
    const { zhao } = await seed();
    expect(await runCustomerCommand(container, ['erase', EXTERNAL_ID, '--yes'], captureIo())).toBe(EXIT.ok);
    const { customer, created } = await container.dataSource.transaction((m) => upsertCustomer(m, { external_userid: EXTERNAL_ID, name: NAME, type: 1 }));
    expect(created).toBe(true);
    expect(customer.id).not.toBe(zhao.id);
    expect(await container.dataSource.getRepository(ErasedCustomer).count()).toBe(0);
    expect(await container.dataSource.getRepository(FollowUp).countBy({ customerId: customer.id })).toBe(0);
  });

  it('export or erase of an unknown customer says so (exit 3), and a name shared by several lists them (exit 2)', async () => {
    await seed();
    const unknown = captureIo();
    expect(await runCustomerCommand(container, ['export', '没有这个人'], unknown)).toBe(EXIT.unknown);
    expect(unknown.text()).toContain('找不到客户「没有这个人」');
    expect(await runCustomerCommand(container, ['erase', 'wmNobody'], captureIo())).toBe(EXIT.unknown);

    await container.dataSource.getRepository(Customer).save([
      { name: '王五', externalUserid: 'wmWang_1' },
      { name: '王五', externalUserid: 'wmWang_2' },
    ]);
    const several = captureIo();
    expect(await runCustomerCommand(container, ['erase', '王五', '--yes'], several)).toBe(EXIT.ambiguous);
    expect(several.text()).toContain('对应 2 个客户');
    expect(several.text()).toContain('wmWang_1');
    expect(several.text()).toContain('wmWang_2');
    expect(await container.dataSource.getRepository(Customer).countBy({ name: '王五' })).toBe(2);
    expect(await container.dataSource.getRepository(AuditLog).countBy({ action: 'customer.erase' })).toBe(0);
  });
});
