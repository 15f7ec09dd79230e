/**
 * A numbered "which one?" list the bot showed a salesperson ("找到2位「王磊」，回复数字选择"). A
 * number answers the list that was open when that number arrived, by re-running the command that
 * asked with the customer picked; a list stays open until a newer one is shown, it is answered, or
 * it expires. Lists are kept as a short history so that a number retried minutes later (its first
 * try failed) still finds the list it answered, not whatever list is newest by then.
 */
export interface ChoiceList {
  /** the source key of the message that asked: one list per message, however often it is retried */
  id: string;
  /** the command text to re-run with the choice */
  text: string;
  /** writes of the re-run carry the asking message's key, so answering it records once */
  sourceKey: string;
  customerIds: number[];
  /** where the asking message stands in arrival order (its stored event's id) */
  askedSeq: number;
  /** when the list was shown */
  openedAt: Date;
  /** the message that answered it, once one did */
  answer?: ChoiceAnswer;
}

export interface ChoiceAnswer {
  /** source key of the answering message */
  by: string;
  number: number;
}

export interface ConversationStore {
  /**
   * Keeps a list that is being shown (its `openedAt` is now). A list with the same id that is
   * already kept (the asking message was retried) stays as first kept, and is returned.
   */
  openList(userid: string, list: Omit<ChoiceList, 'openedAt' | 'answer'>): Promise<ChoiceList>;
  /** The salesperson's recent lists, oldest first. */
  recentLists(userid: string): Promise<ChoiceList[]>;
  /** Marks a list answered; the first answer stays. Returns the answer in force. */
  answerList(userid: string, listId: string, answer: ChoiceAnswer): Promise<ChoiceAnswer>;
}
