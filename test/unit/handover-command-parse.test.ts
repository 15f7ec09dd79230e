import { parseHandover } from '../../bots/commands/handover.command';
import { UsageError } from '../../bots/core/errors';

describe('转接 parses', () => {
  it.each([
    ['王五 给 李娜', { customers: ['王五'], from: null, to: '李娜' }],
    ['王五、赵六，孙七 给 李娜', { customers: ['王五', '赵六', '孙七'], from: null, to: '李娜' }],
    ['王五 赵六 给李娜', { customers: ['王五', '赵六'], from: null, to: '李娜' }],
    ['王五给李娜', { customers: ['王五'], from: null, to: '李娜' }],
    ['全部 给 李娜', { customers: null, from: null, to: '李娜' }],
    ['所有客户 给 lina', { customers: null, from: null, to: 'lina' }],
    ['张伟的全部客户 给 李娜', { customers: null, from: '张伟', to: '李娜' }],
    ['张伟的所有客户给李娜', { customers: null, from: '张伟', to: '李娜' }],
    ['王五 王五 给 李娜', { customers: ['王五'], from: null, to: '李娜' }],
  ])('%s', (args, expected) => {
    expect(parseHandover(args)).toEqual(expected);
  });

  it.each([[''], ['王五'], ['给 李娜'], ['王五 给']])('refuses %p with the usage', (args) => {
    expect(() => parseHandover(args)).toThrow(UsageError);
  });
});
