/**
 * Request and response shapes of the WeCom server APIs the product uses (PROTOCOL.md §5–6).
 * Field names are WeCom's own (snake_case) so that payloads go over the wire unchanged.
 */

export interface WecomResponse {
  errcode: number;
  errmsg: string;
}

export interface TokenResponse extends WecomResponse {
  access_token: string;
  expires_in: number;
}

// ---- customers (客户管理) ----

// ---- staff directory (通讯录) ----

/** POST user/list_id: the app's visible range, one row per (member, department), cursor-paged (limit 1..10000). */
export interface UserListIdRequest {
  cursor?: string;
  limit?: number;
}

export interface UserListIdResponse extends WecomResponse {
  next_cursor?: string;
  dept_user?: Array<{ userid: string; department: number }>;
}

/**
 * GET user/get for a member in the app's visible range. A self-built app created after 2022-06-20
 * gets the name, departments and status, not the mobile, email, avatar or gender (PROTOCOL.md).
 * status: 1 active, 2 disabled, 4 not yet activated, 5 left the corp.
 */
export interface UserGetResponse extends WecomResponse {
  userid: string;
  name?: string;
  department?: number[];
  position?: string;
  status?: number;
}

export interface ExternalContact {
  external_userid: string;
  name: string;
  avatar?: string;
  /** 1 WeChat user, 2 WeCom user */
  type: number;
  gender?: number;
  unionid?: string;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
  external_profile?: Record<string, unknown>;
}

export interface FollowUserTag {
  group_name: string;
  tag_name: string;
  /** 1 corp, 2 personal, 3 rule */
  type: number;
  tag_id?: string;
}

export interface FollowUser {
  userid: string;
  remark?: string;
  description?: string;
  createtime: number;
  tags?: FollowUserTag[];
  remark_corp_name?: string;
  remark_mobiles?: string[];
  add_way?: number;
  oper_userid?: string;
  state?: string;
  wechat_channels?: { nickname?: string; source?: number };
}

export interface GetExternalContactResponse extends WecomResponse {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
  next_cursor?: string;
}

export interface FollowInfo extends Omit<FollowUser, 'tags'> {
  tag_id?: string[];
}

export interface BatchGetByUserRequest {
  /** at most 100 */
  userid_list: string[];
  cursor?: string;
  /** at most 100, default 50 */
  limit?: number;
}

export interface BatchGetByUserResponse extends WecomResponse {
  external_contact_list: Array<{ external_contact: ExternalContact; follow_info: FollowInfo }>;
  next_cursor?: string;
}

export interface ListExternalContactResponse extends WecomResponse {
  external_userid: string[];
}

export interface FollowUserListResponse extends WecomResponse {
  follow_user: string[];
}

export interface RemarkRequest {
  userid: string;
  external_userid: string;
  remark?: string;
  description?: string;
  remark_company?: string;
  remark_mobiles?: string[];
  remark_pic_mediaid?: string;
}

// ---- corp tags (企业标签) ----

export interface CorpTag {
  id: string;
  name: string;
  create_time: number;
  order: number;
  deleted?: boolean;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  deleted?: boolean;
  tag: CorpTag[];
}

export interface CorpTagListResponse extends WecomResponse {
  tag_group: CorpTagGroup[];
}

export interface AddCorpTagRequest {
  group_id?: string;
  group_name?: string;
  order?: number;
  tag: Array<{ name: string; order?: number }>;
}

export interface AddCorpTagResponse extends WecomResponse {
  tag_group: CorpTagGroup;
}

export interface EditCorpTagRequest {
  id: string;
  name?: string;
  order?: number;
}

export interface DelCorpTagRequest {
  tag_id?: string[];
  group_id?: string[];
}

export interface MarkTagRequest {
  userid: string;
  external_userid: string;
  add_tag?: string[];
  remove_tag?: string[];
}

// ---- welcome message ----

export interface WelcomeAttachment {
  msgtype: 'image' | 'link' | 'miniprogram' | 'video' | 'file';
  [field: string]: unknown;
}

export interface SendWelcomeMsgRequest {
  welcome_code: string;
  text?: { content: string };
  attachments?: WelcomeAttachment[];
}

// ---- customer groups ----

export interface GroupChatListRequest {
  status_filter?: 0 | 1 | 2 | 3;
  owner_filter?: { userid_list: string[] };
  cursor?: string;
  /** 1..1000, required by WeCom */
  limit: number;
}

export interface GroupChatListResponse extends WecomResponse {
  group_chat_list: Array<{ chat_id: string; status: number }>;
  next_cursor?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 member, 2 external contact */
  type: number;
  unionid?: string;
  join_time: number;
  join_scene: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
}

export interface GroupChatGetResponse extends WecomResponse {
  group_chat: {
    chat_id: string;
    name: string;
    owner: string;
    create_time: number;
    notice?: string;
    member_list: GroupChatMember[];
    admin_list?: Array<{ userid: string }>;
  };
}

// ---- channel QR codes (联系我) ----

export interface AddContactWayRequest {
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify?: boolean;
  state?: string;
  user?: string[];
  party?: number[];
  is_temp?: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: Record<string, unknown>;
}

export interface AddContactWayResponse extends WecomResponse {
  config_id: string;
  qr_code?: string;
}

// ---- messages ----

/** The card body (`template_card`), kept open: cards are built by templates/ and sent as they are. */
export interface TemplateCard {
  card_type: 'text_notice' | 'news_notice' | 'button_interaction' | 'vote_interaction' | 'multiple_interaction';
  task_id?: string;
  [field: string]: unknown;
}

/** The message part of `message/send` (recipient and agentid are added by the client). */
export type AppMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: TemplateCard }
  /** a picture uploaded as temporary media (media/upload, valid 3 days) */
  | { msgtype: 'image'; image: { media_id: string } };

export interface MessageSendOptions {
  safe?: 0 | 1;
  enable_id_trans?: 0 | 1;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
}

export interface MessageSendRequest extends MessageSendOptions {
  touser?: string;
  toparty?: string;
  totag?: string;
}

export interface MessageSendResponse extends WecomResponse {
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  msgid?: string;
  response_code?: string;
}

export interface UpdateTemplateCardRequest {
  userids?: string[];
  partyids?: number[];
  tagids?: number[];
  atall?: 0 | 1;
  response_code: string;
  /** either a new button text (button_interaction) or a whole replacement card */
  button?: { replace_name: string };
  template_card?: TemplateCard;
}

export interface UpdateTemplateCardResponse extends WecomResponse {
  invaliduser?: string[];
}

/** `appchat/send` does not accept template_card (PROTOCOL.md §5.7). */
export type AppChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'textcard'; textcard: { title: string; description: string; url: string; btntxt?: string } }
  | { msgtype: 'image'; image: { media_id: string } };

export type RobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: TemplateCard }
  /** the picture itself: base64 of a JPG or PNG of at most 2 MB before encoding, and the md5 (hex) of those bytes */
  | { msgtype: 'image'; image: { base64: string; md5: string } };

/** media/upload: temporary media, usable by every app of the corp for 3 days (limits/media-limits.ts). */
export type MediaType = 'image' | 'voice' | 'video' | 'file';

export interface MediaUploadResponse extends WecomResponse {
  type?: MediaType;
  media_id?: string;
  /** seconds since the epoch, as a string */
  created_at?: string;
}

// ---- handover (在职继承 / 离职继承) ----

/**
 * POST externalcontact/transfer_customer (an employed member's customers) and
 * externalcontact/resigned/transfer_customer (a leaver's; no transfer_success_msg): at most 100
 * customers a call. A customer's errcode 0 means the transfer started: WeCom hands them over after
 * 24 hours unless they refuse (PROTOCOL.md, "Staff directory and handover").
 */
export interface TransferCustomerRequest {
  handover_userid: string;
  takeover_userid: string;
  external_userid: string[];
  /** shown to the customer on success (at most 200 characters); WeCom's own text when not given */
  transfer_success_msg?: string;
}

export interface TransferCustomerResponse extends WecomResponse {
  customer?: Array<{ external_userid: string; errcode: number }>;
}

/** transfer_result status: 1 taken over, 2 waiting, 3 refused by the customer, 4 the takeover member is at their customer limit. */
export type TransferStatus = 1 | 2 | 3 | 4;

export interface TransferResultRequest {
  handover_userid: string;
  takeover_userid: string;
  cursor?: string;
}

export interface TransferResultResponse extends WecomResponse {
  /** takeover_time: when it was taken over, or (waiting) when it will be, in seconds */
  customer?: Array<{ external_userid: string; status: TransferStatus; takeover_time: number }>;
  next_cursor?: string;
}

/** POST externalcontact/get_unassigned_list: the customers of members who left, not yet handed to anyone. */
export interface UnassignedListRequest {
  cursor?: string;
  /** 1..1000 */
  page_size?: number;
}

export interface UnassignedListResponse extends WecomResponse {
  info?: Array<{ handover_userid: string; external_userid: string; dimission_time: number }>;
  is_last?: boolean;
  next_cursor?: string;
}

/** POST externalcontact/groupchat/transfer: a leaver's customer groups to a new owner (at most 100 a call). */
export interface GroupChatTransferRequest {
  chat_id_list: string[];
  new_owner: string;
}

export interface GroupChatTransferResponse extends WecomResponse {
  /** the groups that did not move, each with WeCom's reason */
  failed_chat_list?: Array<{ chat_id: string; errcode: number; errmsg: string }>;
}
