/**
 * How a channel (`state` of the QR code a customer scanned) is shown to people: the display name of
 * its channel rule (templates/channel-rules.json `label`), the state itself when no rule names it,
 * and 直接添加 for a customer who came without one. Implemented by ChannelRules.
 */
export interface ChannelNames {
  label(state: string | null | undefined): string;
}
