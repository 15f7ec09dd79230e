import { OutboundMessage } from '../../entities';
import type { Container } from '../../src/container';
import { createOutboundProcessor } from '../../src/platform/outbound/outbound.processor';
import { utf8Bytes } from '../../src/platform/wecom/limits/wecom-limits';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOT-KEY';

/**
 * The payload guard at the outbound boundary, end to end: whatever a caller enqueues, what reaches
 * WeCom (a nock fake that refuses what WeCom refuses) is within every limit, long messages arrive
 * as consecutive messages in order, and nothing is lost or sent twice.
 */
describe('outbound messages fitted to WeCom’s limits', () => {
  let container: Container;
  let calls: WecomCall[];

  beforeEach(async () => {
    calls = fakeWecom({ also: ['webhook/send', 'appchat/send'] });
    container = await createTestContainer('outbound-fit', { OUTBOUND_PACING_WINDOW_MS: '1000', CRM_QUIET_HOURS: 'off' });
    // several sends at once: the parts of one message must still arrive in order
    void container.queues.get('outbound').process(8, createOutboundProcessor(container));
  });

  afterEach(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const rows = () => container.dataSource.getRepository(OutboundMessage).find({ order: { id: 'ASC' } });
  const contentOf = (c: WecomCall) => String(((c.body.markdown ?? c.body.text) as { content: string }).content);

  it('a 6 KB markdown to a salesperson arrives as consecutive messages of at most 2048 bytes, in order, each sent once', async () => {
    const lines = Array.from({ length: 80 }, (_, i) => `> ${String(i + 1).padStart(3, '0')} <font color="warning">已过期</font> 刘洋：回访并发送报价`);
    await container.outbound.enqueue({
      channel: 'user',
      touser: 'zhangsan',
      message: { msgtype: 'markdown', markdown: { content: `**待办提醒**\n${lines.join('\n')}` } },
      idempotencyKey: 'long-1',
    });
    const sent = await waitFor(
      async () => (await rows()).filter((r) => r.status === 'sent'),
      (r) => r.some((x) => !x.payload.rest),
      15_000,
      'the last part sent',
    );
    const sends = calls.filter((c) => c.api === 'message/send');
    expect(sends.map((c) => c.errcode)).toEqual(sends.map(() => undefined));
    for (const c of sends) expect(utf8Bytes(contentOf(c))).toBeLessThanOrEqual(2048);
    // in order, nothing missing or repeated
    const numbers = sends.flatMap((c) => [...contentOf(c).matchAll(/> (\d{3}) /g)].map((m) => Number(m[1])));
    expect(numbers).toEqual(lines.map((_, i) => i + 1));
    expect(sent.map((r) => r.idempotencyKey)).toEqual(['long-1', 'long-1#part2', 'long-1#part3', 'long-1#part4']);
  });

  it('a robot post is split at the robot’s 4096 bytes; a long welcome is cut to 4000 and sent once', async () => {
    await container.outbound.enqueue({
      channel: 'robot',
      webhookUrl: ROBOT,
      label: '华东销售一组',
      message: {
        msgtype: 'markdown',
        markdown: { content: Array.from({ length: 400 }, (_, i) => `> 销售${i}：新客户 3 · 跟进 5 · 逾期 <font color="warning">1</font>`).join('\n') },
      },
      idempotencyKey: 'robot-1',
    });
    await container.outbound.enqueue({
      channel: 'welcome',
      welcomeCode: 'WELCOME',
      externalUserid: 'wmX',
      text: { content: `您好，${'欢迎'.repeat(1500)}` },
      idempotencyKey: 'welcome-1',
    });
    await waitFor(
      async () => (await rows()).filter((r) => r.status === 'sent' && r.channel === 'robot'),
      (r) => r.length >= 4,
      15_000,
      'robot parts sent',
    );
    const robot = calls.filter((c) => c.api === 'webhook/send');
    expect(robot.every((c) => c.errcode === undefined && utf8Bytes(contentOf(c)) <= 4096)).toBe(true);
    expect(utf8Bytes(contentOf(robot[0]!))).toBeGreaterThan(2048);
    const welcome = await waitFor(
      async () => calls.filter((c) => c.api === 'externalcontact/send_welcome_msg'),
      (w) => w.length === 1,
      10_000,
      'the welcome',
    );
    expect(welcome[0]!.errcode).toBeUndefined();
    expect(utf8Bytes(contentOf(welcome[0]!))).toBeLessThanOrEqual(4000);
  });

  it('a card with over-long fields and too many rows and buttons is fitted, not refused; a key that would be cut is refused before anything is stored', async () => {
    const long = '超长的客户备注'.repeat(30);
    await container.outbound.enqueue({
      channel: 'user',
      touser: 'zhangsan',
      message: {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          main_title: { title: long, desc: long },
          sub_title_text: long,
          quote_area: { type: 0, quote_text: long },
          horizontal_content_list: Array.from({ length: 8 }, () => ({ keyname: long, value: long })),
          card_action: { type: 1, url: 'https://work.weixin.qq.com' },
        },
      },
      idempotencyKey: 'card-1',
    });
    const sent = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length === 1,
      10_000,
      'the card',
    );
    expect(sent[0]!.errcode).toBeUndefined();
    const card = sent[0]!.body.template_card as { horizontal_content_list: unknown[]; main_title: { title: string } };
    expect(card.horizontal_content_list).toHaveLength(6);
    expect(card.main_title.title.startsWith('超长的客户备注')).toBe(true);

    await expect(
      container.outbound.enqueue({
        channel: 'user',
        touser: 'zhangsan',
        message: {
          msgtype: 'template_card',
          template_card: { card_type: 'button_interaction', task_id: 't'.repeat(200), button_list: [{ text: '完成', key: 'k' }] },
        },
        idempotencyKey: 'card-2',
      }),
    ).rejects.toThrow(/task_id/);
    expect((await rows()).map((r) => r.idempotencyKey)).toEqual(['card-1']);
  });

  it('the next part is queued once however often the sent part is replayed (a crash after the send)', async () => {
    await container.queues.get('outbound').pause(true);
    await container.outbound.enqueue({
      channel: 'user',
      touser: 'zhangsan',
      message: { msgtype: 'text', text: { content: '跟进记录'.repeat(400) } },
      idempotencyKey: 'long-2',
    });
    const [first] = await rows();
    await container.outbound.enqueueRest(first!);
    await container.outbound.enqueueRest(first!);
    expect((await rows()).map((r) => r.idempotencyKey)).toEqual(['long-2', 'long-2#part2']);
  });
});
