/**
 * What the outbound delivery needs of the smart bot's connection (bot-link.ts): a message to a chat
 * (`aibot_send_msg`: a group's chatid, or a member's userid for the single chat) and a card updated
 * in place (`aibot_respond_update_msg`, with the req_id of the click, within WeCom's 5 s). Both throw
 * WecomApiError: WeCom's errcode, or none when the answer never came (the connection dropped).
 */
export interface BotSender {
  readonly ready: boolean;
  send(chatid: string, body: Record<string, unknown>): Promise<void>;
  updateCard(reqId: string, card: Record<string, unknown>, userids?: string[]): Promise<void>;
}
