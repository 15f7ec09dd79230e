import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import { AccessTokenStore } from './access-token.store';
import { JsonTransport } from './json-transport';
import { isRetryableErrcode, redactSecrets, WecomApiError } from './wecom-api.error';
import type * as T from './wecom-api.types';

/** Waits until the corp-wide budget of `api` allows one more call (see outbound/outbound-pacing.ts). */
export interface ApiPacer {
  acquire(api: string, options?: { forWelcome?: boolean }): Promise<void>;
}

export interface RetryPolicy {
  /** total tries for a retryable error (network, 5xx, -1, 45009, 45033), including the first */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface WecomApiClientOptions {
  apiBase: string;
  corpId: string;
  agentId: string;
  secret: string;
  redis: Redis;
  /** Redis key namespace of this install */
  namespace: string;
  logger?: Logger;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  pacer?: ApiPacer;
  /** token refresh margin (tests shorten it) */
  refreshTokenBeforeMs?: number;
}

export interface CallOptions {
  /** override the retry policy's attempts for this call (the outbound queue retries itself: 1). */
  attempts?: number;
  /** the caller already took this call's slot from the API budget (only the first try). */
  paced?: boolean;
  /** the call is for a welcome inside its code's 20 s: it may use the share of the budget reserved for welcomes */
  forWelcome?: boolean;
}

interface RequestSpec {
  method: 'GET' | 'POST';
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** a full URL instead of apiBase + api (group robot webhooks) */
  url?: string;
  /** false for gettoken and robot webhooks */
  auth?: boolean;
  /** a multipart/form-data upload (field `media`) instead of a JSON body */
  file?: { filename: string; contentType: string; bytes: Buffer };
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * The one client for WeCom's server API. Every call: takes a slot from the corp-wide budget, adds
 * the shared access token, times out, and turns WeCom's `errcode` into a typed WecomApiError.
 * Token errors (40014/42001, and 40001) invalidate the cached token and retry once; retryable errors
 * back off exponentially; permanent ones fail at once with WeCom's reason.
 */
export class WecomApiClient {
  readonly tokens: AccessTokenStore;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly transport = new JsonTransport();

  constructor(private readonly options: WecomApiClientOptions) {
    this.base = options.apiBase.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.tokens = new AccessTokenStore(options.redis, {
      namespace: options.namespace,
      corpId: options.corpId,
      agentId: options.agentId,
      secret: options.secret,
      refreshBeforeMs: options.refreshTokenBeforeMs,
      logger: options.logger,
      fetchToken: () => this.fetchToken(),
    });
  }

  get agentId(): number {
    return Number(this.options.agentId);
  }

  // ---- staff directory (通讯录) ----

  listUserIds(request: T.UserListIdRequest = {}): Promise<T.UserListIdResponse> {
    return this.call('user/list_id', { method: 'POST', body: request });
  }

  /** Every userid of the app's visible range (a member in several departments once), following `next_cursor` to the end. */
  async listAllUserIds(limit = 10_000): Promise<string[]> {
    const seen = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await this.listUserIds({ cursor, limit });
      for (const row of page.dept_user ?? []) if (row.userid && !seen.has(row.userid.toLowerCase())) seen.set(row.userid.toLowerCase(), row.userid);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return [...seen.values()];
  }

  getUser(userid: string): Promise<T.UserGetResponse> {
    return this.call('user/get', { method: 'GET', query: { userid } });
  }

  // ---- customers ----

  getExternalContact(externalUserid: string, cursor?: string, options?: CallOptions): Promise<T.GetExternalContactResponse> {
    return this.call('externalcontact/get', { method: 'GET', query: { external_userid: externalUserid, cursor } }, options);
  }

  batchGetByUser(request: T.BatchGetByUserRequest): Promise<T.BatchGetByUserResponse> {
    return this.call('externalcontact/batch/get_by_user', { method: 'POST', body: request });
  }

  /** Every customer of the given members, following `next_cursor` to the end. */
  async *iterateCustomersOf(useridList: string[], limit = 100): AsyncGenerator<T.BatchGetByUserResponse['external_contact_list'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.batchGetByUser({ userid_list: useridList, cursor, limit });
      yield* page.external_contact_list ?? [];
      cursor = page.next_cursor || undefined;
    } while (cursor);
  }

  listExternalContacts(userid: string): Promise<T.ListExternalContactResponse> {
    return this.call('externalcontact/list', { method: 'GET', query: { userid } });
  }

  getFollowUserList(): Promise<T.FollowUserListResponse> {
    return this.call('externalcontact/get_follow_user_list', { method: 'GET' });
  }

  remark(request: T.RemarkRequest): Promise<T.WecomResponse> {
    return this.call('externalcontact/remark', { method: 'POST', body: request });
  }

  // ---- corp tags ----

  getCorpTagList(filter: { tag_id?: string[]; group_id?: string[] } = {}): Promise<T.CorpTagListResponse> {
    return this.call('externalcontact/get_corp_tag_list', { method: 'POST', body: filter });
  }

  addCorpTag(request: T.AddCorpTagRequest): Promise<T.AddCorpTagResponse> {
    return this.call('externalcontact/add_corp_tag', { method: 'POST', body: request });
  }

  editCorpTag(request: T.EditCorpTagRequest): Promise<T.WecomResponse> {
    return this.call('externalcontact/edit_corp_tag', { method: 'POST', body: request });
  }

  delCorpTag(request: T.DelCorpTagRequest): Promise<T.WecomResponse> {
    return this.call('externalcontact/del_corp_tag', { method: 'POST', body: request });
  }

  markTag(request: T.MarkTagRequest): Promise<T.WecomResponse> {
    return this.call('externalcontact/mark_tag', { method: 'POST', body: request });
  }

  // ---- welcome, groups, contact ways ----

  sendWelcomeMsg(request: T.SendWelcomeMsgRequest, options?: CallOptions): Promise<T.WecomResponse> {
    return this.call('externalcontact/send_welcome_msg', { method: 'POST', body: request }, options);
  }

  listGroupChats(request: T.GroupChatListRequest): Promise<T.GroupChatListResponse> {
    return this.call('externalcontact/groupchat/list', { method: 'POST', body: request });
  }

  /** Every customer group visible to the app, following `next_cursor` to the end. */
  async *iterateGroupChats(
    request: Omit<T.GroupChatListRequest, 'cursor' | 'limit'> = {},
    limit = 1000,
  ): AsyncGenerator<T.GroupChatListResponse['group_chat_list'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.listGroupChats({ ...request, cursor, limit });
      yield* page.group_chat_list ?? [];
      cursor = page.next_cursor || undefined;
    } while (cursor);
  }

  getGroupChat(chatId: string, needName = true): Promise<T.GroupChatGetResponse> {
    return this.call('externalcontact/groupchat/get', { method: 'POST', body: { chat_id: chatId, need_name: needName ? 1 : 0 } });
  }

  addContactWay(request: T.AddContactWayRequest): Promise<T.AddContactWayResponse> {
    return this.call('externalcontact/add_contact_way', { method: 'POST', body: request });
  }

  // ---- handover (在职继承 / 离职继承) ----

  /** 在职继承: at most 100 customers a call; each customer's errcode says whether their transfer started. */
  transferCustomer(request: T.TransferCustomerRequest): Promise<T.TransferCustomerResponse> {
    return this.call('externalcontact/transfer_customer', { method: 'POST', body: request });
  }

  /** 离职继承: a leaver's customers, at most 100 a call. */
  resignedTransferCustomer(request: Omit<T.TransferCustomerRequest, 'transfer_success_msg'>): Promise<T.TransferCustomerResponse> {
    return this.call('externalcontact/resigned/transfer_customer', { method: 'POST', body: request });
  }

  /** Every customer handed from one member to another, following `next_cursor` to the end (`resigned`: a leaver's). */
  async transferResults(request: Omit<T.TransferResultRequest, 'cursor'>, resigned = false): Promise<NonNullable<T.TransferResultResponse['customer']>> {
    const api = resigned ? 'externalcontact/resigned/transfer_result' : 'externalcontact/transfer_result';
    const all: NonNullable<T.TransferResultResponse['customer']> = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<T.TransferResultResponse>(api, { method: 'POST', body: { ...request, cursor } });
      all.push(...(page.customer ?? []));
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** Every customer of members who left and are not yet handed to anyone. */
  async unassignedCustomers(pageSize = 1000): Promise<NonNullable<T.UnassignedListResponse['info']>> {
    const all: NonNullable<T.UnassignedListResponse['info']> = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.call<T.UnassignedListResponse>('externalcontact/get_unassigned_list', {
        method: 'POST',
        body: { cursor, page_size: pageSize },
      });
      all.push(...(page.info ?? []));
      cursor = page.next_cursor || undefined;
      if (page.is_last || !cursor) return all;
    }
  }

  /** A leaver's customer groups to a new owner (at most 100 a call); the answer lists the groups that did not move. */
  transferGroupChats(request: T.GroupChatTransferRequest): Promise<T.GroupChatTransferResponse> {
    return this.call('externalcontact/groupchat/transfer', { method: 'POST', body: request });
  }

  // ---- messages ----

  sendMessage(
    to: { touser?: string; toparty?: string; totag?: string },
    message: T.AppMessage,
    extra: T.MessageSendOptions = {},
    options?: CallOptions,
  ): Promise<T.MessageSendResponse> {
    return this.call('message/send', { method: 'POST', body: { ...to, agentid: this.agentId, ...extra, ...message } }, options);
  }

  updateTemplateCard(request: T.UpdateTemplateCardRequest, options?: CallOptions): Promise<T.UpdateTemplateCardResponse> {
    return this.call('message/update_template_card', { method: 'POST', body: { ...request, agentid: this.agentId } }, options);
  }

  appChatSend(chatid: string, message: T.AppChatMessage, safe: 0 | 1 = 0, options?: CallOptions): Promise<T.WecomResponse> {
    return this.call('appchat/send', { method: 'POST', body: { chatid, safe, ...message } }, options);
  }

  /** Group robot: the full webhook URL (with its key) is configured per team; no access token. */
  robotSend(webhookUrl: string, message: T.RobotMessage, options?: CallOptions): Promise<T.WecomResponse> {
    return this.call('webhook/send', { method: 'POST', url: webhookUrl, auth: false, body: message }, options);
  }

  /**
   * media/upload: a file as temporary media (multipart, field `media`); the media_id it answers is
   * valid for 3 days. Limits per type in limits/media-limits.ts.
   */
  uploadMedia(type: T.MediaType, file: { filename: string; contentType: string; bytes: Buffer }, options?: CallOptions): Promise<T.MediaUploadResponse> {
    return this.call('media/upload', { method: 'POST', query: { type }, file }, options);
  }

  // ---- plumbing ----

  /** Any API by path, for endpoints without a typed method yet. */
  async call<R extends T.WecomResponse>(api: string, spec: RequestSpec, options: CallOptions = {}): Promise<R> {
    const auth = spec.auth ?? true;
    const attempts = options.attempts ?? this.retry.attempts;
    let tokenRetried = false;
    let paced = options.paced ?? false;
    for (let attempt = 1; ; attempt++) {
      if (this.options.pacer && !paced) await this.options.pacer.acquire(api, { forWelcome: options.forWelcome === true });
      paced = false;
      const token = auth ? await this.tokens.get() : undefined;
      try {
        return await this.send<R>(api, spec, token);
      } catch (error) {
        if (!(error instanceof WecomApiError)) throw error;
        if (token !== undefined && error.isTokenError && !tokenRetried) {
          tokenRetried = true;
          attempt -= 1; // a token refresh is not a retry of the call itself
          this.options.logger?.warn({ api, errcode: error.errcode }, 'WeCom rejected the access token; refreshing once');
          await this.tokens.invalidate(token);
          continue;
        }
        if (error.retryable && attempt < attempts) {
          const delay = backoffDelay(attempt, this.retry);
          this.options.logger?.warn({ api, errcode: error.errcode, errmsg: error.errmsg, attempt, delayMs: delay }, 'WeCom call failed; retrying');
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        throw error;
      }
    }
  }

  private async fetchToken(): Promise<{ accessToken: string; expiresIn: number }> {
    const response = await this.send<T.TokenResponse>(
      'gettoken',
      {
        method: 'GET',
        auth: false,
        query: { corpid: this.options.corpId, corpsecret: this.options.secret },
      },
      undefined,
    );
    if (typeof response.access_token !== 'string' || response.access_token === '') {
      throw new WecomApiError('gettoken', null, 'response without access_token', false);
    }
    return { accessToken: response.access_token, expiresIn: Number(response.expires_in) || 7200 };
  }

  /** One HTTP request: no retries here. */
  private async send<R extends T.WecomResponse>(api: string, spec: RequestSpec, token: string | undefined): Promise<R> {
    const url = new URL(spec.url ?? `${this.base}/${api}`);
    if (token !== undefined) url.searchParams.set('access_token', token);
    for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);

    let response: { status: number; ok: boolean };
    let text: string;
    try {
      if (spec.file) {
        const answer = await fetch(url, { method: spec.method, ...requestBody(spec), signal: AbortSignal.timeout(this.timeoutMs) });
        response = answer;
        text = await answer.text();
      } else {
        const answer = await this.transport.request(url, { method: spec.method, ...requestBody(spec), timeoutMs: this.timeoutMs });
        response = { status: answer.status, ok: answer.status >= 200 && answer.status < 300 };
        text = answer.text;
      }
    } catch (error) {
      throw new WecomApiError(api, null, `network: ${describeNetworkError(error)}`, true);
    }
    if (response.status >= 500) throw new WecomApiError(api, null, `HTTP ${response.status}`, true, response.status);

    let body: R;
    try {
      body = JSON.parse(text) as R;
    } catch {
      throw new WecomApiError(api, null, `HTTP ${response.status} with a body that is not JSON`, false, response.status);
    }
    if (!response.ok) throw new WecomApiError(api, body.errcode ?? null, body.errmsg ?? `HTTP ${response.status}`, false, response.status);
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0) throw new WecomApiError(api, errcode, redactSecrets(String(body.errmsg ?? '')), isRetryableErrcode(errcode), response.status);
    return body;
  }
}

/** A JSON body, or a file as multipart/form-data (fetch writes the boundary and each part's headers). */
function requestBody(spec: RequestSpec & { file: NonNullable<RequestSpec['file']> }): { body: FormData };
function requestBody(spec: RequestSpec): { headers?: Record<string, string>; body?: string };
function requestBody(spec: RequestSpec): { headers?: Record<string, string>; body?: string | FormData } {
  if (spec.file) {
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(spec.file.bytes)], { type: spec.file.contentType }), spec.file.filename);
    return { body: form };
  }
  if (spec.body === undefined) return {};
  // JSON.stringify keeps non-ASCII literal: WeCom rejects \uXXXX escapes (40033).
  return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(spec.body) };
}

/** Exponential backoff with jitter: base, 2×base, 4×base … (never below the nominal step). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(nominal * (1 + Math.random() * 0.25));
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const parts = [e?.message, e?.cause?.code, e?.cause?.message].filter(Boolean);
  return redactSecrets(parts.join(': ') || String(error)).slice(0, 300);
}
