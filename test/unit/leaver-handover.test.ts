import { parseLeaver } from '../../bots/commands/leaver.command';
import { UsageError } from '../../bots/core/errors';
import { split } from '../../src/modules/handover/leaver.service';
import { handedCustomerCard, handedCustomersDigest } from '../../templates/cards/handover-owner.cards';
import { CARD_LIMITS } from '../../templates/cards/card-limits';
import { LEAVER_QUESTION_KEY, leaverCard } from '../../templates/cards/leaver.cards';
import { dueReminderCard } from '../../templates/cards/reminder-notices';
import { sopStepMarkdown } from '../../templates/cards/sop-messages';

describe('离职继承 parses', () => {
  it.each([
    ['张伟 给 李娜', { leaver: '张伟', mode: { kind: 'one', to: '李娜' } }],
    ['张伟给李娜', { leaver: '张伟', mode: { kind: 'one', to: '李娜' } }],
    ['张伟的全部客户 给 lina', { leaver: '张伟', mode: { kind: 'one', to: 'lina' } }],
    ['张伟 全部给 李娜', { leaver: '张伟', mode: { kind: 'one', to: '李娜' } }],
    ['张伟 平均分配', { leaver: '张伟', mode: { kind: 'even' } }],
    ['zhangwei 平分', { leaver: 'zhangwei', mode: { kind: 'even' } }],
    ['张伟  平均分给团队', { leaver: '张伟', mode: { kind: 'even' } }],
    ['张伟', { leaver: '张伟', mode: { kind: 'show' } }],
  ])('%s', (args, expected) => {
    expect(parseLeaver(args)).toEqual(expected);
  });

  it.each([[''], ['张伟 随便'], ['张伟 给']])('refuses %p with the usage', (args) => {
    expect(() => parseLeaver(args)).toThrow(UsageError);
  });
});

describe('an even split', () => {
  it('deals the most valuable out in turn, the first share the largest', () => {
    expect(split([1, 2, 3, 4, 5], ['a', 'b'])).toEqual([
      { to: 'a', customers: [1, 3, 5] },
      { to: 'b', customers: [2, 4] },
    ]);
  });
  it('leaves out someone who would get nobody', () => {
    expect(split([1], ['a', 'b'])).toEqual([{ to: 'a', customers: [1] }]);
  });
});

describe('the leaver card', () => {
  const card = leaverCard({
    leaverId: 7,
    leaverName: '张伟',
    customers: [
      { name: '王五', openAmount: 50_000, lastFollowUp: '11/28' },
      { name: '赵六', openAmount: 0, lastFollowUp: null },
    ],
    total: 2,
    openOpportunities: 1,
    openAmount: 50_000,
    openReminders: 3,
    groups: 1,
    teammates: [
      { userid: 'lina', name: '李娜' },
      { userid: 'wangfang', name: '王芳' },
    ],
  });

  it('lists the most valuable first and offers the teammates, the first picked', () => {
    expect(card.sub_title_text).toContain('王五 ¥5万 11/28跟进');
    expect(card.button_selection).toMatchObject({ question_key: LEAVER_QUESTION_KEY, selected_id: 'lina' });
    expect((card.button_list as Array<{ key: string }>).map((b) => b.key)).toEqual(['leave:one:7', 'leave:even:7']);
    for (const b of card.button_list as Array<{ text: string }>) expect(Array.from(b.text).length).toBeLessThanOrEqual(CARD_LIMITS.buttonText);
    expect(String((card.main_title as { title: string }).title).length).toBeLessThanOrEqual(CARD_LIMITS.title);
  });
});

describe('what the new owner and the stand-in read', () => {
  it('a handed customer card says from whom, how long, the stage and what is open', () => {
    const card = handedCustomerCard({
      name: '王五',
      fromName: '张伟',
      stage: '商机',
      daysAsCustomer: 40,
      recentFollowUps: ['11/28 张伟：电话沟通了报价'],
      openReminders: 1,
      nextReminder: '12月3日 周四 10:00 发报价',
      openOpportunity: '¥50,000 · 60%',
    });
    const text = JSON.stringify(card);
    for (const part of ['王五 交给你了', '原跟进人 张伟 · 客户40天', '电话沟通了报价', '商机', '1条 · 下次', '¥50,000']) expect(text).toContain(part);
  });

  it('a digest counts them', () => {
    const one = { name: 'x', stage: '线索', daysAsCustomer: 1, recentFollowUps: [], openReminders: 1, nextReminder: null, openOpportunity: null };
    const card = handedCustomersDigest({ fromNames: ['张伟'], total: 6, customers: Array(6).fill(one), openReminders: 6, openOpportunities: 0 });
    expect(JSON.stringify(card)).toContain('6 位客户交给你了');
  });

  it('a reminder and an SOP step of a leaver say whose they are', () => {
    const card = dueReminderCard(
      { reminderId: 3, content: '回访', dueAt: new Date('2026-12-03T02:00:00Z'), customerName: '王五', onBehalfOf: '张伟' },
      'Asia/Shanghai',
      new Date('2026-12-02T02:00:00Z'),
    );
    expect(card.sub_title_text).toContain('张伟（已离职）的提醒');
    expect(sopStepMarkdown({ sopTitle: '新客户', stepNumber: 1, stepCount: 3, customerName: '王五', text: '打个招呼', onBehalfOf: '张伟' })).toContain(
      '张伟（已离职）的 SOP',
    );
  });

  it('a leaver’s SOP step for the team group @-mentions the stand-in, not the leaver', () => {
    const post = sopStepMarkdown({
      sopTitle: '商机跟进',
      stepNumber: 1,
      stepCount: 1,
      customerName: '王五',
      text: '张伟 的商机需要跟进',
      onBehalfOf: '张伟',
      mention: { wecomUserid: 'WangLead', name: '王主管', robot: true },
    });
    expect(post).toContain('<@WangLead>');
    expect(post).toContain('张伟（已离职）的 SOP，客户接替前由被提到的同事代收');
  });
});
