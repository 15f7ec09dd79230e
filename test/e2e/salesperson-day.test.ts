import { SandboxClient, SandboxClientError } from '../../src/modules/sandbox/sandbox-client';
import type { SandboxView } from '../../src/modules/sandbox/sandbox-view';
import type { ChatItem } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import dayjs from '../../src/platform/dayjs';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';
import { waitFor } from '../helpers/test-env';

/**
 * A salesperson's whole first day on the sandbox, as `npm start` runs it (on SQLite in the `sqlite`
 * project): customers scan channel QR codes, 张伟 types every command of the README's table the way
 * people type them, works the 待办 card and a reminder card (a button clicked twice too), fires what
 * is due, and a customer deletes him. Every step asserts on what the page shows (the control API's
 * view: the chat, the team group, the customer list), through the same client `npm run simulate` uses.
 *
 * The steps run in order and build on each other, as a day does.
 */
const TZ = 'Asia/Shanghai';
const ME = 'zhangwei';
const LEAD = 'wangfang';

/** "12月3日 周四": how the product writes the day `days` after today (CRM_TIMEZONE). */
const dayLabel = (days: number) => {
  const d = dayjs().tz(TZ).add(days, 'day');
  return `${d.month() + 1}月${d.date()}日 周${'日一二三四五六'[d.day()]}`;
};

const title = (item: ChatItem | undefined) => String((item?.card?.main_title as { title?: string } | undefined)?.title ?? '');
const rows = (item: ChatItem) =>
  Object.fromEntries(((item.card?.horizontal_content_list ?? []) as Array<{ keyname: string; value?: string }>).map((r) => [r.keyname, r.value ?? '']));
const buttons = (item: ChatItem) => ((item.card?.button_list ?? []) as Array<{ text: string; key: string }>).map((b) => b.text);
const keyOf = (item: ChatItem, text: string) => ((item.card?.button_list ?? []) as Array<{ text: string; key: string }>).find((b) => b.text === text)!.key;
/** What a person reads in a message: the card as WeCom shows it, or the text. */
const shown = (item: ChatItem | undefined) => (item ? (item.card ? JSON.stringify(item.card) : (item.text ?? '')) : '');
/** Pushes the product makes on its own (SOP steps) are not replies to what was typed. */
const isPush = (item: ChatItem) => /^\*\*SOP · /.test(item.text ?? '');

describe('a salesperson’s day on the sandbox', () => {
  jest.setTimeout(60_000);
  let app: SandboxApp;
  let sandbox: SandboxClient;
  const customers: Record<string, string> = {};

  beforeAll(async () => {
    app = await startSandboxApp('day', {
      // A command that fails is answered after two quick attempts, not eight slow ones.
      INBOUND_MAX_ATTEMPTS: '2',
      INBOUND_RETRY_DELAY_MS: '50',
      // A day in half a minute: WeCom's 30 app messages per member are counted per 5 s here, not per
      // minute, or the 31st message to 张伟 (about when 勿扰 is typed) would wait for the minute to pass.
      OUTBOUND_PACING_WINDOW_MS: '5000',
    });
    sandbox = new SandboxClient(app.url);
  });
  afterAll(() => app?.close());

  const view = (user = ME) => sandbox.view(user);
  const until = (what: string, predicate: (v: SandboxView) => boolean, user = ME, timeoutMs = 15_000) => waitFor(() => view(user), predicate, timeoutMs, what);
  const customer = (v: SandboxView, name: string) => v.customers.find((c) => c.name === name)!;
  const chatItem = (v: SandboxView, seq: number) => v.chat.find((c) => c.seq === seq)!;

  /** Types to the app as `user` and answers the product's reply: the first message to them after it. */
  async function say(content: string, user = ME): Promise<ChatItem> {
    const { seq } = (await sandbox.action('type', { userid: user, content })) as { seq: number };
    const replyOf = (v: SandboxView) => v.chat.find((c) => c.seq > seq && c.direction === 'out' && !isPush(c));
    const reply = replyOf(await until(`the reply to 「${content}」`, (v) => !!replyOf(v), user, 12_000))!;
    return reply;
  }

  /** Clicks a card's button and waits for the card to change in place (update_template_card). */
  async function click(card: ChatItem, text: string, selected: Record<string, string[]> = {}): Promise<ChatItem> {
    const before = chatItem(await view(), card.seq).updatedAt;
    await sandbox.action('click', { userid: ME, card: card.seq, key: keyOf(card, text), selected });
    return chatItem(await until(`the card updated after 「${text}」`, (v) => chatItem(v, card.seq).updatedAt !== before), card.seq);
  }
  const notice = (todo: ChatItem) => String((todo.card!.main_title as { desc?: string }).desc ?? '');

  it('morning: two customers scan 张伟’s channel QR codes and are captured with the channel’s tags, stage and welcome', async () => {
    customers.刘洋 = String((await sandbox.action('scan', { userid: ME, state: 'live-demo', name: '刘洋' })).customer);
    customers.陈静 = String((await sandbox.action('scan', { userid: ME, state: 'expo-2026', name: '陈静' })).customer);
    const v = await until('both captured and welcomed', (x) => ['刘洋', '陈静'].every((n) => customer(x, n)?.welcome) && x.chat.filter(isPush).length >= 2);
    expect(customer(v, '刘洋')).toMatchObject({
      stage: '线索',
      tags: ['直播间'],
      mine: true,
      owners: [{ userid: ME, name: '张伟', status: 'active', state: 'live-demo' }],
    });
    expect(customer(v, '刘洋').welcome).toContain('感谢您从直播间添加我');
    expect(customer(v, '陈静')).toMatchObject({ stage: '潜在客户', tags: expect.arrayContaining(['展会']) });
    // The new-customer SOP's first step reaches 张伟 at once.
    expect(v.chat.filter(isPush).map((c) => c.text)).toEqual(expect.arrayContaining([expect.stringContaining('刘洋'), expect.stringContaining('陈静')]));
  });

  it('帮助 lists the commands', async () => {
    const reply = await say('帮助');
    for (const command of ['记录跟进', '查客户', '我的客户', '打标签', '阶段', '商机', '提醒', '待办', '今日', '报表', '撤销', '勿扰'])
      expect(shown(reply)).toContain(command);
  });

  it('我的客户 lists both, with their stages', async () => {
    const reply = await say('我的客户');
    expect(reply.msgtype).toBe('markdown');
    expect(reply.text).toMatch(/我的客户.*共2位/);
    expect(reply.text).toMatch(/陈静.*潜在客户/);
    expect(reply.text).toMatch(/刘洋.*线索/);
  });

  it('查客户 shows the profile card: stage, owner, channel, tags, nothing due', async () => {
    const reply = await say('查客户 刘洋');
    expect(title(reply)).toBe('刘洋');
    expect(rows(reply)).toMatchObject({ 阶段: expect.stringMatching(/^线索/), 负责人: '张伟', 来源: '抖音直播间', 标签: '直播间', 待办: '无' });
    expect(shown(reply)).toContain('还没有跟进记录');
  });

  it('记录跟进 with a date records the note and schedules the reminder, echoing the date in full', async () => {
    const reply = await say('记录跟进 刘洋 电话沟通了报价，明天下午3点再联系');
    expect(title(reply)).toBe('已记录跟进：刘洋');
    expect((reply.card!.emphasis_content as { title: string }).title).toBe('15:00');
    expect((reply.card!.quote_area as { quote_text: string }).quote_text).toBe('电话沟通了报价，明天下午3点再联系');
    expect(rows(reply).下次联系).toBe(`${dayLabel(1)} 15:00`);
    await until('one reminder pending', (v) => v.pendingReminders === 1);
  });

  it('打标签 adds the tags, shown on the customer', async () => {
    const reply = await say('打标签 刘洋 高意向 教育行业');
    expect(shown(reply)).toContain('高意向');
    expect(shown(reply)).toContain('教育行业');
    const v = await until('the tags on the customer', (x) => ['高意向', '教育行业'].every((t) => customer(x, '刘洋').tags.includes(t)));
    expect(customer(v, '刘洋').tags).toContain('直播间');
  });

  it('阶段 moves the customer to 商机 (whose SOP plans a team review for tomorrow 10:00)', async () => {
    const reply = await say('阶段 刘洋 商机');
    expect(title(reply)).toBe('刘洋：商机');
    expect(rows(reply)).toMatchObject({ 原阶段: '线索', 新阶段: '商机' });
    await until('the stage on the customer', (x) => customer(x, '刘洋').stage === '商机');
  });

  it('商机 records the amount, probability and close date as people write them', async () => {
    const reply = await say('商机 刘洋 5万 60% 月底');
    expect(title(reply)).toBe('刘洋：¥50,000');
    expect(rows(reply).概率).toBe('60%');
    expect(rows(reply).预计成交).toMatch(/^\d+月\d+日 周./);
  });

  it('提醒 sets a reminder for tomorrow 10:00 about 陈静', async () => {
    const reply = await say('提醒 明天上午10点 陈静 发报价');
    expect(title(reply)).toMatch(/^提醒已设好 #\d+$/);
    expect(rows(reply)).toMatchObject({ 时间: `${dayLabel(1)} 10:00`, 客户: '陈静', 事项: '发报价' });
    await until('two reminders pending', (v) => v.pendingReminders === 2);
  });

  it('待办 shows a card with both reminders, soonest first, and the three buttons', async () => {
    const reply = await say('待办');
    expect(title(reply)).toBe('待办提醒（2）');
    expect(buttons(reply)).toEqual(['完成', '推迟1小时', '明天再提醒']);
    const lines = String(reply.card!.sub_title_text).split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`${dayLabel(1)} 10:00 陈静：发报价$`)),
      expect.stringMatching(new RegExp(`${dayLabel(1)} 15:00 刘洋：`)),
    ]);
  });

  /** A fresh 待办 card and the option id of the reminder whose line contains `text`. */
  async function todoCardFor(text: string): Promise<{ card: ChatItem; option: string; selected: Record<string, string[]> }> {
    const card = await say('待办');
    const selection = card.card!.button_selection as { question_key: string; option_list: Array<{ id: string; text: string }> };
    const lines = String(card.card!.sub_title_text).split('\n');
    const id = /^#(\d+)/.exec(lines.find((l) => l.includes(text))!)![1]!;
    expect(selection.option_list.map((o) => o.id)).toContain(id);
    return { card, option: id, selected: { [selection.question_key]: [id] } };
  }

  it('待办 → 推迟1小时 on 陈静’s reminder (due tomorrow 10:00) moves it to tomorrow 11:00, never earlier; the card is redrawn with the list as it is now', async () => {
    const { card, option, selected } = await todoCardFor('陈静');
    const after = await click(card, '推迟1小时', selected);
    expect(notice(after)).toBe(`#${option} 已推迟到 ${dayLabel(1)} 11:00`);
    expect(String(after.card!.sub_title_text)).toContain(`#${option} ${dayLabel(1)} 11:00 陈静：发报价`);
  });

  it('待办 → 明天再提醒 on 刘洋’s reminder (due tomorrow 15:00) moves it to the day after, 09:00, never earlier', async () => {
    const { card, option, selected } = await todoCardFor('刘洋');
    const after = await click(card, '明天再提醒', selected);
    expect(notice(after)).toBe(`#${option} 已推迟到 ${dayLabel(2)} 09:00`);
  });

  it('今日 sums up the day so far', async () => {
    const reply = await say('今日');
    expect(reply.text).toContain(`今日简报 · ${dayLabel(0)}`);
    expect(reply.text).toContain('新客户 **2**');
    expect(reply.text).toContain('跟进记录 **1**');
  });

  it('撤销 takes back the last record: a follow-up typed on the wrong customer is gone', async () => {
    expect(title(await say('记录跟进 陈静 发错了，这条是给刘洋的'))).toBe('已记录跟进：陈静');
    expect(shown(await say('撤销'))).toBe('已撤销：陈静 的跟进「发错了，这条是给刘洋的」');
    const profile = await say('查客户 陈静');
    expect(shown(profile)).toContain('还没有跟进记录');
    expect(shown(profile)).not.toContain('发错了');
  });

  it('报表: a salesperson is told who may use it; the lead 王芳 sees the team, the undone follow-up not counted', async () => {
    expect(shown(await say('报表'))).toContain('只对团队主管和管理员开放');
    const report = await say('报表', LEAD);
    expect(report.text).toMatch(/报表 · 华东销售一组 · 本周/);
    expect(report.text).toContain('张伟：新客户 2 · 跟进 1');
    expect(report.text).toMatch(/商机 1/);
    expect(report.text).toContain('抖音直播间 1 → 商机 1'); // the channel by its rule's display name
  });

  it('fire-due: tomorrow’s reminders fire now as cards with 完成 / 推迟1小时 / 明天再提醒 / 查看客户, and the SOP steps with them', async () => {
    const { fired } = (await sandbox.action('fire-due')) as { fired: number };
    expect(fired).toBeGreaterThanOrEqual(2);
    const v = await until(
      'both reminder cards and the team review',
      (x) =>
        ['该联系 刘洋 了', '该联系 陈静 了'].every((t) => x.chat.some((c) => title(c) === t)) &&
        x.pendingReminders === 0 &&
        !!x.group?.items.some((i) => (i.text ?? '').includes('商机跟进')) &&
        x.chat.some((c) => isPush(c) && c.text!.includes('今天给 陈静 打第一个电话')),
    );
    const card = v.chat.find((c) => title(c) === '该联系 刘洋 了')!;
    expect(buttons(card)).toEqual(['完成', '推迟1小时', '明天再提醒', '查看客户']);
    expect((card.card!.quote_area as { quote_text: string }).quote_text).toContain('电话沟通了报价，明天下午3点再联系');
    // The 商机 stage SOP: a team-group review naming 张伟 (mentioned) and the customer.
    const review = v.group!.items.find((i) => (i.text ?? '').includes('商机跟进'))!.text!;
    expect(review).toContain('<@zhangwei>');
    expect(review).toContain('张伟 的客户 刘洋 进入商机阶段');
    // The new-customer SOP's first call: for 陈静 (潜在客户); not for 刘洋, already at 商机 (the step's condition).
    const pushes = v.chat
      .filter(isPush)
      .map((c) => c.text)
      .join('\n');
    expect(pushes).toContain('今天给 陈静 打第一个电话');
    expect(pushes).not.toContain('今天给 刘洋 打第一个电话');
  });

  it('the reminder card: 查看客户 opens the profile, 完成 closes it, and 完成 again is refused as WeCom would', async () => {
    const card = (await view()).chat.find((c) => title(c) === '该联系 刘洋 了')!;
    await sandbox.action('click', { userid: ME, card: card.seq, key: keyOf(card, '查看客户') });
    const profile = await until('the profile card', (x) => x.chat.some((c) => c.seq > card.seq && title(c) === '刘洋' && !!c.card?.horizontal_content_list));
    expect(rows(profile.chat.filter((c) => title(c) === '刘洋').at(-1)!)).toMatchObject({
      阶段: expect.stringMatching(/^商机/),
      标签: expect.stringContaining('高意向'),
    });

    const done = await click(chatItem(await view(), card.seq), '完成');
    expect(done.replacedButton).toBe('✅ 已完成');
    const again = await sandbox.action('click', { userid: ME, card: card.seq, key: keyOf(done, '完成') }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SandboxClientError);
    expect((again as Error).message).toContain('already been handled');
  });

  it('a 待办 card still showing a reminder done elsewhere answers 「已完成，无需重复操作」; 完成 typed closes the other', async () => {
    const v = await view();
    const chen = v.chat.find((c) => title(c) === '该联系 陈静 了')!;
    const id = rows(chen).编号!.slice(1);
    // A 待办 card listing 陈静's reminder, then the same reminder closed by typing.
    const { card, selected } = await todoCardFor('陈静');
    expect(shown(await say(`完成 ${id}`))).toContain('完成');
    const after = await click(card, '完成', selected);
    expect(notice(after)).toBe(`#${id} 已完成，无需重复操作`);
    expect(after.replacedButton).toBe('没有待办了');
    expect(shown(await say('待办'))).toContain('没有待办提醒');
  });

  it('afternoon: 刘洋 deletes 张伟: the 删人提醒 reaches 张伟 and the team group, the customer shows as lost', async () => {
    await sandbox.action('delete-staff', { userid: ME, customer: customers.刘洋 });
    const v = await until(
      'the alerts',
      (x) => x.chat.some((c) => title(c) === '客户 刘洋 删除了你') && !!x.group?.items.some((i) => title(i) === '客户 刘洋 删除了 张伟'),
    );
    const card = v.chat.find((c) => title(c) === '客户 刘洋 删除了你')!;
    expect(rows(card)).toMatchObject({ 客户: '刘洋', 来源渠道: '抖音直播间' });
    // the robot shows it as a notice card: the salesperson as a member row (opens their profile)
    const post = v.group!.items.find((i) => title(i) === '客户 刘洋 删除了 张伟')!;
    expect(post.card?.source).toEqual({ desc: '删人提醒', desc_color: 0 });
    expect(post.card?.horizontal_content_list).toContainEqual({ keyname: '销售', value: '张伟', type: 3, userid: 'zhangwei' });
    expect(customer(v, '刘洋').owners).toEqual([expect.objectContaining({ userid: ME, status: 'lost' })]);
    expect(customer(v, '刘洋').mine).toBe(false);
  });

  it('查客户 still finds the customer who deleted 张伟, marked as deleted', async () => {
    const reply = await say('查客户 刘洋');
    expect(title(reply)).toContain('刘洋');
    expect(shown(reply)).toContain('删除');
  });

  it('记录跟进 on the customer who deleted 张伟 is still recorded (跟进记录已保留)', async () => {
    expect(title(await say('记录跟进 刘洋 客户删了微信，改打电话联系'))).toBe('已记录跟进：刘洋');
  });

  it('勿扰 stops the SOP pushes for 陈静 with the reason kept; 恢复 lifts it', async () => {
    expect(shown(await say('勿扰 陈静 客户要求不再打扰'))).toContain('已将 陈静 设为勿扰');
    expect(shown(await say('勿扰 陈静'))).toContain('陈静 已经是勿扰状态了');
    expect(shown(await say('恢复 陈静'))).toContain('已恢复 陈静');
    expect(shown(await say('恢复 陈静'))).toContain('没有设为勿扰');
  });
});
