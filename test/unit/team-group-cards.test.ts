import { validateCard } from '../../src/modules/sandbox/fake-wecom/message-content';
import { WecomFault } from '../../src/modules/sandbox/fake-wecom/wecom-fault';
import { CARD_LIMITS } from '../../templates/cards/card-limits';
import { lostCustomerGroupCard, missingCustomersGroupCard, overdueReminderGroupCard } from '../../templates/cards/team-group.cards';

const who = { name: '张三销售', wecomUserid: 'ZhangSan' };

describe('team group notice cards (what a group robot shows instead of markdown)', () => {
  it('an overdue reminder names the salesperson as a member row and masks a phone number used as a name', () => {
    const card = overdueReminderGroupCard(
      { customerName: '13812345678', content: '回电话 13812345678 确认合同', due: '12月2日 周三 10:00', overdueFor: '超过2小时' },
      who,
    ) as Record<string, any>;
    expect(card.card_type).toBe('text_notice');
    expect(card.main_title.title).toBe('提醒已超时未处理 · 超过2小时');
    expect(card.horizontal_content_list).toEqual([
      { keyname: '销售', value: '张三销售', type: 3, userid: 'ZhangSan' },
      { keyname: '客户', value: '138****5678' },
      { keyname: '到期', value: '12月2日 周三 10:00' },
    ]);
    expect(JSON.stringify(card)).not.toContain('13812345678');
    expect(validateCard(card)).toBe(card);
  });

  it('删人提醒 cards fit the title limit with the longest names and list at most three customers', () => {
    const lost = lostCustomerGroupCard(
      { customerName: '名'.repeat(60), externalUserid: 'wm1', staffName: who.name, staffUserid: 'zhangsan', at: '12月2日 10:00', channel: '直播间' },
      who,
    ) as Record<string, any>;
    expect(Array.from(lost.main_title.title as string).length).toBeLessThanOrEqual(CARD_LIMITS.title);
    expect(lost.main_title.title).toContain('删除了 张三销售');
    const missing = missingCustomersGroupCard(
      { customers: ['甲', '乙', '丙', '丁'], total: 12, staffName: who.name, staffUserid: 'ZhangSan', at: '12月2日 03:00' },
      who,
    ) as Record<string, any>;
    expect(missing.main_title.title).toBe('12位客户已不在 张三销售 的客户中');
    expect(missing.horizontal_content_list[1]).toEqual({ keyname: '客户', value: '甲、乙、丙 等12位' });
  });

  it('the fake refuses a member row without a userid, as WeCom does', () => {
    const card = overdueReminderGroupCard({ customerName: null, content: 'x', due: 'd', overdueFor: '超过1分钟' }, who) as Record<string, any>;
    delete card.horizontal_content_list[0].userid;
    expect(() => validateCard(card)).toThrow(WecomFault);
  });
});
