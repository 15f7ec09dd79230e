/** The product's fixed values as people read them. */

/** Keyed by the customer stages (entities' CustomerStage): a stage added there without a name here fails the type check where it is shown. */
export const STAGE_NAMES = {
  lead: '线索',
  prospect: '潜在客户',
  opportunity: '商机',
  won: '成交',
  lost: '流失',
} as const satisfies Record<string, string>;

export type Stage = keyof typeof STAGE_NAMES;

/** The words for an add without a channel (searched, a card shared, a colleague's referral…). */
export const NO_CHANNEL_LABEL = '直接添加';
