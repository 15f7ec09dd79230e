/**
 * A short-lived question the bot asked a salesperson ("which 张三? reply with the number"). The
 * next message that is a number answers it by re-running the original command with the choice.
 */
export interface PendingChoice {
  /** the normalised command text that needed a choice */
  text: string;
  /** the source key of the message that asked, so the re-run writes under it (once) */
  sourceKey: string;
  customerIds: number[];
}

export interface ConversationStore {
  savePendingChoice(userid: string, choice: PendingChoice): Promise<void>;
  pendingChoice(userid: string): Promise<PendingChoice | null>;
  clearPendingChoice(userid: string): Promise<void>;
}
