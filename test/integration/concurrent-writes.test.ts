import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, InboundEvent, Staff } from '../../entities';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

/**
 * Many things write at once: the worker handles several events together, the webhook stores the
 * next callback meanwhile, the outbound queue logs its sends. On MariaDB each has its own pooled
 * connection; SQLite has one connection per process, so the product must keep one write's
 * transaction from swallowing, breaking or rolling back another's.
 */
describe('concurrent writes', () => {
  let harness: WebhookHarness;
  let calls: WecomCall[];
  const SALESPEOPLE = Array.from({ length: 8 }, (_, i) => `sales${i + 1}`);

  beforeAll(async () => {
    harness = await startWebhookHarness('concurrent', { WORKER_CONCURRENCY: '8', INBOUND_MAX_ATTEMPTS: '3' });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(harness.container);
    const ds = harness.container.dataSource;
    for (const [i, userid] of SALESPEOPLE.entries()) {
      await ds.getRepository(Staff).save({ userid, wecomUserid: userid, name: `销售${i + 1}` });
      const customer = await ds.getRepository(Customer).save({ name: `客户${i + 1}`, externalUserid: `wmConcurrent${i + 1}` });
      await ds.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: userid, addedAt: new Date('2026-10-01T02:00:00Z') });
    }
  });

  afterAll(async () => {
    await harness.close();
  });

  const post = (from: string, content: string, msgId: string) => {
    const req = signedCallback(harness.container.wecom, textMessageXml({ corpId: harness.container.wecom.corpId, from, content, msgId }));
    return request(harness.app.callback()).post(req.path).send(req.body);
  };

  it('follow-ups typed by eight salespeople at the same moment are each recorded once, answered at the first attempt', async () => {
    const posted = await Promise.all(SALESPEOPLE.map((userid, i) => post(userid, `记录跟进 客户${i + 1} 电话沟通了报价，第${i + 1}次`, String(9_100_000 + i))));
    expect(posted.map((r) => r.status)).toEqual(SALESPEOPLE.map(() => 200));

    const events = await waitFor(
      () => harness.container.dataSource.getRepository(InboundEvent).find(),
      (rows) => rows.length === SALESPEOPLE.length && rows.every((e) => e.status !== 'received' && e.status !== 'processing'),
      20_000,
      'every command handled',
    );
    expect(events.map((e) => [e.status, e.attempts, e.lastError])).toEqual(SALESPEOPLE.map(() => ['done', 1, null]));

    const followUps = await harness.container.dataSource.getRepository(FollowUp).find({ order: { id: 'ASC' } });
    expect(followUps.map((f) => f.content).sort()).toEqual(SALESPEOPLE.map((_, i) => `电话沟通了报价，第${i + 1}次`).sort());
    const replies = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length >= SALESPEOPLE.length,
      15_000,
      'every reply',
    );
    for (const [i, userid] of SALESPEOPLE.entries()) {
      const reply = replies.filter((c) => c.body.touser === userid).map((c) => messageText(c.body));
      expect(reply).toHaveLength(1);
      expect(reply[0]).toContain(`客户${i + 1}`);
      expect(reply[0]).not.toContain('处理失败');
    }
  });

  it('a transaction that rolls back takes no other write with it', async () => {
    const ds = harness.container.dataSource;
    let releaseFailing!: () => void;
    const gate = new Promise<void>((resolve) => (releaseFailing = resolve));
    let failingWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (failingWrote = resolve));
    const failing = ds.transaction(async (m) => {
      await m.getRepository(Customer).save({ name: '回滚客户', externalUserid: 'wmRolledBack' });
      failingWrote();
      await gate;
      throw new Error('this transaction fails');
    });
    await wrote;
    // Meanwhile: a plain write (the webhook storing a callback) and a transaction of its own, both to be committed.
    const stored = post('sales1', '今日', '9200001');
    const committed = ds.transaction((m) => m.getRepository(Customer).save({ name: '提交客户', externalUserid: 'wmCommitted' }));
    // Not a wait for a result: it lets both writes reach the database while the failing transaction is open.
    await new Promise((r) => setTimeout(r, 50));
    releaseFailing();
    await expect(failing).rejects.toThrow('this transaction fails');
    expect((await stored).status).toBe(200);
    await committed;

    expect(await ds.getRepository(Customer).findOneBy({ externalUserid: 'wmRolledBack' })).toBeNull();
    expect(await ds.getRepository(Customer).findOneBy({ externalUserid: 'wmCommitted' })).toMatchObject({ name: '提交客户' });
    expect(await ds.getRepository(InboundEvent).findBy({ fromUser: 'sales1' })).toHaveLength(1);
    await waitFor(
      async () => calls.filter((c) => c.api === 'message/send' && c.body.touser === 'sales1'),
      (s) => s.length === 1,
      15_000,
      'the reply to 今日',
    );
  });

  it('code inside a transaction that reaches the database without its manager finishes (it does not wait for itself)', async () => {
    const ds = harness.container.dataSource;
    const names = await ds.transaction(async (m) => {
      await m.getRepository(Customer).save({ name: '外层客户', externalUserid: 'wmOuter' });
      // Through the DataSource, not `m`: a read and a transaction of its own.
      await ds.transaction((inner) => inner.getRepository(Customer).save({ name: '内层客户', externalUserid: 'wmInner' }));
      return (await ds.getRepository(Customer).findBy({ externalUserid: 'wmInner' })).map((c) => c.name);
    });
    expect(names).toEqual(['内层客户']);
    expect((await ds.getRepository(Customer).findBy([{ externalUserid: 'wmOuter' }, { externalUserid: 'wmInner' }])).map((c) => c.name).sort()).toEqual([
      '内层客户',
      '外层客户',
    ]);
  });
});
