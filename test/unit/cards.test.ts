import { followUpRecordedCard } from '../../templates/cards/bot-cards';
import { customerSummaryCard, timelinePageMarkdown } from '../../templates/cards/customer-summary.card';
import { utf8Bytes } from '../../templates/cards/markdown-limits';
import { CARD_LIMITS, fit } from '../../templates/cards/card-limits';

describe('cards fit WeCom field limits (shortened, never refused)', () => {
  it('fit counts characters and bytes (a field of N characters holds N Chinese characters’ worth), never splitting an emoji or a CJK character', () => {
    expect(fit('张三', 26)).toBe('张三');
    expect(fit('abcdefgh', 5)).toBe('abcd…');
    // 5 characters' worth is 15 bytes: three 4-byte emoji and the ellipsis
    expect(fit('😀'.repeat(30), 5)).toBe(`${'😀'.repeat(3)}…`);
    expect(Array.from(fit('长'.repeat(100), CARD_LIMITS.title))).toHaveLength(CARD_LIMITS.title);
  });

  it('a follow-up card with very long text stays within every limit', () => {
    const card = followUpRecordedCard({ customerName: '名'.repeat(60), content: '内'.repeat(3000), nextContact: '11月24日 周二 09:00' }) as Record<string, any>;
    expect(card.card_type).toBe('text_notice');
    expect(card.card_action).toEqual({ type: 1, url: expect.stringMatching(/^https:\/\//) });
    expect(Array.from(card.main_title.title as string).length).toBeLessThanOrEqual(CARD_LIMITS.title);
    expect(Array.from(card.quote_area.quote_text as string).length).toBeLessThanOrEqual(CARD_LIMITS.quote);
    expect(card.emphasis_content.title).toBe('09:00');
  });

  it('a profile card keeps at most six rows, and shows a dash for empty values', () => {
    const card = customerSummaryCard({
      name: '张三',
      stage: '商机',
      daysAsCustomer: 52,
      daysInStage: 3,
      owners: [],
      channel: '直接添加',
      tags: Array.from({ length: 40 }, (_, i) => `标签${i}`),
      recentFollowUps: [`11/20 张三销售：${'长'.repeat(200)}`, '11/19 a', '11/18 b'],
      openReminders: 2,
      nextReminder: '11月24日 周二 15:00 发报价',
      openOpportunity: '¥50000 · 60%',
      moreCommand: '查客户 张三 全部',
    }) as Record<string, any>;
    expect(card.horizontal_content_list).toHaveLength(CARD_LIMITS.rows);
    for (const row of card.horizontal_content_list) {
      expect(Array.from(row.keyname as string).length).toBeLessThanOrEqual(CARD_LIMITS.keyName);
      expect(Array.from(row.value as string).length).toBeLessThanOrEqual(CARD_LIMITS.value);
      expect(row.value).not.toBe('');
    }
    expect(Array.from(card.sub_title_text as string).length).toBeLessThanOrEqual(CARD_LIMITS.subTitle);
    expect((card.sub_title_text as string).split('\n')).toHaveLength(3);
  });

  it('a timeline page stays within an app message’s 2048 bytes and says what was left out', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `2026/11/${(i % 28) + 1} 10:00 张三销售 · 跟进：${'很长的内容'.repeat(30)}`);
    const md = timelinePageMarkdown({ name: '张三', page: 1, pages: 5, total: 40, lines, nextCommand: '查客户 张三 2' });
    expect(utf8Bytes(md)).toBeLessThanOrEqual(2048);
    expect(md).toMatch(/另有\d+条未显示/);
    expect(md).toContain('下一页：发送「查客户 张三 2」');
  });
});
