/** Plaintext XML for tag and customer-group events, as WeCom sends them (PROTOCOL.md §4.3–4.4). */
const cdata = (v: string) => `<![CDATA[${v}]]>`;

function eventXml(corpId: string, event: string, fields: Record<string, string>, createTime?: number): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
    .join('');
  return (
    `<xml><ToUserName>${cdata(corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>` +
    `<CreateTime>${createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata(event)}</Event>${body}</xml>`
  );
}

export function externalTagXml(opts: {
  corpId: string;
  changeType: 'create' | 'update' | 'delete' | 'shuffle';
  id: string;
  tagType?: 'tag' | 'tag_group';
}): string {
  return eventXml(opts.corpId, 'change_external_tag', { ChangeType: opts.changeType, Id: opts.id, ...(opts.tagType ? { TagType: opts.tagType } : {}) });
}

export function externalChatXml(opts: {
  corpId: string;
  changeType: 'create' | 'update' | 'dismiss';
  chatId: string;
  updateDetail?: string;
  createTime?: number;
}): string {
  return eventXml(
    opts.corpId,
    'change_external_chat',
    { ChatId: opts.chatId, ChangeType: opts.changeType, ...(opts.updateDetail ? { UpdateDetail: opts.updateDetail } : {}) },
    opts.createTime,
  );
}

/** 通讯录变更 as WeCom sends it to callbacks configured after 2022-08-15: the UserID (and NewUserID) only. */
export function changeContactXml(opts: {
  corpId: string;
  changeType: 'create_user' | 'update_user' | 'delete_user';
  userId: string;
  newUserId?: string;
}): string {
  return eventXml(opts.corpId, 'change_contact', {
    ChangeType: opts.changeType,
    UserID: opts.userId,
    ...(opts.newUserId ? { NewUserID: opts.newUserId } : {}),
  });
}
