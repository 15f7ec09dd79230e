import { relationEndText, type TimelineEvent, timelineText } from '../../templates/timeline';

describe('a customer timeline in words', () => {
  it.each<[TimelineEvent, string]>([
    [{ kind: 'added', staff: '张伟', channel: '抖音直播间' }, '添加了张伟（渠道 抖音直播间）'],
    [{ kind: 'added', staff: '张伟', channel: null }, '添加了张伟（直接添加）'],
    [{ kind: 'ended', staff: '张伟', status: 'lost', endReason: 'customer_deleted_staff' }, '客户删除了张伟'],
    [{ kind: 'ended', staff: '张伟', status: 'removed', endReason: 'missing_in_wecom' }, '核对发现已不在张伟的客户中'],
    [{ kind: 'stage', from: 'lead', to: 'opportunity' }, '阶段 线索 → 商机'],
    [{ kind: 'stage', from: null, to: 'vip' }, '阶段 — → vip'],
    [{ kind: 'follow_up', content: '电话沟通了报价' }, '跟进：电话沟通了报价'],
    [{ kind: 'reminder_created', content: '联系 刘洋：发报价', customerName: '刘洋' }, '设提醒：发报价'],
    [{ kind: 'reminder_done', content: '发报价', customerName: null }, '完成提醒：发报价'],
    [{ kind: 'reminder_missed', content: '发报价', customerName: '刘洋' }, '提醒逾期未完成：发报价'],
    [{ kind: 'opportunity', amount: 120000, probability: 60, status: 'open' }, '商机 ¥120,000 · 60%'],
    [{ kind: 'opportunity', amount: 5000, probability: null, status: 'won' }, '商机 ¥5,000（已成交）'],
    [{ kind: 'opportunity', amount: 5000, probability: null, status: 'lost' }, '商机 ¥5,000（已失败）'],
    [{ kind: 'tag_added', tags: ['高意向'], source: 'rule' }, '打标签：高意向（渠道规则）'],
    [{ kind: 'tag_added', tags: ['VIP', '华东'], source: null }, '打标签：VIP、华东'],
    [{ kind: 'tag_removed', tags: ['VIP'], by: 'command' }, '去标签：VIP'],
    [{ kind: 'tag_removed', tags: ['VIP'], by: 'wecom', count: 1 }, '企业微信里去掉了标签：VIP'],
    [{ kind: 'tag_removed', tags: [], by: 'wecom', count: 2 }, '企业微信里移除了2个标签'],
  ])('%j reads %s', (event, text) => {
    expect(timelineText(event)).toBe(text);
  });

  it('an end the reconciliation found names what it found; an unknown status is shown as stored', () => {
    expect(relationEndText({ status: 'removed', endReason: 'staff_not_following' }, '李雷')).toBe('李雷已不是客户联系成员');
    expect(relationEndText({ status: 'transferred', endReason: null }, '李雷')).toBe('已转给同事');
    expect(relationEndText({ status: 'paused' as never, endReason: null }, '李雷')).toBe('关系结束（paused）');
  });
});
