import { Customer, CustomerRelation, Reminder, Staff } from '../../entities';
import type { Container } from '../../src/container';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

interface Card {
  task_id: string;
  main_title: { desc: string };
  button_selection: { question_key: string; selected_id: string; option_list: Array<{ id: string; text: string }> };
}

/**
 * The 待办 card is redrawn in place after each click and stays clickable. A click carries the option
 * the card shows as picked (WeCom sends the pick, preselected or chosen): tapping 完成 twice, or again
 * to check it worked, must act on the reminder handled, not on the next one the list moved up.
 * Typed and clicked through the signed webhook, the real queue and worker; WeCom faked with nock.
 */
describe('the 待办 card clicked twice', () => {
  let harness: WebhookHarness;
  let container: Container;
  let calls: WecomCall[];
  let msgId = 7_720_000_000_000_000_000n;

  beforeAll(async () => {
    harness = await startWebhookHarness('todo-clicks', { OUTBOUND_PACING_WINDOW_MS: '200' });
    container = harness.container;
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' });
    for (const [name, id] of [
      ['刘洋', 'wmLiu'],
      ['李雷', 'wmLi'],
    ]) {
      const customer = await container.dataSource.getRepository(Customer).save({ name, externalUserid: id });
      await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: new Date() });
    }
  });

  afterAll(() => harness.close());

  const sends = () => calls.filter((c) => c.api === 'message/send');
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');
  const reminder = (content: string) => container.dataSource.getRepository(Reminder).findOneByOrFail({ content });

  async function type(content: string): Promise<Record<string, any>> {
    const before = sends().length;
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content, msgId: String((msgId += 1n)) }));
    const all = await waitFor(
      async () => sends(),
      (s) => s.length > before,
      15_000,
      `the reply to ${content}`,
    );
    return all[before]!.body;
  }

  /** A tap on a button of the card as it stands: WeCom sends the option it shows as picked. */
  async function tap(card: Card, key: string, responseCode: string): Promise<Card> {
    const before = updates().length;
    const selected = { [card.button_selection.question_key]: [card.button_selection.selected_id] };
    await harness.post(templateCardEventXml({ corpId: container.wecom.corpId, from: 'ZhangSan', eventKey: key, taskId: card.task_id, responseCode, selected }));
    const all = await waitFor(
      async () => updates(),
      (u) => u.length > before,
      15_000,
      `the card redrawn after ${key}`,
    );
    return (all[before]!.body as { template_card: Card }).template_card;
  }

  it('完成 tapped twice completes the picked reminder once and leaves the next one open', async () => {
    await type('提醒 明天上午10点 刘洋 发报价');
    await type('提醒 明天上午11点 李雷 发合同');
    const first = await reminder('发报价');
    const second = await reminder('发合同');
    const card = (await type('待办')).template_card as Card;
    expect(card.button_selection.selected_id).toBe(String(first.id));
    // the drop-down tells the reminders apart (not two cut-off times)
    expect(card.button_selection.option_list.map((o) => o.text)).toEqual([expect.stringContaining('刘洋'), expect.stringContaining('李雷')]);

    const redrawn = await tap(card, 'todo:done', 'RC-1');
    expect(redrawn.main_title.desc).toBe(`#${first.id} ✅ 已完成`);
    expect(redrawn.button_selection.selected_id).toBe(String(first.id));
    expect(redrawn.button_selection.option_list[0]!.text).toContain('已完成');

    const again = await tap(redrawn, 'todo:done', 'RC-2');
    expect(again.main_title.desc).toBe(`#${first.id} 已完成，无需重复操作`);
    expect((await reminder('发合同')).status).toBe('pending');
    expect(again.button_selection.option_list.map((o) => o.id)).toEqual([String(first.id), String(second.id)]);

    // picking the next one on purpose acts on it
    const picked = await tap({ ...again, button_selection: { ...again.button_selection, selected_id: String(second.id) } }, 'todo:done', 'RC-3');
    expect(picked.main_title.desc).toBe(`#${second.id} ✅ 已完成`);
    expect((await reminder('发合同')).status).toBe('done');
  });

  it('after 推迟1小时 the snoozed reminder stays picked, though the list re-sorts', async () => {
    await type('提醒 明天上午10点 刘洋 发报价');
    await type('提醒 明天上午10点半 李雷 发合同');
    const first = await reminder('发报价');
    const card = (await type('待办')).template_card as Card;
    const redrawn = await tap(card, 'todo:snooze1h', 'RC-s1');
    // 11:00 now sorts after 10:30, yet it is still the one picked
    expect(redrawn.button_selection.option_list[0]!.text).toContain('李雷');
    expect(redrawn.button_selection.selected_id).toBe(String(first.id));
  });
});
