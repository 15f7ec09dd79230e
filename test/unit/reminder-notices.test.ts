import dayjs from '../../src/platform/dayjs';
import { closedReminderText, dueReminderCard, overdueReminderPost } from '../../templates/cards/reminder-notices';

const TZ = 'Asia/Shanghai';
const sh = (local: string) => dayjs.tz(local, TZ).toDate();
const NOW = sh('2026-12-02 09:00');

describe('what a reminder sends by itself', () => {
  it('a due reminder is its button card, the due time in the CRM zone and the task id of this firing', () => {
    const card = dueReminderCard({ reminderId: 7, content: '联系 刘洋：发报价', dueAt: sh('2026-12-02 15:00'), customerName: '刘洋' }, TZ, NOW);
    expect(card.task_id).toBe(`rem-7-${sh('2026-12-02 15:00').getTime()}`);
    expect(JSON.stringify(card)).toContain('12月2日 周三 15:00');
    expect((card.button_list as Array<{ text: string }>).map((b) => b.text)).toEqual(['完成', '推迟1小时', '明天再提醒', '查看客户']);
  });

  it('a reminder closed because the relation ended says why and when, and the matter without the name again', () => {
    const text = closedReminderText(
      { reminderId: 7, content: '联系 刘洋：发报价', customerName: '刘洋', reason: 'customer_lost', endedAt: sh('2026-12-01 18:30') },
      TZ,
      NOW,
    );
    expect(text).toBe('提醒 #7 已自动关闭（刘洋：客户已删除你，12月1日 周二 18:30），不再提醒。\n原事项：发报价');
    expect(closedReminderText({ reminderId: 8, content: '打电话', customerName: null, reason: 'customer_transferred', endedAt: null }, TZ, NOW)).toBe(
      '提醒 #8 已自动关闭（客户已转给同事跟进），不再提醒。\n原事项：打电话',
    );
  });

  it('an overdue post mentions the salesperson only where the group is a robot', () => {
    const overdue = { content: '发报价', dueAt: sh('2026-12-02 07:00'), customerName: '刘洋', openForMs: 2 * 3_600_000 + 5 * 60_000 };
    const robot = overdueReminderPost(overdue, { name: '张伟', wecomUserid: 'ZhangWei', robot: true }, TZ, NOW);
    expect(robot.split('\n')).toEqual([
      '**<font color="warning">提醒已超时未处理</font>** 超过2小时',
      '> 销售：张伟 <@ZhangWei>',
      '> 客户：刘洋',
      '> 事项：发报价',
      '> 到期：12月2日 周三 07:00',
    ]);
    expect(overdueReminderPost(overdue, { name: '张伟', wecomUserid: 'ZhangWei', robot: false }, TZ, NOW)).toContain('> 销售：张伟\n');
  });
});
