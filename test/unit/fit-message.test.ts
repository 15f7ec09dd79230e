import { fitCard, fitMessage } from '../../src/platform/outbound/fit-message';
import { splitContent, TRUNCATED_NOTICE } from '../../src/platform/outbound/split-content';
import { checkWecomLimits } from '../../src/platform/wecom/limits/check-limits';
import { cutToBytes, utf8Bytes } from '../../src/platform/wecom/limits/wecom-limits';

const CONTINUED = '（接上条）';
/** What a reader gets from the parts: the original text, without the "continued" marks. */
const rejoin = (parts: string[]) => parts.map((p, i) => (i === 0 ? p : p.slice(p.indexOf('\n') + 1))).join('\n');

describe('WeCom byte limits: cutting and splitting', () => {
  it('cuts by UTF-8 bytes between characters: never inside a Chinese character or an emoji', () => {
    expect(cutToBytes('张三李四', 12)).toBe('张三李四');
    expect(cutToBytes('张三李四', 11)).toBe('张三…');
    expect(cutToBytes('😀😀😀', 10)).toBe('😀…');
    expect(utf8Bytes(cutToBytes('长'.repeat(1000), 4000))).toBeLessThanOrEqual(4000);
    expect(cutToBytes('abc', 2, '…')).toBe('');
  });

  it('a markdown message over 2048 bytes becomes messages of at most 2048 bytes, split at line ends, that read as the original', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `> 第${i + 1}条 <font color="warning">逾期</font> 刘洋：给客户发报价单并确认交付时间`);
    const content = `**待办**\n${lines.join('\n')}`;
    expect(utf8Bytes(content)).toBeGreaterThan(2 * 2048);
    const parts = splitContent(content, { maxBytes: 2048, markdown: true });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
    for (const part of parts.slice(1)) expect(part).toContain(CONTINUED);
    expect(rejoin(parts)).toBe(content);
    // every part's <font> elements are whole
    for (const part of parts) expect(part.match(/<font /g)?.length ?? 0).toBe(part.match(/<\/font>/g)?.length ?? 0);
  });

  it('a single line longer than a message is split between characters and elements; a long <font> element is rewrapped in each part', () => {
    const line = `${'很长的跟进内容😀'.repeat(120)}<font color="comment">${'灰色的备注'.repeat(200)}</font>**${'加粗'.repeat(50)}**`;
    const parts = splitContent(line, { maxBytes: 2048, markdown: true, maxParts: 10 });
    for (const part of parts) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
      expect(part).not.toContain('\uFFFD');
      expect(part.match(/<font /g)?.length ?? 0).toBe(part.match(/<\/font>/g)?.length ?? 0);
      expect((part.match(/\*\*/g)?.length ?? 0) % 2).toBe(0);
      // no cut tag: every '<' opens a whole <font …> or </font>
      expect(part.replace(/<font color="comment">|<\/font>/g, '')).not.toMatch(/[<>]/);
    }
    expect(parts.join('')).toContain('😀');
  });

  it('quote lines split across messages stay quotes', () => {
    const parts = splitContent(`> ${'引用'.repeat(1000)}`, { maxBytes: 2048, markdown: true });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.split('\n').pop()!.startsWith('> ')).toBe(true);
  });

  it('after four messages the rest is dropped and the last message says so', () => {
    const content = Array.from({ length: 500 }, (_, i) => `第${i}行：客户跟进记录`).join('\n');
    const parts = splitContent(content, { maxBytes: 2048, markdown: false });
    expect(parts).toHaveLength(4);
    expect(parts[3]!.endsWith(TRUNCATED_NOTICE)).toBe(true);
    for (const part of parts) expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
  });

  it('fits every template-card field to its byte limit and every list to its length, keeping keys whole', () => {
    const long = '很长'.repeat(200);
    const card = {
      card_type: 'button_interaction',
      task_id: 'rem-1-1',
      source: { desc: long },
      main_title: { title: long, desc: long },
      quote_area: { type: 0, quote_text: long },
      sub_title_text: long,
      horizontal_content_list: Array.from({ length: 9 }, () => ({ keyname: long, value: long })),
      button_selection: { question_key: 'reminder', title: long, option_list: Array.from({ length: 14 }, (_, i) => ({ id: String(i + 1), text: long })) },
      button_list: Array.from({ length: 8 }, (_, i) => ({ type: 0, text: long, key: `rem:done:${i}` })),
    };
    expect(checkWecomLimits('message/send', { msgtype: 'template_card', template_card: card })?.errcode).toBeDefined();
    const fitted = fitCard(card);
    expect(checkWecomLimits('message/send', { msgtype: 'template_card', template_card: fitted })).toBeNull();
    expect((fitted.button_list as Array<{ key: string }>).map((b) => b.key)).toEqual(card.button_list.slice(0, 6).map((b) => b.key));
    expect((fitted.main_title as { title: string }).title.endsWith('…')).toBe(true);
  });

  it('refuses a key or task id over WeCom’s limit instead of cutting it', () => {
    expect(() => fitCard({ card_type: 'button_interaction', task_id: 'x'.repeat(129), button_list: [{ text: '完成', key: 'k' }] })).toThrow(/task_id/);
    expect(() => fitCard({ card_type: 'button_interaction', task_id: 't', button_list: [{ text: '完成', key: 'k'.repeat(1025) }] })).toThrow(/key/);
  });

  it('a welcome text is cut to 4000 bytes (a welcome code sends once), a robot markdown is split at 4096', () => {
    const [welcome, ...more] = fitMessage('welcome', { welcome_code: 'W', text: { content: '欢'.repeat(2000) } });
    expect(more).toEqual([]);
    expect(checkWecomLimits('externalcontact/send_welcome_msg', welcome!)).toBeNull();
    const robot = fitMessage('robot', {
      msgtype: 'markdown',
      markdown: { content: Array.from({ length: 300 }, () => '> 销售：张伟 新客户 3 · 跟进 5').join('\n') },
    });
    expect(robot.length).toBeGreaterThan(1);
    for (const body of robot) expect(checkWecomLimits('webhook/send', body)).toBeNull();
    // robot parts are filled to the robot's 4096 bytes, not an app message's 2048
    expect(utf8Bytes((robot[0]!.markdown as { content: string }).content)).toBeGreaterThan(2048);
  });
});
