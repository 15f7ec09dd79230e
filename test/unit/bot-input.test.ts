import { myCustomersCommand } from '../../bots/commands/my-customers.command';
import { opportunityCommand } from '../../bots/commands/opportunity.command';
import { recordFollowUpCommand } from '../../bots/commands/record-follow-up.command';
import { showCustomerCommand } from '../../bots/commands/show-customer.command';
import { addTagCommand } from '../../bots/commands/tag.command';
import { doNotContactCommand } from '../../bots/commands/do-not-contact.command';
import { parseAmount, parseProbability } from '../../bots/core/amounts';
import { candidateLine, candidateListMessage } from '../../bots/core/candidate-list';
import { type Arrival, listForNumber, listNumber } from '../../bots/core/choice-lists';
import type { ChoiceList } from '../../bots/core/conversation-store.port';
import { firstArg, normalizeCommandText, splitArgs } from '../../bots/core/normalize';
import { pageNumber } from '../../bots/core/page-number';
import { addNote } from '../../bots/core/reply-note';
import { nonTextHint } from '../../bots/non-text-hint';
import { createCommandRouter } from '../../bots/registry';
import type { Customer } from '../../entities';
import type { CustomerCandidate } from '../../src/modules/customers/customer-directory.service';

/** Input as salespeople type it, specified by example (the clock is 2026-11-22 10:00 Shanghai, a Sunday). */
const ctx = { now: new Date('2026-11-22T02:00:00Z'), timezone: 'Asia/Shanghai' };

describe('line breaks and full-width punctuation', () => {
  it.each([
    ['记录跟进 刘洋\n客户说月底前定\n要先发合同', '记录跟进 刘洋\n客户说月底前定\n要先发合同'],
    ['记录跟进 刘洋 \r\n 第一行  \r\n\r\n\r\n\r\n第二行', '记录跟进 刘洋\n第一行\n\n第二行'],
    ['完成 ＃12', '完成 #12'],
    ['商机 刘洋 5万 ６０％', '商机 刘洋 5万 60%'],
  ])('normalize %j', (raw, expected) => {
    expect(normalizeCommandText(raw)).toBe(expected);
  });

  it.each([
    ['刘洋，高意向，教育行业', ['刘洋', '高意向', '教育行业']],
    ['刘洋、高意向；教育行业', ['刘洋', '高意向', '教育行业']],
    ['刘洋：高意向', ['刘洋', '高意向']],
    ['刘洋,高意向;教育行业', ['刘洋', '高意向', '教育行业']],
    ['刘洋\n高意向', ['刘洋', '高意向']],
    // a comma or colon between digits is a number or a time, not a separator
    ['刘洋 5,000 明天15:00', ['刘洋', '5,000', '明天15:00']],
    ['“张 三”，高意向', ['张 三', '高意向']],
  ])('splitArgs %j', (text, expected) => {
    expect(splitArgs(text)).toEqual(expected);
  });

  it.each([
    ['刘洋：客户说月底前定', '刘洋', '客户说月底前定'],
    ['刘洋，客户说：月底前定，先发合同', '刘洋', '客户说：月底前定，先发合同'],
    ['刘洋:客户说月底前定', '刘洋', '客户说月底前定'],
    ['刘洋\n第一行\n第二行', '刘洋', '第一行\n第二行'],
    ['：刘洋 内容', '刘洋', '内容'],
  ])('firstArg %j', (text, first, rest) => {
    expect(firstArg(text)).toEqual({ first, rest });
  });

  it('记录跟进 with a full-width colon, and a note on several lines', () => {
    expect(recordFollowUpCommand.parse('刘洋：客户说月底前定', ctx)).toMatchObject({ customerQuery: '刘洋', content: '客户说月底前定' });
    expect(recordFollowUpCommand.parse('刘洋\n上午电话沟通\n下周二再联系', ctx)).toMatchObject({
      customerQuery: '刘洋',
      content: '上午电话沟通\n下周二再联系',
    });
  });

  it('打标签 with full-width commas and 、', () => {
    expect(addTagCommand.parse('刘洋，高意向，教育行业', ctx)).toEqual({ customerQuery: '刘洋', tags: ['高意向', '教育行业'] });
    expect(addTagCommand.parse('刘洋 高意向、教育行业；华东', ctx)).toEqual({ customerQuery: '刘洋', tags: ['高意向', '教育行业', '华东'] });
  });

  it('勿扰 keeps the reason as typed', () => {
    expect(doNotContactCommand.parse('刘洋，客户要求：不要再发消息', ctx)).toEqual({ customerQuery: '刘洋', reason: '客户要求：不要再发消息' });
  });
});

describe('amounts and probabilities as people write them', () => {
  it.each([
    ['5万', 50_000],
    ['5万元', 50_000],
    ['5万块', 50_000],
    ['1.5万', 15_000],
    ['8千', 8_000],
    ['8k', 8_000],
    ['20w', 200_000],
    ['20W', 200_000],
    ['50000', 50_000],
    ['5,000', 5_000],
    ['1,200,000元', 1_200_000],
    ['¥5000', 5_000],
    ['￥5万', 50_000],
    ['五万', 50_000],
    ['十五万', 150_000],
    ['两万', 20_000],
    ['一万五', 15_000],
    ['1万5', 15_000],
    ['1万5千', 15_000],
    ['三千五', 3_500],
    ['1万500', 10_500],
    ['1亿', 100_000_000],
    ['金额5万', 50_000],
    ['0', null],
    ['-5', null],
    ['5,00', null],
    ['很多钱', null],
    ['5万个', null],
    ['万', null],
    ['5千万', null],
  ])('parseAmount(%j) = %p', (text, amount) => {
    expect(parseAmount(text)).toBe(amount);
  });

  it.each([
    ['60%', 60],
    ['6成', 60],
    ['六成', 60],
    ['六成半', 65],
    ['七成五', 75],
    ['十成', 100],
    ['百分之六十', 60],
    ['百分之60', 60],
    ['概率60%', 60],
    ['把握七成', 70],
    ['150%', 150],
    ['60', null],
    ['0.6', null],
    ['月底', null],
  ])('parseProbability(%j) = %p', (text, probability) => {
    expect(parseProbability(text)).toBe(probability);
  });

  it.each([
    ['刘洋 5万元 六成 月底', 50_000, 60, true],
    ['刘洋，1.5万，60%', 15_000, 60, false],
    ['刘洋 8千', 8_000, null, false],
    ['刘洋 20w 七成', 200_000, 70, false],
  ])('商机 %j', (args, amount, probability, hasClose) => {
    const input = opportunityCommand.parse(args, ctx);
    expect(input).toMatchObject({ customerQuery: '刘洋', amount, probability });
    expect(input.expectedCloseAt !== null).toBe(hasClose);
  });
});

describe('page numbers', () => {
  it.each([
    ['2', 2],
    ['第2页', 2],
    ['第二页', 2],
    ['第十页', 10],
    ['2页', 2],
    ['第3', 3],
    ['商机', null],
    ['二', null],
    ['高意向', null],
  ])('pageNumber(%j) = %p', (word, page) => {
    expect(pageNumber(word)).toBe(page);
  });

  it.each([
    ['2', { stage: null, tag: null, page: 2 }],
    ['第2页', { stage: null, tag: null, page: 2 }],
    ['商机 2', { stage: 'opportunity', tag: null, page: 2 }],
    ['商机 第2页', { stage: 'opportunity', tag: null, page: 2 }],
    ['商机，第二页', { stage: 'opportunity', tag: null, page: 2 }],
    ['高意向 3', { stage: null, tag: '高意向', page: 3 }],
  ])('我的客户 %j', (args, expected) => {
    expect(myCustomersCommand.parse(args, ctx)).toEqual(expected);
  });

  it('查客户 reads 第2页 as a page and a phone fragment as a query', () => {
    expect(showCustomerCommand.parse('张三 第2页', ctx)).toEqual({ query: '张三', page: 2 });
    expect(showCustomerCommand.parse('张三，全部', ctx)).toEqual({ query: '张三', page: 1 });
    expect(showCustomerCommand.parse('张三 5678', ctx)).toEqual({ query: '张三 5678', page: null });
  });
});

describe('which list a number answers', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 2, 0, 0) + s * 1000);
  const list = (id: string, askedSeq: number, openedAtSecond: number, extra: Partial<ChoiceList> = {}): ChoiceList => ({
    id,
    text: `命令 ${id}`,
    sourceKey: id,
    customerIds: [1, 2],
    askedSeq,
    openedAt: at(openedAtSecond),
    ...extra,
  });
  const precise = (seq: number, second: number): Arrival => ({ seq, at: at(second), precisionMs: 1 });
  const toSecond = (seq: number, second: number): Arrival => ({ seq, at: at(second), precisionMs: 1000 });

  it.each<[string, ChoiceList[], Arrival, string, string | null]>([
    ['the list open when it arrived', [list('a', 1, 1)], precise(2, 5), 'open', 'a'],
    // the defect: a retried 1 must not take a list asked after it arrived
    ['not a list asked after it arrived', [list('a', 1, 1), list('b', 3, 40)], precise(2, 5), 'open', 'a'],
    ['nor one asked before but shown after it arrived', [list('a', 1, 1), list('b', 2, 40)], precise(3, 5), 'open', 'a'],
    ['the newer list once it was shown', [list('a', 1, 1), list('b', 2, 40)], precise(3, 41), 'open', 'b'],
    ['nothing before any list', [list('a', 2, 10)], precise(1, 5), 'none', null],
    ['nothing without lists', [], precise(1, 5), 'none', null],
    ['an expired list', [list('a', 1, 0)], precise(2, 601), 'expired', 'a'],
    ['a list just inside ten minutes', [list('a', 1, 0)], precise(2, 600), 'open', 'a'],
    ['a list another number answered', [list('a', 1, 1, { answer: { by: 'msg:other', number: 2 } })], precise(3, 5), 'answered', 'a'],
    ['a list this very number answered (a retry)', [list('a', 1, 1, { answer: { by: 'msg:me', number: 1 } })], precise(3, 5), 'open', 'a'],
    // receipt time to the second (SQLite): a list shown within that second may or may not have been seen
    ['the only list, shown within the second it arrived', [list('a', 1, 5.4)], toSecond(2, 5), 'open', 'a'],
    ['two lists, the second shown within that second', [list('a', 1, 1), list('b', 2, 5.4)], toSecond(3, 5), 'unclear', null],
    ['two lists, the second shown after that second', [list('a', 1, 1), list('b', 2, 6)], toSecond(3, 5), 'open', 'a'],
    ['two lists, the second asked after it arrived', [list('a', 1, 1), list('b', 4, 5.4)], toSecond(3, 5), 'open', 'a'],
  ])('%s', (_, lists, arrival, kind, id) => {
    const found = listForNumber(lists, arrival, 'msg:me');
    expect(found.kind).toBe(kind);
    if (id) expect('list' in found ? found.list.id : null).toBe(id);
  });

  it('names a newer list that still waits', () => {
    const found = listForNumber([list('a', 1, 1), list('b', 3, 40)], precise(2, 5), 'msg:me');
    expect(found.kind === 'open' && found.newer?.id).toBe('b');
  });

  it.each([
    ['1', 1],
    ['12', 12],
    ['第2个', 2],
    ['选3', 3],
    ['2号', 2],
    ['二', 2],
    ['1.', 1],
    ['138', null],
    ['1 2', null],
    ['查 1', null],
  ])('listNumber(%j) = %p', (text, n) => {
    expect(listNumber(text)).toBe(n);
  });
});

describe('commands as people name them', () => {
  const router = createCommandRouter();

  it.each([
    ['我的待办', '待办'],
    ['待办事项', '待办'],
    ['今天', '今日'],
    ['今日简报', '今日'],
    ['撤回', '撤销'],
    ['撤消', '撤销'],
    ['菜单', '帮助'],
    ['加标签 张三 高意向', '打标签'],
    ['删除标签 张三 高意向', '去标签'],
    ['全部客户 商机', '我的客户'],
    ['查询 张三', '查客户'],
    ['免打扰 张三', '勿扰'],
    ['取消勿扰 张三', '恢复'],
    ['记录跟进：张三 打了电话', '记录跟进'],
  ])('%j → %s', (text, name) => {
    expect(router.match(text)?.command.name).toBe(name);
  });

  it('a phrase is only the whole message: 今天天气不错 stays chat', () => {
    expect(router.match('今天天气不错')).toBeUndefined();
    expect(router.nearest('今天天气不错')).toBeUndefined();
  });

  it('reads the first word whole when it is a typo of a longer name of the command it starts like', () => {
    expect(router.match('查课户 张三')).toMatchObject({ invokedAs: '查课户', args: '张三', corrected: true });
    expect(router.match('查客户张三')).toMatchObject({ invokedAs: '查客户', args: '张三' });
  });

  it.each([
    ['跟近 张三 打了电话', '记录跟进', '张三 打了电话', 1],
    ['代办', '待办', '', 1],
    ['我的代办', '待办', '', 1],
    ['阶断 张三 商机', '阶段', '张三 商机', 1],
  ])('one nearest command: %j', (text, name, args, d) => {
    expect(router.nearest(text)).toMatchObject({ kind: 'one', command: { name }, args, distance: d });
  });

  it('two commands as near are both offered', () => {
    const nearest = router.nearest('改标签 张三 高意向');
    expect(nearest?.kind).toBe('several');
    expect(nearest?.kind === 'several' && nearest.commands.map((c) => c.name).sort()).toEqual(['去标签', '打标签'].sort());
  });
});

describe('telling same-name customers apart', () => {
  // the channel rule's display name, as templates/channel-rules.json gives it
  const channels = { label: (state: string | null | undefined) => (state === 'live-demo' ? '抖音直播间' : (state ?? '直接添加')) };
  const customer = (extra: Partial<Customer>) => ({ id: 1, name: '王磊', corpName: null, ...extra }) as Customer;
  it.each<[string, CustomerCandidate, string]>([
    [
      'everything known',
      {
        customer: customer({ corpName: '华东教育' }),
        remark: '王磊-北京',
        relation: { staffUserid: 'zhangwei', state: 'live-demo', addedAt: new Date('2026-11-03T04:00:00Z'), remarkMobiles: ['138 1234 5678'] },
        lastFollowUp: { at: new Date('2026-11-20T06:00:00Z'), content: '电话沟通了报价\n下周再联系，客户很关心交付周期' },
      },
      '1. 王磊（王磊-北京） · 华东教育 · 渠道 抖音直播间 · 11月3日添加 · 最近跟进 11月20日「电话沟通了报价 下周再…」 · 尾号5678',
    ],
    [
      'a bare add',
      { customer: customer({}), remark: null, relation: { staffUserid: 'zhangwei', state: null, addedAt: null, remarkMobiles: null }, lastFollowUp: null },
      '1. 王磊 · 直接添加 · 还没有跟进',
    ],
  ])('%s', (_, candidate, line) => {
    expect(candidateLine(candidate, 0, 'Asia/Shanghai', channels)).toBe(line);
  });

  it('two alike but for the time they were added are told apart by it (to the minute, else the second)', () => {
    const added = (iso: string): CustomerCandidate => ({
      customer: customer({}),
      remark: null,
      relation: { staffUserid: 'zhangwei', state: null, addedAt: new Date(iso), remarkMobiles: null },
      lastFollowUp: null,
    });
    const other = { ...added('2026-11-03T04:00:00Z'), customer: customer({ corpName: '华东教育' }) };
    expect(
      candidateListMessage(
        '王磊',
        [added('2026-12-02T10:54:10Z'), added('2026-12-02T10:54:40Z'), added('2026-12-02T09:05:00Z'), other],
        'Asia/Shanghai',
        channels,
      ),
    ).toBe(
      [
        '找到4位「王磊」，回复数字选择（10分钟内有效）：',
        '1. 王磊 · 直接添加 · 12月2日 18:54:10添加 · 还没有跟进',
        '2. 王磊 · 直接添加 · 12月2日 18:54:40添加 · 还没有跟进',
        '3. 王磊 · 直接添加 · 12月2日 17:05添加 · 还没有跟进',
        '4. 王磊 · 华东教育 · 直接添加 · 11月3日添加 · 还没有跟进',
      ].join('\n'),
    );
  });
});

describe('replies to what the bot cannot read', () => {
  it.each([
    ['voice', {}, '暂不支持语音，请输入文字命令，例如：'],
    ['image', {}, '暂不支持图片'],
    ['video', {}, '暂不支持视频'],
    ['file', {}, '暂不支持文件'],
    ['location', { Label: '上海市徐汇区漕河泾' }, '上门拜访（上海市徐汇区漕河泾）'],
    ['link', { Title: '产品介绍' }, '发了《产品介绍》'],
  ] as const)('%s', (kind, payload, text) => {
    const hint = nonTextHint(kind, payload);
    expect(hint).toContain(text);
    expect(hint).toContain('发送「帮助」查看全部命令');
    expect(Buffer.byteLength(hint)).toBeLessThan(2048);
  });
});

describe('a note on the answer itself', () => {
  it('tops a text, a markdown and a card reply', () => {
    expect(addNote({ kind: 'text', content: '好' }, '按“记录跟进”记录')).toEqual({ kind: 'text', content: '按“记录跟进”记录\n好' });
    expect(addNote({ kind: 'markdown', content: '**x**' }, 'n')).toEqual({ kind: 'markdown', content: '<font color="comment">n</font>\n**x**' });
    const card = addNote({ kind: 'card', card: { card_type: 'text_notice', sub_title_text: '原来的' } }, 'n');
    expect(card.kind === 'card' && card.card.sub_title_text).toBe('n\n原来的');
  });
});
