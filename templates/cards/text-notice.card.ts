import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { CARD_LIMITS, fit } from './card-limits';

export interface CardRow {
  key: string;
  value: string;
  /** a member's WeCom userid: the row then opens their profile when tapped (horizontal_content type 3) */
  member?: string;
}

export interface TextNoticeInput {
  /** grey line above the title, e.g. "客户跟进" */
  source?: string;
  title: string;
  desc?: string;
  /** the big number or word, e.g. a due time */
  emphasis?: { title: string; desc?: string };
  subTitle?: string;
  rows?: CardRow[];
  quote?: string;
  /** where a tap on the card leads; WeCom requires one for text_notice */
  url?: string;
}

/** A `text_notice` template card (confirmations, profiles), fitted to WeCom's field limits. */
export function textNoticeCard(input: TextNoticeInput): TemplateCard {
  const card: TemplateCard = {
    card_type: 'text_notice',
    main_title: { title: fit(input.title, CARD_LIMITS.title), ...(input.desc ? { desc: fit(input.desc, CARD_LIMITS.desc) } : {}) },
    card_action: { type: 1, url: input.url ?? 'https://work.weixin.qq.com' },
  };
  if (input.source) card.source = { desc: fit(input.source, 13), desc_color: 0 };
  if (input.emphasis) {
    card.emphasis_content = {
      title: fit(input.emphasis.title, CARD_LIMITS.emphasisTitle),
      ...(input.emphasis.desc ? { desc: fit(input.emphasis.desc, CARD_LIMITS.emphasisDesc) } : {}),
    };
  }
  if (input.subTitle) card.sub_title_text = fit(input.subTitle, CARD_LIMITS.subTitle);
  if (input.quote) card.quote_area = { type: 0, quote_text: fit(input.quote, CARD_LIMITS.quote) };
  if (input.rows?.length) {
    card.horizontal_content_list = input.rows.slice(0, CARD_LIMITS.rows).map((r) => ({
      keyname: fit(r.key, CARD_LIMITS.keyName),
      value: fit(r.value || '—', CARD_LIMITS.value),
      ...(r.member ? { type: 3, userid: r.member } : {}),
    }));
  }
  return card;
}
