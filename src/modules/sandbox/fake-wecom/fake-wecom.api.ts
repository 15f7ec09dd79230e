import { checkWecomLimits } from '../../../platform/wecom/limits/check-limits';
import { appMessageRoutes } from './app-messages.area';
import type { AreaRoute } from './area-route';
import { authRoutes, checkToken } from './auth.area';
import { contactWayRoutes } from './contact-ways.area';
import { customerRoutes } from './customers.area';
import { directoryRoutes } from './directory.area';
import type { ChatItem, FakeWecomState, WecomCall } from './fake-wecom.state';
import { groupChatRoutes } from './groupchat.area';
import { groupMessageRoutes } from './group-messages.area';
import { handoverRoutes } from './handover.area';
import { mediaRoutes } from './media.area';
import { parseMultipart } from './multipart';
import { recordRefused } from './refusals';
import { tagRoutes } from './tags.area';
import { welcomeRoutes } from './welcome.area';
import { WecomFault } from './wecom-fault';

/**
 * WeCom's server API as the fake answers it, whoever carries the call (the sandbox's Koa routes,
 * the tests' nock adapter, the fault suite's server). Like WeCom: HTTP 200 with `errcode`/`errmsg`
 * for every answer, an access token on every call but gettoken and the robot webhook, 47001 for a
 * body that is not JSON, 45002/40058 for content over WeCom's limits. Injected faults come first.
 */

export const FAKE_WECOM_ROUTES: readonly AreaRoute[] = [
  ...authRoutes,
  ...directoryRoutes,
  ...customerRoutes,
  ...tagRoutes,
  ...contactWayRoutes,
  ...groupChatRoutes,
  ...handoverRoutes,
  ...welcomeRoutes,
  ...appMessageRoutes,
  ...groupMessageRoutes,
  ...mediaRoutes,
];

export interface WecomRequest {
  method: string;
  /** the path under cgi-bin, e.g. `message/send` */
  api: string;
  query: Record<string, string | undefined>;
  /** the raw body (text), or one already parsed (nock parses JSON); bytes for an upload */
  body?: string | Record<string, unknown> | Buffer;
  /** the request's content type (an upload's multipart boundary) */
  contentType?: string;
}

export interface WecomAnswer {
  status: number;
  /** WeCom's JSON answer, or the text of an HTTP failure */
  body: Record<string, unknown> | string;
}

/** A call as an observer sees it (the fault suite's ledger): what it changed, and whether it got past faults, token and body to its area. */
export interface AnsweredCall {
  call: WecomCall;
  query: Record<string, string | undefined>;
  answer: WecomAnswer;
  /** the messages it delivered */
  delivered: ChatItem[];
  /** false when an injected fault, the token or the body answered before the area did */
  reachedArea: boolean;
}

export type AnswerListener = (answered: AnsweredCall) => void;

const listeners = new WeakMap<FakeWecomState, Set<AnswerListener>>();

export function onAnswer(state: FakeWecomState, listener: AnswerListener): void {
  const set = listeners.get(state) ?? new Set();
  set.add(listener);
  listeners.set(state, set);
}

export function findRoute(method: string, api: string): AreaRoute | undefined {
  return FAKE_WECOM_ROUTES.find((r) => r.method === method.toUpperCase() && r.api === api);
}

export async function answerWecom(state: FakeWecomState, request: WecomRequest): Promise<WecomAnswer> {
  const route = findRoute(request.method, request.api);
  if (!route) return { status: 404, body: { errcode: 404, errmsg: `the sandbox does not fake ${request.method.toUpperCase()} ${request.api}` } };
  const token = request.query.access_token;
  const params: Record<string, unknown> = { ...request.query };
  delete params.access_token;
  const upload = route.multipart ? parseUpload(request) : undefined;
  const parsed =
    route.method === 'GET' || route.multipart ? { ok: true as const, body: params } : parseBody(request.body as string | Record<string, unknown> | undefined);
  const body = parsed.ok ? parsed.body : {};
  const call: WecomCall = { api: route.api, body };
  if (route.api !== 'gettoken' && state.options.logCalls) state.calls.push(call);
  const reached: Reached = { area: false, seqBefore: state.seq };
  const answer = await answerRoute(state, route, { token, parsed, body, query: request.query, file: upload }, reached);
  if (typeof answer.body === 'object' && Number(answer.body.errcode ?? 0) !== 0) {
    call.errcode = Number(answer.body.errcode);
    call.errmsg = String(answer.body.errmsg ?? '');
  }
  const set = listeners.get(state);
  if (set?.size) {
    const delivered = state.chat.filter((c) => c.seq > reached.seqBefore);
    for (const listener of set) listener({ call, query: request.query, answer, delivered, reachedArea: reached.area });
  }
  return answer;
}

/** Whether the call reached its area's handler, and the chat's position just before it ran. */
interface Reached {
  area: boolean;
  seqBefore: number;
}

async function answerRoute(
  state: FakeWecomState,
  route: AreaRoute,
  request: {
    token: string | undefined;
    parsed: { ok: boolean };
    body: Record<string, unknown>;
    query: Record<string, string | undefined>;
    file?: { filename?: string; contentType?: string; bytes: Buffer };
  },
  reached: Reached,
): Promise<WecomAnswer> {
  const injected = await state.faults.apply({ api: route.api, body: request.body, query: request.query });
  if (injected && 'httpStatus' in injected) return { status: Number(injected.httpStatus), body: String(injected.text ?? '') };
  if (injected) return { status: 200, body: injected as Record<string, unknown> };
  try {
    // A refused token is not a refused message (the client refreshes it and sends again).
    if (route.auth !== false) checkToken(state, request.token);
    if (!request.parsed.ok) throw new WecomFault(47001, 'data format error (the body must be a JSON object)');
  } catch (error) {
    if (error instanceof WecomFault) return { status: 200, body: { errcode: error.errcode, errmsg: error.errmsg } };
    throw error;
  }
  reached.area = true;
  // Counted from here, not from the request's arrival: an injected delay lets other calls deliver
  // meanwhile, and what they delivered is theirs (the area's handler runs without a pause).
  reached.seqBefore = state.seq;
  try {
    const limit = checkWecomLimits(route.api, request.body);
    if (limit) throw new WecomFault(limit.errcode, limit.errmsg);
    return {
      status: 200,
      body: { errcode: 0, errmsg: 'ok', ...(route.handle(state, { body: request.body, query: request.query, file: request.file }) ?? {}) },
    };
  } catch (error) {
    if (!(error instanceof WecomFault)) throw error;
    if (route.delivers) recordRefused(state, route.api, request.body, request.query, error);
    return { status: 200, body: { errcode: error.errcode, errmsg: error.errmsg } };
  }
}

/** The file of an upload (form field `media`), or none: the area answers WeCom's 44001. */
function parseUpload(request: WecomRequest): { filename?: string; contentType?: string; bytes: Buffer } | undefined {
  const raw = Buffer.isBuffer(request.body) ? request.body : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : undefined;
  if (!raw) return undefined;
  const media = parseMultipart(raw, request.contentType)?.find((p) => p.name === 'media');
  return media ? { filename: media.filename, contentType: media.contentType, bytes: media.bytes } : undefined;
}

function parseBody(raw: string | Record<string, unknown> | undefined): { ok: true; body: Record<string, unknown> } | { ok: false } {
  if (raw !== undefined && typeof raw === 'object') return Array.isArray(raw) ? { ok: false } : { ok: true, body: raw };
  try {
    const parsed: unknown = JSON.parse(raw || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { ok: true, body: parsed as Record<string, unknown> };
  } catch {
    // not JSON: WeCom's 47001
  }
  return { ok: false };
}
