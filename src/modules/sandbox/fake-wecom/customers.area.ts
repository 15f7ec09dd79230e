import { randomBytes } from 'node:crypto';
import type * as T from '../../../platform/wecom/api/wecom-api.types';
import { type AreaRoute, cursorPosition } from './area-route';
import { CUSTOMER_NAMES } from './fake-wecom.seed';
import type { FakeWecomState, SandboxCustomer } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/**
 * Customers (externalcontact get, list, follow users, batch/get_by_user, remark) and what people do
 * to them in WeCom: a customer scans a channel code and a welcome code is issued; a customer or a
 * salesperson deletes the other. 84061 for a customer nobody here follows (PROTOCOL.md §5.2).
 */

export function customer(state: FakeWecomState, externalUserid: string | undefined): SandboxCustomer {
  if (!externalUserid) throw new WecomFault(40096, 'invalid external userid');
  const found = state.customers.get(externalUserid);
  if (!found || found.follow_user.length === 0) throw new WecomFault(84061, 'not external contact');
  return found;
}

export function followOf(
  state: FakeWecomState,
  externalUserid: string | undefined,
  userid: string | undefined,
): { customer: SandboxCustomer; follow: T.FollowUser } {
  const found = customer(state, externalUserid);
  const follow = found.follow_user.find((f) => f.userid.toLowerCase() === String(userid ?? '').toLowerCase());
  if (!follow) throw new WecomFault(84061, 'not external contact');
  return { customer: found, follow };
}

export function customersOf(state: FakeWecomState, userids: string[]): Array<{ customer: SandboxCustomer; follow: T.FollowUser }> {
  const wanted = new Set(userids.map((u) => u.toLowerCase()));
  return [...state.customers.values()].flatMap((c) =>
    c.follow_user.filter((f) => wanted.has(f.userid.toLowerCase())).map((follow) => ({ customer: c, follow })),
  );
}

/** A customer scans a salesperson's channel QR code: the customer exists, follows them, and a welcome code is issued. */
export function addCustomer(
  state: FakeWecomState,
  input: { userid: string; state?: string; name?: string },
): { customer: SandboxCustomer; welcomeCode: string } {
  const staff = state.member(input.userid);
  const externalUserid = `wmSandbox${randomBytes(10).toString('hex')}`;
  const name = input.name?.trim() || CUSTOMER_NAMES[state.customers.size % CUSTOMER_NAMES.length]!;
  const added: SandboxCustomer = {
    external_contact: { external_userid: externalUserid, name, type: 1, gender: 0, avatar: '' },
    follow_user: [
      { userid: staff.userid, remark: '', description: '', createtime: Math.floor(state.now() / 1000), tags: [], add_way: 1, state: input.state || undefined },
    ],
  };
  state.customers.set(externalUserid, added);
  const welcomeCode = `WELCOME${randomBytes(12).toString('hex').toUpperCase()}`;
  state.welcomeCodes.set(welcomeCode, { externalUserid, userid: staff.userid, issuedAt: state.now() });
  state.log(`${name} 扫描了 ${staff.name} 的渠道活码${input.state ? `（state=${input.state}）` : ''}，成为客户`);
  return { customer: added, welcomeCode };
}

/** The customer deletes the salesperson (删人), or the salesperson the customer: the follow user disappears, history stays with the product. */
export function removeFollowUser(state: FakeWecomState, externalUserid: string, userid: string, by: 'customer' | 'staff' = 'customer'): SandboxCustomer {
  const found = customer(state, externalUserid);
  const before = found.follow_user.length;
  found.follow_user = found.follow_user.filter((f) => f.userid.toLowerCase() !== userid.toLowerCase());
  if (found.follow_user.length === before) throw new WecomFault(84061, 'not external contact');
  const staffName = state.findStaff(userid)?.name ?? userid;
  state.log(by === 'customer' ? `${found.external_contact.name} 删除了 ${staffName}` : `${staffName} 删除了客户 ${found.external_contact.name}`);
  return found;
}

export function remark(state: FakeWecomState, request: T.RemarkRequest): void {
  const { follow } = followOf(state, request.external_userid, request.userid);
  if (request.remark !== undefined) follow.remark = request.remark;
  if (request.description !== undefined) follow.description = request.description;
  if (request.remark_mobiles !== undefined) follow.remark_mobiles = request.remark_mobiles;
  if (request.remark_company !== undefined) follow.remark_corp_name = request.remark_company;
  state.touch();
}

/** Cursor paging over every customer of up to 100 members, tags as ids (PROTOCOL.md §5.2); WeCom may answer fewer rows. */
function batchGetByUser(state: FakeWecomState, request: T.BatchGetByUserRequest): Record<string, unknown> {
  const users = request.userid_list ?? [];
  if (!Array.isArray(users) || users.length === 0 || users.length > 100) throw new WecomFault(40058, 'userid_list must have 1 to 100 userids');
  const limit = request.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new WecomFault(40058, 'limit must be 1..100');
  const start = cursorPosition(request.cursor);
  if (start === undefined) throw new WecomFault(40058, 'invalid cursor');
  const all = customersOf(state, users).map(({ customer: c, follow }) => ({
    external_contact: structuredClone(c.external_contact),
    follow_info: { ...structuredClone({ ...follow, tags: undefined }), tag_id: (follow.tags ?? []).map((t) => t.tag_id!).filter(Boolean) },
  }));
  const size = Math.min(limit, state.pageSizes['externalcontact/batch/get_by_user'] ?? limit);
  return { external_contact_list: all.slice(start, start + size), next_cursor: start + size < all.length ? String(start + size) : '' };
}

export const customerRoutes: AreaRoute[] = [
  {
    method: 'GET',
    api: 'externalcontact/get',
    handle: (state, { query }) => structuredClone(customer(state, query.external_userid)) as unknown as Record<string, unknown>,
  },
  {
    method: 'GET',
    api: 'externalcontact/list',
    handle: (state, { query }) => {
      state.member(query.userid ?? '');
      return { external_userid: customersOf(state, [query.userid!]).map((c) => c.customer.external_contact.external_userid) };
    },
  },
  {
    method: 'GET',
    api: 'externalcontact/get_follow_user_list',
    handle: (state) => ({ follow_user: [...(state.followUsers ?? state.staff.map((s) => s.userid))] }),
  },
  { method: 'POST', api: 'externalcontact/batch/get_by_user', handle: (state, { body }) => batchGetByUser(state, body as unknown as T.BatchGetByUserRequest) },
  { method: 'POST', api: 'externalcontact/remark', handle: (state, { body }) => remark(state, body as unknown as T.RemarkRequest) },
];
