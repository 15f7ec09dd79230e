import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';

/** What a command answers with. Cards for confirmations and profiles; markdown/text where a card does not fit. */
export type BotReply =
  | { kind: 'card'; card: TemplateCard }
  | { kind: 'markdown'; content: string }
  | { kind: 'text'; content: string }
  /** a picture (a chart), drawn from `source` when it is sent; `filename` is the name WeCom keeps for it */
  | { kind: 'image'; source: Record<string, unknown>; filename: string };
