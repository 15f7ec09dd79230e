import { type AreaRoute, cursorPosition } from './area-route';
import type { FakeMember, FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/**
 * The staff directory (通讯录) as a self-built app reads it: names and departments, no phones or
 * avatars; userids case-insensitive; 60111 for anyone outside the app's visible range.
 */

function asUser(m: FakeMember): Record<string, unknown> {
  return { userid: m.userid, name: m.name, position: m.position, department: m.department ?? [1], status: m.status ?? 1 };
}

/**
 * user/list_id: the app's visible range, one row per member and department, in pages of `limit`
 * (1..10000, default 10000) with a `next_cursor` ("" on the last page); WeCom may answer fewer rows.
 */
export function listUserIds(
  state: FakeWecomState,
  request: { cursor?: unknown; limit?: unknown },
): { dept_user: Array<{ userid: string; department: number }>; next_cursor: string } {
  const limit = request.limit === undefined ? 10_000 : Number(request.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new WecomFault(40058, 'limit must be 1..10000');
  const start = cursorPosition(request.cursor);
  if (start === undefined) throw new WecomFault(40058, 'invalid cursor');
  const rows = state.staff.flatMap((m) => (m.department ?? [1]).map((department) => ({ userid: m.userid, department })));
  const size = Math.min(limit, state.pageSizes['user/list_id'] ?? limit);
  return { dept_user: rows.slice(start, start + size), next_cursor: start + size < rows.length ? String(start + size) : '' };
}

/** An admin edits a member in the console (通讯录): WeCom keeps the new name. */
export function renameMember(state: FakeWecomState, userid: string, name: string): FakeMember {
  const staff = state.member(userid);
  const before = staff.name;
  staff.name = name;
  state.log(`管理后台：成员 ${before} 改名为 ${name}`);
  return staff;
}

export const directoryRoutes: AreaRoute[] = [
  {
    method: 'GET',
    api: 'user/get',
    handle: (state, { query }) => {
      if (!query.userid) throw new WecomFault(41009, 'missing userid');
      return asUser(state.member(query.userid));
    },
  },
  { method: 'POST', api: 'user/list_id', handle: (state, { body }) => listUserIds(state, body) },
  { method: 'GET', api: 'user/list', handle: (state) => ({ userlist: state.staff.map(asUser) }) },
  {
    method: 'GET',
    api: 'user/simplelist',
    handle: (state) => ({ userlist: state.staff.map((m) => ({ userid: m.userid, name: m.name, department: m.department ?? [1] })) }),
  },
];
