import type { CustomerStage } from '../entities';

/** The product's fixed values as people read them. */

export const STAGE_NAMES: Record<CustomerStage, string> = {
  lead: '线索',
  prospect: '潜在客户',
  opportunity: '商机',
  won: '成交',
  lost: '流失',
};

/** The words for an add without a channel (searched, a card shared, a colleague's referral…). */
export const NO_CHANNEL_LABEL = '直接添加';
