import type * as T from '../../../platform/wecom/api/wecom-api.types';
import { type AreaRoute, cursorPosition } from './area-route';
import { customer } from './customers.area';
import type { FakeLeaver, FakeTransfer, FakeWecomState, PagedApi, TransferEvent } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/**
 * Handover (在职继承 / 离职继承) as WeCom plays it (PROTOCOL.md, "Staff directory and handover"):
 * at most 100 customers a call, each answered with its own errcode; errcode 0 only starts a
 * transfer, which WeCom completes 24 hours later unless the customer refuses or the takeover member
 * is at their customer limit; an employed member's customer moves at most twice in 90 days. When a
 * transfer settles WeCom sends the callbacks (del_external_contact with DELETE_BY_TRANSFER and the
 * new member's add, or transfer_fail): the fake queues them in `transferEvents` for its carrier.
 *
 * Errcodes the protocol notes leave open are WeCom's global ones: 40096 not a customer id, 84061 not
 * this member's customer, 40097 the handover member has not left, 40098 the takeover member is not
 * activated, 40128 transferred too often (twice in 90 days), 40129 a transfer is already under way,
 * 40130 handover and takeover are the same member, 41035 no customer given, 90500 the group's owner
 * has not left.
 */

export const TRANSFER_WAIT_MS = 24 * 3600_000;
const NINETY_DAYS_MS = 90 * 24 * 3600_000;
const MAX_CUSTOMERS_A_CALL = 100;
const MAX_GROUPS_A_CALL = 100;
const MAX_SUCCESS_MSG_CHARS = 200;
/** 1 active; anything else (disabled, not activated) cannot take anyone over */
const ACTIVE = 1;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function userid(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new WecomFault(40003, `invalid userid: ${field}`);
  return value.trim();
}

function leaver(state: FakeWecomState, id: string): FakeLeaver | undefined {
  return state.leavers.get(id.toLowerCase());
}

function takeoverMember(state: FakeWecomState, id: string): string {
  const member = state.member(id);
  if ((member.status ?? ACTIVE) !== ACTIVE) throw new WecomFault(40098, 'takeover member is not activated or not verified');
  return member.userid;
}

function waiting(state: FakeWecomState, externalUserid: string): FakeTransfer | undefined {
  return state.transfers.find((t) => t.status === 2 && t.externalUserid === externalUserid);
}

/** One customer of a transfer call: 0 and a waiting transfer, or WeCom's errcode for them. */
function startOne(state: FakeWecomState, kind: FakeTransfer['kind'], handover: string, takeover: string, id: unknown, message?: string): number {
  if (typeof id !== 'string' || !state.customers.has(id)) return 40096;
  const found = state.customers.get(id)!;
  if (!found.follow_user.some((f) => same(f.userid, handover))) return 84061;
  if (waiting(state, id)) return 40129;
  const now = state.now();
  if (kind === 'onjob') {
    const recent = state.transfers.filter((t) => t.kind === 'onjob' && t.externalUserid === id && t.startedAt > now - NINETY_DAYS_MS);
    if (recent.length >= 2) return 40128;
  }
  state.transfers.push({ kind, handover, takeover, externalUserid: id, startedAt: now, dueAt: now + TRANSFER_WAIT_MS, status: 2, message });
  return 0;
}

export function startTransfers(state: FakeWecomState, kind: FakeTransfer['kind'], body: Record<string, unknown>): T.TransferCustomerResponse['customer'] {
  const handover = userid(body.handover_userid, 'handover_userid');
  const takeover = userid(body.takeover_userid, 'takeover_userid');
  const ids = body.external_userid;
  if (!Array.isArray(ids) || ids.length === 0) throw new WecomFault(41035, 'missing external userid');
  if (ids.length > MAX_CUSTOMERS_A_CALL) throw new WecomFault(40058, `external_userid has ${ids.length} customers, at most ${MAX_CUSTOMERS_A_CALL} a call`);
  const message = body.transfer_success_msg;
  if (message !== undefined && (typeof message !== 'string' || [...message].length > MAX_SUCCESS_MSG_CHARS))
    throw new WecomFault(40058, `transfer_success_msg must be a text of at most ${MAX_SUCCESS_MSG_CHARS} characters`);
  if (same(handover, takeover)) throw new WecomFault(40130, 'handover and takeover are the same member');
  const gone = leaver(state, handover);
  if (kind === 'resigned' && !gone) throw new WecomFault(40097, 'handover member has not left the corp');
  if (kind === 'onjob') state.member(handover);
  const to = takeoverMember(state, takeover);
  const from = gone?.userid ?? state.member(handover).userid;
  const answers = ids.map((id) => ({ external_userid: String(id), errcode: startOne(state, kind, from, to, id, message as string | undefined) }));
  const started = answers.filter((a) => a.errcode === 0).length;
  if (started > 0)
    state.log(`${kind === 'onjob' ? '在职继承' : '离职继承'}：${started} 位客户开始从 ${nameOf(state, from)} 转给 ${nameOf(state, to)}（24 小时后自动接替）`);
  return answers;
}

function nameOf(state: FakeWecomState, id: string): string {
  return state.findStaff(id)?.name ?? leaver(state, id)?.name ?? id;
}

function customersHeldBy(state: FakeWecomState, id: string): number {
  return [...state.customers.values()].filter((c) => c.follow_user.some((f) => same(f.userid, id))).length;
}

function settle(state: FakeWecomState, transfer: FakeTransfer): void {
  const now = state.now();
  transfer.settledAt = now;
  const events: TransferEvent[] = [];
  const limit = state.customerLimits.get(transfer.takeover.toLowerCase());
  const found = state.customers.get(transfer.externalUserid);
  const follow = found?.follow_user.find((f) => same(f.userid, transfer.handover));
  if (limit !== undefined && customersHeldBy(state, transfer.takeover) >= limit) {
    transfer.status = 4;
    events.push({ changeType: 'transfer_fail', userId: transfer.takeover, externalUserId: transfer.externalUserid, failReason: 'customer_limit_exceed' });
  } else if (found && follow) {
    transfer.status = 1;
    found.follow_user = found.follow_user.filter((f) => f !== follow);
    events.push({ changeType: 'del_external_contact', userId: transfer.handover, externalUserId: transfer.externalUserid, source: 'DELETE_BY_TRANSFER' });
    // Already the customer's friend: WeCom sends no add.
    if (!found.follow_user.some((f) => same(f.userid, transfer.takeover))) {
      found.follow_user.push({ ...structuredClone(follow), userid: transfer.takeover, createtime: Math.floor(now / 1000), state: undefined });
      events.push({ changeType: 'add_external_contact', userId: transfer.takeover, externalUserId: transfer.externalUserid });
    }
  } else {
    // The relation ended while the transfer waited (删人): nothing left to hand over.
    transfer.status = 3;
  }
  state.transferEvents.push(...events);
}

/** Hands over every waiting customer whose 24 hours are up (`all`: every waiting one, the sandbox's 立即触发到期提醒); how many settled. */
export function settleDueTransfers(state: FakeWecomState, options: { all?: boolean } = {}): number {
  const due = state.transfers.filter((t) => t.status === 2 && (options.all || t.dueAt <= state.now()));
  for (const transfer of due) settle(state, transfer);
  if (due.length > 0) {
    const done = due.filter((t) => t.status === 1).length;
    state.log(`客户接替：${done} 位接替完毕${due.length > done ? `，${due.length - done} 位未能接替` : ''}`);
  }
  return due.length;
}

/** The customer refuses their waiting transfer (they have 24 hours to): it ends, and WeCom sends transfer_fail. */
export function refuseTransfer(state: FakeWecomState, externalUserid: string): FakeTransfer {
  const found = customer(state, externalUserid);
  const transfer = waiting(state, externalUserid);
  if (!transfer) throw new WecomFault(40096, `${found.external_contact.name} has no transfer waiting`);
  transfer.status = 3;
  transfer.settledAt = state.now();
  state.transferEvents.push({ changeType: 'transfer_fail', userId: transfer.takeover, externalUserId: externalUserid, failReason: 'customer_refused' });
  state.log(`${found.external_contact.name} 拒绝了转接给 ${nameOf(state, transfer.takeover)}`);
  return transfer;
}

/** A member leaves the company: gone from the directory, their customers and groups waiting to be assigned (离职继承). */
export function leaveCompany(state: FakeWecomState, id: string): FakeLeaver {
  const member = state.member(id);
  const gone: FakeLeaver = { userid: member.userid, name: member.name, dimissionTime: Math.floor(state.now() / 1000) };
  state.staff = state.staff.filter((s) => s !== member);
  state.leavers.set(member.userid.toLowerCase(), gone);
  state.log(`管理后台：${member.name} 离职了，名下 ${customersHeldBy(state, member.userid)} 位客户待分配`);
  return gone;
}

function transferResult(state: FakeWecomState, kind: FakeTransfer['kind'], body: Record<string, unknown>, api: PagedApi): Record<string, unknown> {
  const handover = userid(body.handover_userid, 'handover_userid');
  const takeover = userid(body.takeover_userid, 'takeover_userid');
  const start = cursorPosition(body.cursor);
  if (start === undefined) throw new WecomFault(40058, 'invalid cursor');
  settleDueTransfers(state);
  const latest = new Map<string, FakeTransfer>();
  for (const t of state.transfers) {
    if (t.kind === kind && same(t.handover, handover) && same(t.takeover, takeover)) latest.set(t.externalUserid, t);
  }
  const rows = [...latest.values()].map((t) => ({
    external_userid: t.externalUserid,
    status: t.status,
    takeover_time: Math.floor((t.settledAt ?? t.dueAt) / 1000),
  }));
  const size = Math.min(1000, state.pageSizes[api] ?? 1000);
  return { customer: rows.slice(start, start + size), next_cursor: start + size < rows.length ? String(start + size) : '' };
}

function unassignedList(state: FakeWecomState, body: Record<string, unknown>): Record<string, unknown> {
  const pageSize = body.page_size === undefined ? 1000 : Number(body.page_size);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new WecomFault(40058, 'page_size must be 1..1000');
  const start = cursorPosition(body.cursor);
  if (start === undefined) throw new WecomFault(40058, 'invalid cursor');
  const assigned = (externalUserid: string, from: string) =>
    state.transfers.some((t) => t.kind === 'resigned' && t.externalUserid === externalUserid && same(t.handover, from) && (t.status === 1 || t.status === 2));
  const rows = [...state.customers.values()].flatMap((c) =>
    c.follow_user
      .map((f) => leaver(state, f.userid))
      .filter((l): l is FakeLeaver => l !== undefined && !assigned(c.external_contact.external_userid, l.userid))
      .map((l) => ({ handover_userid: l.userid, external_userid: c.external_contact.external_userid, dimission_time: l.dimissionTime })),
  );
  const size = Math.min(pageSize, state.pageSizes['externalcontact/get_unassigned_list'] ?? pageSize);
  const last = start + size >= rows.length;
  return { info: rows.slice(start, start + size), is_last: last, next_cursor: last ? '' : String(start + size) };
}

function transferGroups(state: FakeWecomState, body: Record<string, unknown>): Record<string, unknown> {
  const ids = body.chat_id_list;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_GROUPS_A_CALL)
    throw new WecomFault(40058, `chat_id_list must have 1 to ${MAX_GROUPS_A_CALL} groups`);
  const owner = takeoverMember(state, userid(body.new_owner, 'new_owner'));
  const failed: Array<{ chat_id: string; errcode: number; errmsg: string }> = [];
  for (const id of ids) {
    const chat = typeof id === 'string' ? state.groupChats.get(id) : undefined;
    if (!chat) failed.push({ chat_id: String(id), errcode: 49008, errmsg: 'chat not found or not visible to the app' });
    else if (!leaver(state, chat.owner)) failed.push({ chat_id: chat.chat_id, errcode: 90500, errmsg: 'the owner of the group has not left the corp' });
    else {
      chat.owner = owner;
      if (!chat.member_list.some((m) => same(m.userid, owner)))
        chat.member_list.push({ userid: owner, type: 1, join_time: Math.floor(state.now() / 1000), join_scene: 1 });
      state.log(`客户群「${chat.name}」转给了 ${nameOf(state, owner)}`);
    }
  }
  return { failed_chat_list: failed };
}

export const handoverRoutes: AreaRoute[] = [
  { method: 'POST', api: 'externalcontact/transfer_customer', handle: (state, { body }) => ({ customer: startTransfers(state, 'onjob', body) }) },
  {
    method: 'POST',
    api: 'externalcontact/transfer_result',
    handle: (state, { body }) => transferResult(state, 'onjob', body, 'externalcontact/transfer_result'),
  },
  {
    method: 'POST',
    api: 'externalcontact/resigned/transfer_customer',
    handle: (state, { body }) => ({ customer: startTransfers(state, 'resigned', body) }),
  },
  {
    method: 'POST',
    api: 'externalcontact/resigned/transfer_result',
    handle: (state, { body }) => transferResult(state, 'resigned', body, 'externalcontact/resigned/transfer_result'),
  },
  { method: 'POST', api: 'externalcontact/get_unassigned_list', handle: (state, { body }) => unassignedList(state, body) },
  { method: 'POST', api: 'externalcontact/groupchat/transfer', handle: (state, { body }) => transferGroups(state, body) },
];
