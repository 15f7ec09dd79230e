import { lostCommand, wonCommand } from '../../bots/commands/close-opportunity.command';
import { opportunityCommand } from '../../bots/commands/opportunity.command';
import { UsageError } from '../../bots/core/errors';
import dayjs from '../../src/platform/dayjs';

/** The opportunity commands' pure parse, by example (the clock is 2026-11-22 10:00 Shanghai, a Sunday). */
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

describe('商机 with a name', () => {
  it.each([
    ['张三 5万 60% 月底', null, 50000, 60, '11-30 09:00'],
    ['张三 二期 20万', '二期', 200000, null, null],
    ['张三 二期 20万 七成 12月15日', '二期', 200000, 70, '12-15 09:00'],
    ['张三 年度 续约 8千', '年度 续约', 8000, null, null],
  ])('%j', (args, name, amount, probability, close) => {
    const input = opportunityCommand.parse(args, ctx);
    expect(input).toMatchObject({ customerQuery: '张三', name, amount, probability });
    expect(local(input.expectedCloseAt)).toBe(close);
  });

  it('refuses a name longer than 32 characters', () => {
    expect(usageError(() => opportunityCommand.parse(`张三 ${'长'.repeat(33)} 5万`, ctx))).toBe('商机名称最多32个字，比如写 二期。');
  });
});

describe('赢单 parse', () => {
  it.each([
    ['张三', null, null],
    ['张三 4.8万', null, 48000],
    ['张三 二期', '二期', null],
    ['张三 二期 18万', '二期', 180000],
  ])('%j', (args, name, amount) => {
    expect(wonCommand.parse(args, ctx)).toEqual({ customerQuery: '张三', name, amount });
  });

  it.each([
    ['', '请写上客户。'],
    ['张三 5万 6万', '请只写一个成交金额。'],
  ])('refuses %j', (args, problem) => {
    expect(usageError(() => wonCommand.parse(args, ctx))).toBe(problem);
  });
});

describe('输单 parse', () => {
  it.each([
    ['张三 预算砍了', ['预算砍了']],
    ['张三 二期 价格太高', ['二期', '价格太高']],
    ['张三：选了别家，价格低两成', ['选了别家', '价格低两成']],
  ])('%j', (args, words) => {
    expect(lostCommand.parse(args, ctx)).toEqual({ customerQuery: '张三', words });
  });

  it.each([
    ['', '请写上客户和输单原因。'],
    ['张三', '请写上「张三」输单的原因，比如：价格太高。'],
  ])('refuses %j', (args, problem) => {
    expect(usageError(() => lostCommand.parse(args, ctx))).toBe(problem);
  });
});
