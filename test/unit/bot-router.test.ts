import { createCommandRouter } from '../../bots/registry';
import { defineCommand } from '../../bots/core/command';
import { firstArg, normalizeCommandText, splitArgs } from '../../bots/core/normalize';
import { CommandRouter } from '../../bots/core/router';

describe('normalizeCommandText', () => {
  it.each([
    ['  记录跟进　张三　 打了电话 ', '记录跟进 张三 打了电话'],
    ['@客户助手 待办', '待办'],
    ['@客户助手　查客户 张三', '查客户 张三'],
    ['提醒 明天１５：００ 张三 回访', '提醒 明天15：00 张三 回访'],
    ['ｈｅｌｐ', 'help'],
    ['记录跟进 张三 报价了，下周二再联系！', '记录跟进 张三 报价了，下周二再联系！'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeCommandText(raw)).toBe(expected);
  });
});

describe('argument splitting', () => {
  it.each([
    ['张三 高意向 教育', ['张三', '高意向', '教育']],
    ['"张 三" 高意向', ['张 三', '高意向']],
    ['“张 三” 「VIP 客户」', ['张 三', 'VIP 客户']],
    ['  a   b ', ['a', 'b']],
    ['"unclosed quote', ['"unclosed', 'quote']],
  ])('%j', (text, expected) => {
    expect(splitArgs(text)).toEqual(expected);
  });

  it('firstArg keeps the rest untouched', () => {
    expect(firstArg('张三 电话沟通了报价，  下周二再联系')).toEqual({ first: '张三', rest: '电话沟通了报价，  下周二再联系' });
    expect(firstArg('“张 三” 内容')).toEqual({ first: '张 三', rest: '内容' });
    expect(firstArg('')).toEqual({ first: undefined, rest: '' });
  });
});

describe('CommandRouter', () => {
  const router = createCommandRouter();

  it.each([
    ['记录跟进 张三 内容', '记录跟进', '张三 内容'],
    ['跟进 张三 内容', '记录跟进', '张三 内容'],
    ['查客户张三', '查客户', '张三'],
    ['查 张三', '查客户', '张三'],
    ['客户列表 2', '我的客户', '2'],
    ['客户 张三', '查客户', '张三'],
    ['提醒我 明天 回访', '提醒', '明天 回访'],
    ['HELP', '帮助', ''],
    ['? 商机', '帮助', '商机'],
    ['去标签 张三 a', '去标签', '张三 a'],
  ])('%j → %s', (text, name, args) => {
    const match = router.match(text);
    expect(match?.command.name).toBe(name);
    expect(match?.args).toBe(args);
  });

  it('does not take an ASCII alias out of a longer word', () => {
    expect(router.match('helpful tips')).toBeUndefined();
  });

  it.each([
    ['跟近 张三 打电话', '记录跟进'],
    ['代办', '待办'],
    ['查课户 张三', '查客户'],
    ['阶断 张三 商机', '阶段'],
  ])('suggests the command a typo meant: %j → %s', (text, name) => {
    expect(router.suggest(text)?.name).toBe(name);
  });

  it('suggests nothing for plain chat', () => {
    expect(router.suggest('你好')).toBeUndefined();
    expect(router.suggest('今天天气不错')).toBeUndefined();
  });

  it('refuses two commands with the same name or alias at startup', () => {
    const a = defineCommand({ name: '跟进', aliases: [], usage: '', example: '', summary: '', parse: () => ({}), run: async () => undefined });
    const b = defineCommand({ name: '记录', aliases: ['跟进'], usage: '', example: '', summary: '', parse: () => ({}), run: async () => undefined });
    expect(() => new CommandRouter([a, b])).toThrow('command name "跟进" is used by both 跟进 and 记录');
  });
});
