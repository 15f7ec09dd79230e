import { parseChannelRules, renderWelcome } from '../../src/modules/capture/channel-rules';
import { renderSopText } from '../../templates/cards/sop-messages';
import { renderTemplate } from '../../templates/render-template';
import shipped from '../../templates/channel-rules.json';

const DEFAULT = '您好{name}，我是{staff}，很高兴为您服务！';

describe('templates never render an empty field', () => {
  it.each([
    [{ name: '刘洋', staff: '张伟' }, '您好刘洋，我是张伟，很高兴为您服务！'],
    [{ name: '刘洋', staff: null }, '您好刘洋，很高兴为您服务！'],
    [{ name: '刘洋', staff: '  ' }, '您好刘洋，很高兴为您服务！'],
    [{ name: null, staff: '张伟' }, '您好，我是张伟，很高兴为您服务！'],
    [{ name: '', staff: undefined }, '您好，很高兴为您服务！'],
  ])('the default welcome with %j reads 「%s」', (values, expected) => {
    expect(renderWelcome(DEFAULT, values)).toBe(expected);
  });

  it('a sentence that loses its last clause ends where the one before it ends', () => {
    expect(renderWelcome('您好{name}，很高兴在展会认识您，我是{staff}。', { name: '陈静', staff: null })).toBe('您好陈静，很高兴在展会认识您。');
    expect(renderWelcome('很高兴认识您，我是{staff}', { staff: null })).toBe('很高兴认识您');
    expect(renderWelcome('{staff}祝您生活愉快！有问题随时找我。', { staff: null })).toBe('有问题随时找我。');
  });

  it('leaves text it does not fill as written, and fills every occurrence', () => {
    expect(renderTemplate('{name}，{name}！{vip}专享', { name: '刘洋' })).toBe('刘洋，刘洋！{vip}专享');
  });

  it('every shipped welcome reads well with and without a staff name', () => {
    const rules = parseChannelRules(shipped);
    const welcomes = [...rules.file.rules.map((r) => r.welcome), rules.file.default.welcome].filter((w): w is string => !!w);
    for (const welcome of welcomes) {
      for (const text of [renderWelcome(welcome, { name: '刘洋', staff: null }), renderWelcome(welcome, { name: null, staff: null })]) {
        expect(text).not.toMatch(/我是[，。！,.!]|\{|\}|您好[^，！\s]*，，|^[，,]/);
        expect(text.length).toBeGreaterThan(4);
      }
    }
  });

  it('an SOP step’s field not known takes wording that reads well', () => {
    expect(renderSopText('{staff} 的客户 {name} 进入商机阶段，今天组内过一下报价方案。', { staff: null, name: '刘洋' })).toBe(
      '负责的同事 的客户 刘洋 进入商机阶段，今天组内过一下报价方案。',
    );
    expect(renderSopText('新客户 {name}（来源：{state}）刚加了你。', { name: '刘洋', state: null })).toBe('新客户 刘洋（来源：直接添加）刚加了你。');
  });

  it('channels read by the rule’s display name, the state when no rule names it, 直接添加 without one', () => {
    const rules = parseChannelRules(shipped);
    expect(rules.label('live-1201')).toBe('抖音直播间');
    expect(rules.label('expo-2026')).toBe('2026展会');
    expect(rules.label('wechat-article')).toBe('wechat-article');
    expect(rules.label(null)).toBe('直接添加');
    expect(rules.label('')).toBe('直接添加');
    expect(() => parseChannelRules({ rules: [{ name: 'a', label: '一个非常非常非常非常长的渠道显示名字', match: { exact: 'x' } }] })).toThrow(
      /rules\.0\.label/,
    );
  });
});
