import { cutToBytes } from '../../src/platform/wecom/limits/wecom-limits';

/**
 * WeCom's recommended field lengths for template cards, in characters ("建议不超过N个字"). WeCom
 * counts bytes, and the outbound queue holds each field to N Chinese characters' worth of bytes
 * (src/wecom/limits/wecom-limits.ts): cards are built to fit both, so text is shortened here, where
 * it can be shortened well, with an ellipsis — never refused.
 */
export const CARD_LIMITS = {
  title: 26,
  desc: 30,
  emphasisTitle: 10,
  emphasisDesc: 15,
  subTitle: 112,
  keyName: 5,
  value: 26,
  quote: 60,
  rows: 6,
  buttons: 6,
  buttonText: 10,
} as const;

/**
 * Shortens to `max` characters and `max` Chinese characters' worth of UTF-8 bytes (3 × max), cut
 * between characters (code points, so an emoji or a CJK character is never split), with "…".
 */
export function fit(text: string, max: number): string {
  const chars = Array.from(text);
  const short = chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
  return cutToBytes(short, max * 3);
}

/**
 * A title around a name: the name is shortened, not what is said about it, so a long WeChat
 * nickname never pushes 「删除了你」 or 「转接失败」 off the card.
 */
export function titleAround(before: string, name: string, after: string, max: number = CARD_LIMITS.title): string {
  const room = max - Array.from(before).length - Array.from(after).length;
  return fit(`${before}${fit(name, Math.max(room, 4))}${after}`, max);
}
