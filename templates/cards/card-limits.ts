/**
 * WeCom's recommended field lengths for template cards (characters; longer text is cut by the
 * client or rejected). Cards are built to fit: text is shortened with an ellipsis, never refused.
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

/** Shortens by characters (not UTF-16 units), so an emoji or a CJK character is never split. */
export function fit(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
