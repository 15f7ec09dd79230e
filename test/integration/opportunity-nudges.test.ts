import { Customer, CustomerRelation, InboundEvent, Opportunity, OpportunityChange, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { sendCloseDateNudges } from '../../src/modules/pipeline';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { testClock } from '../helpers/test-clock';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';

const TZ = 'Asia/Shanghai';
/** The morning run: 09:00 in Shanghai, a few days ahead of the real clock. */
const TODAY = dayjs().tz(TZ).startOf('day').add(3, 'day');
const NOW = TODAY.hour(9).toDate();

/** An open opportunity whose close date arrives gets a card; 赢单 / 输单 / 改期 on it act as the commands do. */
describe('close-date cards of opportunities', () => {
  const clock = testClock(NOW);
  let container: Container;
  let harness: WebhookHarness;
  let calls: WecomCall[];
  let customer: Customer;
  let responses = 0;

  beforeAll(async () => {
    harness = await startWebhookHarness('nudges', { OUTBOUND_PACING_WINDOW_MS: '200' }, clock.date);
    container = harness.container;
  });

  beforeEach(async () => {
    clock.set(NOW);
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' });
    customer = await container.dataSource.getRepository(Customer).save({ name: '王老板', externalUserid: 'wmBoss', stage: 'opportunity' });
    await container.dataSource
      .getRepository(CustomerRelation)
      .save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: new Date('2026-10-01T02:00:00Z') });
  });

  afterAll(() => harness.close());

  const sends = () => calls.filter((c) => c.api === 'message/send');
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');
  const opportunity = (id: number) => container.dataSource.getRepository(Opportunity).findOneByOrFail({ id });
  const run = () => sendCloseDateNudges({ dataSource: container.dataSource, outbound: container.outbound, logger: container.logger, timezone: TZ }, NOW);

  async function record(name: string | null, amount: number, close: dayjs.Dayjs): Promise<Opportunity> {
    const result = await container.services.opportunities.record({
      customer: await container.dataSource.getRepository(Customer).findOneByOrFail({ id: customer.id }),
      staffUserid: 'zhangsan',
      name,
      amount,
      probability: 60,
      expectedCloseAt: close.toDate(),
      sourceKey: `test:${name}:${Math.random()}`,
      now: NOW,
    });
    if (result.kind !== 'created') throw new Error(result.kind);
    return result.opportunity;
  }

  async function click(eventKey: string, taskId: string): Promise<Record<string, unknown>> {
    const before = updates().length;
    responses += 1;
    await harness.post(
      templateCardEventXml({ corpId: container.wecom.corpId, from: 'ZhangSan', eventKey, taskId, responseCode: `RC-${responses}`, createTime: 1_790_000_000 }),
    );
    const done = await waitFor(
      async () => updates(),
      (u) => u.length > before,
      15_000,
      `the card update after ${eventKey}`,
    );
    await waitFor(
      () => container.dataSource.getRepository(InboundEvent).find(),
      (rows) => rows.every((r) => r.status === 'done'),
      15_000,
      'the click processed',
    );
    return done[before]!.body.template_card as Record<string, unknown>;
  }

  it('today and the week before get one card each, once; tomorrow and older ones none', async () => {
    const today = await record(null, 50000, TODAY.hour(9));
    const late = await record('二期', 80000, TODAY.subtract(3, 'day').hour(9));
    await record('三期', 10000, TODAY.add(1, 'day').hour(9));
    await record('四期', 10000, TODAY.subtract(8, 'day').hour(9));
    expect(await run()).toBe(2);
    await waitFor(
      async () => sends(),
      (s) => s.length === 2,
      15_000,
      'two cards',
    );
    // the two go out as two outbound jobs, in either order
    const cards = sends().map((s) => s.body.template_card as Record<string, unknown> & { button_list: Array<{ text: string; key: string }> });
    expect(sends().map((s) => s.body.touser)).toEqual(['ZhangSan', 'ZhangSan']);
    const second = cards.find((c) => c.task_id === `opp-${today.id}-${today.expectedCloseAt!.getTime()}`);
    const first = cards.find((c) => c !== second);
    expect(second).toBeDefined();
    expect(second!.button_list.map((b) => [b.text, b.key])).toEqual([
      ['赢单', `opp:won:${today.id}`],
      ['输单', `opp:lost:${today.id}`],
      ['改期7天', `opp:later:${today.id}`],
    ]);
    expect(JSON.stringify(second)).toContain('王老板 的商机今天预计成交');
    expect(JSON.stringify(first)).toContain('已过预计成交日');
    expect(JSON.stringify(first)).toContain('二期');
    expect(first!.task_id).toBe(`opp-${late.id}-${late.expectedCloseAt!.getTime()}`);
    // run again (a retried job, a second worker): nothing new
    expect(await run()).toBe(0);
    await waitForQuiet(container);
    expect(sends()).toHaveLength(2);
  });

  it('赢单 closes it and moves the customer to 成交; 改期 moves the close date a week on; a closed one says so', async () => {
    const won = await record(null, 50000, TODAY.hour(9));
    const later = await record('二期', 80000, TODAY.hour(9));
    await run();
    const card = await click(`opp:won:${won.id}`, `opp-${won.id}-${won.expectedCloseAt!.getTime()}`);
    expect(card.replace_text).toBe('🎉 已赢单');
    expect(await opportunity(won.id)).toMatchObject({ status: 'won', amount: 50000 });
    expect((await container.dataSource.getRepository(Customer).findOneByOrFail({ id: customer.id })).stage).toBe('won');

    const moved = await click(`opp:later:${later.id}`, 'opp-x');
    const nextWeek = TODAY.add(7, 'day').hour(9);
    expect(moved.replace_text).toBe(`已改期到 ${nextWeek.month() + 1}月${nextWeek.date()}日 周${'日一二三四五六'[nextWeek.day()]}`);
    expect((await opportunity(later.id)).expectedCloseAt!.getTime()).toBe(nextWeek.valueOf());
    expect(await container.dataSource.getRepository(OpportunityChange).findBy({ opportunityId: later.id, kind: 'update' })).toHaveLength(1);

    expect((await click(`opp:lost:${won.id}`, 'opp-y')).replace_text).toBe('商机已关闭');
    expect((await opportunity(won.id)).status).toBe('won');
    // moved on: nothing due today any more
    const before = sends().length;
    expect(await run()).toBe(0);
    expect(sends()).toHaveLength(before);
  });

  it('输单 from the card closes it as lost; somebody else’s opportunity is not theirs to press', async () => {
    const lost = await record(null, 50000, TODAY.hour(9));
    expect((await click(`opp:lost:${lost.id}`, 'opp-z')).replace_text).toBe('已输单');
    expect(await opportunity(lost.id)).toMatchObject({ status: 'lost', closeReason: null });
    await container.dataSource.getRepository(Opportunity).update({ id: lost.id }, { staffUserid: 'lisi', status: 'open' });
    await click(`opp:won:${lost.id}`, 'opp-w');
    expect((await opportunity(lost.id)).status).toBe('open');
  });
});
