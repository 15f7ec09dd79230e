/** What other modules may use of customers. */
export type { ChannelNames } from './channel-names.port';
