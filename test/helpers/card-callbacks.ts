/** Plaintext XML of a template-card click, as WeCom sends it (PROTOCOL.md §4.5). */
const cdata = (v: string) => `<![CDATA[${v}]]>`;

export function templateCardEventXml(opts: {
  corpId: string;
  from: string;
  eventKey: string;
  taskId: string;
  responseCode: string;
  cardType?: string;
  createTime?: number;
  /** question key → chosen option ids (button_selection / vote cards) */
  selected?: Record<string, string[]>;
}): string {
  const selected = opts.selected
    ? `<SelectedItems>${Object.entries(opts.selected)
        .map(
          ([q, ids]) =>
            `<SelectedItem><QuestionKey>${cdata(q)}</QuestionKey><OptionIds>${ids.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('')}</OptionIds></SelectedItem>`,
        )
        .join('')}</SelectedItems>`
    : '';
  return (
    `<xml><ToUserName>${cdata(opts.corpId)}</ToUserName><FromUserName>${cdata(opts.from)}</FromUserName>` +
    `<CreateTime>${opts.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('template_card_event')}</Event><EventKey>${cdata(opts.eventKey)}</EventKey>` +
    `<TaskId>${cdata(opts.taskId)}</TaskId><CardType>${cdata(opts.cardType ?? 'button_interaction')}</CardType>` +
    `<ResponseCode>${cdata(opts.responseCode)}</ResponseCode><AgentID>1000002</AgentID>${selected}</xml>`
  );
}
