/** What other modules may use of customer capture. */
export type { ChannelRules } from './channel-rules';
export type { TransferHook } from './transfer-hook.port';
