/** A `template_card_event` (PROTOCOL.md §4.5): who clicked which button of which card. */
export interface CardClick {
  /** lower-cased, as the CRM stores userids */
  userid: string;
  /** as WeCom sent it: card updates go to this id */
  wecomUserid: string;
  eventKey: string;
  taskId: string;
  /** single-use code to update this user's card */
  responseCode: string;
  cardType: string;
  /** selections of button_selection / vote cards: question key → chosen option ids */
  selected: Record<string, string[]>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const list = <T>(v: T | T[] | undefined | ''): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** undefined when a field a click must have is missing (a malformed or foreign event). */
export function parseCardClick(event: { payload: Record<string, unknown>; fromUser: string }): CardClick | undefined {
  const p = event.payload;
  const wecomUserid = str(p.FromUserName) || event.fromUser;
  const eventKey = str(p.EventKey);
  const responseCode = str(p.ResponseCode);
  if (!wecomUserid || !eventKey) return undefined;
  const selected: Record<string, string[]> = {};
  const items = (p.SelectedItems as { SelectedItem?: unknown } | undefined)?.SelectedItem;
  for (const item of list(items as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
    const ids = list((item.OptionIds as { OptionId?: string | string[] } | undefined)?.OptionId);
    selected[str(item.QuestionKey)] = ids.map(str).filter(Boolean);
  }
  return { userid: wecomUserid.toLowerCase(), wecomUserid, eventKey, taskId: str(p.TaskId), responseCode, cardType: str(p.CardType), selected };
}
