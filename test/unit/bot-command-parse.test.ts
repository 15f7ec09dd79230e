import { completeReminderCommand, snoozeReminderCommand } from '../../bots/commands/complete-reminder.command';
import { myCustomersCommand } from '../../bots/commands/my-customers.command';
import { opportunityCommand } from '../../bots/commands/opportunity.command';
import { parseAmount } from '../../bots/core/amounts';
import { recordFollowUpCommand } from '../../bots/commands/record-follow-up.command';
import { remindCommand } from '../../bots/commands/remind.command';
import { reportCommand } from '../../bots/commands/report.command';
import { showCustomerCommand } from '../../bots/commands/show-customer.command';
import { stageCommand } from '../../bots/commands/stage.command';
import { addTagCommand, removeTagCommand } from '../../bots/commands/tag.command';
import { UsageError } from '../../bots/core/errors';
import dayjs from '../../src/platform/dayjs';

/** Each command's pure parse, specified by example (the clock is 2026-11-22 10:00 Shanghai, a Sunday). */
const ctx = { now: new Date('2026-11-22T02:00:00Z'), timezone: 'Asia/Shanghai' };
const local = (d: Date | null) => (d ? dayjs(d).tz(ctx.timezone).format('MM-DD HH:mm') : null);

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.problem;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('记录跟进 parse', () => {
  it.each([
    ['张三 电话沟通了报价，下周二再联系', '张三', '电话沟通了报价，下周二再联系', '11-24 09:00'],
    ['张三 上午打过电话，下周二下午3点再联系', '张三', '上午打过电话，下周二下午3点再联系', '11-24 15:00'],
    ['“张 三” 见面聊了合同', '张 三', '见面聊了合同', null],
    ['张三 昨天发了资料', '张三', '昨天发了资料', null],
    ['138 明天上午10点回访', '138', '明天上午10点回访', '11-23 10:00'],
    // the time that says when to get in touch, not the last one mentioned
    ['张三 明天下午3点再联系，注意周末不方便接电话', '张三', '明天下午3点再联系，注意周末不方便接电话', '11-23 15:00'],
    ['张三 周五之前别打扰，下周一上午10点回访', '张三', '周五之前别打扰，下周一上午10点回访', '11-23 10:00'],
    ['张三 客户说月底前定', '张三', '客户说月底前定', '11-30 09:00'],
    ['张三 周三出差，周四下午约见面', '张三', '周三出差，周四下午约见面', '11-26 14:00'],
  ])('%j', (args, customerQuery, content, next) => {
    const input = recordFollowUpCommand.parse(args, ctx);
    expect(input).toMatchObject({ customerQuery, content });
    expect(local(input.nextContactAt)).toBe(next);
  });

  it.each([
    ['', '请写上客户和跟进内容。'],
    ['张三', '请写上和「张三」的跟进内容。'],
  ])('refuses %j', (args, problem) => {
    expect(usageError(() => recordFollowUpCommand.parse(args, ctx))).toBe(problem);
  });
});

describe('提醒 parse', () => {
  it.each([
    ['明天下午3点 张三 发报价', '11-23 15:00', null, '张三', '张三 发报价'],
    ['3天后 回访', '11-25 09:00', null, '', '回访'],
    ['半小时后 给王总回电话', '11-22 10:30', null, '', '给王总回电话'],
    ['下周一早上九点 开周会 带上报表', '11-23 09:00', null, '开周会', '开周会 带上报表'],
    // the customer first, as people also say it
    ['刘洋 明天下午3点 发报价', '11-23 15:00', '刘洋', '', '发报价'],
    ['刘洋，明天下午3点，发报价', '11-23 15:00', '刘洋', '', '发报价'],
    ['明天下午三点 给刘洋发报价', '11-23 15:00', null, '', '给刘洋发报价'],
    ['明天下午3点：刘洋 发报价', '11-23 15:00', null, '刘洋', '刘洋 发报价'],
    ['我 明天上午10点 开会', '11-23 10:00', null, '', '开会'],
  ])('%j', (args, due, customerFirst, maybeCustomer, matter) => {
    const input = remindCommand.parse(args, ctx);
    expect(local(input.dueAt)).toBe(due);
    expect(input.customerFirst).toBe(customerFirst);
    expect(input.maybeCustomer).toBe(maybeCustomer);
    expect(input.matter).toBe(matter);
  });

  it.each([
    ['', '请写上时间和事项。'],
    ['改天 张三 回访', '看不懂时间「改天」，可以写 明天下午3点、周五上午10点、3天后。'],
    ['明天下午3点', '请写上要提醒的事项。'],
    ['张三 李四 明天 回访', '看不懂时间「张三」，可以写 明天下午3点、周五上午10点、3天后。'],
  ])('refuses %j', (args, problem) => {
    expect(usageError(() => remindCommand.parse(args, ctx))).toBe(problem);
  });

  it('refuses a time that has passed', () => {
    expect(usageError(() => remindCommand.parse('今天上午9点 开会', ctx))).toMatch(/已经过去了/);
  });
});

describe('商机 parse', () => {
  it.each([
    ['张三 50000', 50000, null, null],
    ['张三 5万 60% 月底', 50000, 60, '11-30 09:00'],
    ['张三 1.5w 30%', 15000, 30, null],
    ['张三 8,000 下周五', 8000, null, '11-27 09:00'],
  ])('%j', (args, amount, probability, close) => {
    const input = opportunityCommand.parse(args, ctx);
    expect(input).toMatchObject({ customerQuery: '张三', amount, probability });
    expect(local(input.expectedCloseAt)).toBe(close);
  });

  it.each([
    ['', '请写上客户和金额。'],
    ['张三', '请写上「张三」的商机金额。'],
    ['张三 很多钱', '「很多钱」不是金额，比如写 50000、5万、1.5万 或 8千。'],
    ['张三 5万 150%', '概率在 0% 到 100% 之间，比如写 60% 或 六成。'],
    ['张三 5万 改天', '看不懂日期「改天」，可以写 月底、12月15日、下周五。'],
  ])('refuses %j', (args, problem) => {
    expect(usageError(() => opportunityCommand.parse(args, ctx))).toBe(problem);
  });

  it.each([
    ['5万', 50000],
    ['5w', 50000],
    ['3千', 3000],
    ['2k', 2000],
    ['100元', 100],
    ['0', null],
    ['-5', null],
    ['5万块', 50000],
    ['5万个', null],
  ])('parseAmount(%j) = %p', (text, amount) => {
    expect(parseAmount(text)).toBe(amount);
  });
});

describe('阶段, 打标签, 查客户, 我的客户, 完成, 推迟 parse', () => {
  it('阶段', () => {
    expect(stageCommand.parse('张三 商机', ctx)).toEqual({ customerQuery: '张三', stage: 'opportunity' });
    expect(stageCommand.parse('"张 三" 成交', ctx)).toEqual({ customerQuery: '张 三', stage: 'won' });
    expect(usageError(() => stageCommand.parse('张三', ctx))).toBe('请写上客户和阶段。');
    expect(usageError(() => stageCommand.parse('张三 签约', ctx))).toBe('没有「签约」这个阶段，可选：线索/潜在客户/商机/成交/流失。');
  });

  it('打标签 / 去标签', () => {
    expect(addTagCommand.parse('张三 高意向 教育行业', ctx)).toEqual({ customerQuery: '张三', tags: ['高意向', '教育行业'] });
    expect(addTagCommand.parse('张三 高意向，教育行业、高意向', ctx)).toEqual({ customerQuery: '张三', tags: ['高意向', '教育行业'] });
    expect(usageError(() => removeTagCommand.parse('张三', ctx))).toBe('请写上要给「张三」的标签。');
    expect(usageError(() => addTagCommand.parse(`张三 ${'长'.repeat(31)}`, ctx))).toMatch(/太长了/);
  });

  it('查客户', () => {
    expect(showCustomerCommand.parse('张三', ctx)).toEqual({ query: '张三', page: null });
    expect(showCustomerCommand.parse('张三 全部', ctx)).toEqual({ query: '张三', page: 1 });
    expect(showCustomerCommand.parse('王五 北京 3', ctx)).toEqual({ query: '王五 北京', page: 3 });
    // a lone number is part of a phone number, not a page
    expect(showCustomerCommand.parse('5678', ctx)).toEqual({ query: '5678', page: null });
    expect(usageError(() => showCustomerCommand.parse('', ctx))).toBe('请写上要查的客户。');
    expect(usageError(() => showCustomerCommand.parse('张三 0', ctx))).toBe('页码从 1 开始。');
  });

  it('报表', () => {
    expect(reportCommand.parse('', ctx)).toEqual({ period: 'week', charts: false });
    expect(reportCommand.parse('本月', ctx)).toEqual({ period: 'month', charts: false });
    expect(reportCommand.parse('今日', ctx)).toEqual({ period: 'today', charts: false });
    expect(reportCommand.parse('图', ctx)).toEqual({ period: 'week', charts: true });
    expect(reportCommand.parse('本月 图表', ctx)).toEqual({ period: 'month', charts: true });
    expect(reportCommand.parse('图 今日', ctx)).toEqual({ period: 'today', charts: true });
    expect(usageError(() => reportCommand.parse('去年', ctx))).toBe('不认识「去年」，可以写：今日、本周、本月，要图表再加「图」。');
    expect(usageError(() => reportCommand.parse('本月 本周 图', ctx))).toBe('不认识「本月 本周」，可以写：今日、本周、本月，要图表再加「图」。');
  });

  it('我的客户', () => {
    expect(myCustomersCommand.parse('', ctx)).toEqual({ stage: null, tag: null, page: 1 });
    expect(myCustomersCommand.parse('商机 2', ctx)).toEqual({ stage: 'opportunity', tag: null, page: 2 });
    expect(myCustomersCommand.parse('高意向', ctx)).toEqual({ stage: null, tag: '高意向', page: 1 });
  });

  it('完成 / 推迟', () => {
    expect(completeReminderCommand.parse('#12', ctx)).toEqual({ id: 12 });
    expect(usageError(() => completeReminderCommand.parse('', ctx))).toMatch(/提醒的编号/);
    // no time: an hour later than it was due, or than now (decided against the stored reminder)
    expect(snoozeReminderCommand.parse('12', ctx)).toEqual({ id: 12, request: { kind: 'hour' } });
    expect(snoozeReminderCommand.parse('＃12', ctx)).toEqual({ id: 12, request: { kind: 'hour' } }); // full-width ＃ as IMEs type it
    expect(completeReminderCommand.parse('＃12', ctx)).toEqual({ id: 12 });
    const typed = snoozeReminderCommand.parse('12 明天上午10点', ctx).request;
    expect(typed.kind === 'until' && local(typed.at)).toBe('11-23 10:00');
    expect(usageError(() => snoozeReminderCommand.parse('12 改天', ctx))).toMatch(/看不懂时间/);
  });
});
