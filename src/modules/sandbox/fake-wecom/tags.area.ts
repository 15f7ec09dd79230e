import { randomBytes } from 'node:crypto';
import type * as T from '../../../platform/wecom/api/wecom-api.types';
import type { AreaRoute } from './area-route';
import { followOf } from './customers.area';
import type { FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/** Corp tags (企业标签): list, add (names unique per group, at most 30 characters), edit, delete, and marking them on a customer. */

export function tagById(state: FakeWecomState, id: string): { group: T.CorpTagGroup; tag: T.CorpTag } | undefined {
  for (const group of state.tagGroups) {
    const tag = group.tag.find((t) => t.id === id);
    if (tag) return { group, tag };
  }
  return undefined;
}

export function tagList(state: FakeWecomState, filter: { tag_id?: string[]; group_id?: string[] }): T.CorpTagGroup[] {
  const groups = filter.group_id?.length ? state.tagGroups.filter((g) => filter.group_id!.includes(g.group_id)) : state.tagGroups;
  if (!filter.tag_id?.length) return structuredClone(groups);
  return groups.map((g) => ({ ...structuredClone(g), tag: g.tag.filter((t) => filter.tag_id!.includes(t.id)) })).filter((g) => g.tag.length > 0);
}

export function addCorpTag(state: FakeWecomState, request: T.AddCorpTagRequest): T.CorpTagGroup {
  const names = (request.tag ?? []).map((t) => String(t?.name ?? '').trim());
  if (names.length === 0 || names.some((n) => n === '')) throw new WecomFault(40058, 'tag.name required');
  if (names.some((n) => [...n].length > 30)) throw new WecomFault(40058, 'tag.name longer than 30 characters');
  let group = request.group_id
    ? state.tagGroups.find((g) => g.group_id === request.group_id)
    : state.tagGroups.find((g) => g.group_name === request.group_name);
  if (request.group_id && !group) throw new WecomFault(40068, 'invalid tagid (group_id)');
  if (!group && !request.group_name) throw new WecomFault(40058, 'group_id or group_name required');
  if (group?.tag.some((t) => names.includes(t.name))) throw new WecomFault(40071, 'tag name already exists in this group');
  const created = Math.floor(state.now() / 1000);
  if (!group) {
    group = {
      group_id: `etSandboxGroup${randomBytes(6).toString('hex')}`,
      group_name: String(request.group_name),
      create_time: created,
      order: request.order ?? 0,
      tag: [],
    };
    state.tagGroups.push(group);
  }
  const tags = names.map((name, i) => ({ id: `etSandboxTag${randomBytes(6).toString('hex')}`, name, create_time: created, order: request.tag[i]?.order ?? 0 }));
  group.tag.push(...tags);
  state.log(`企业标签「${group.group_name}」新增：${names.join('、')}`);
  return { ...structuredClone(group), tag: structuredClone(tags) };
}

export function editCorpTag(state: FakeWecomState, request: T.EditCorpTagRequest): void {
  const tag = tagById(state, request.id)?.tag;
  const group = state.tagGroups.find((g) => g.group_id === request.id);
  if (!tag && !group) throw new WecomFault(40068, 'invalid tagid');
  if (tag) Object.assign(tag, { name: request.name ?? tag.name, order: request.order ?? tag.order });
  if (group) Object.assign(group, { group_name: request.name ?? group.group_name, order: request.order ?? group.order });
  state.touch();
}

export function delCorpTag(state: FakeWecomState, request: T.DelCorpTagRequest): void {
  const tagIds = new Set(request.tag_id ?? []);
  const groupIds = new Set(request.group_id ?? []);
  if (tagIds.size === 0 && groupIds.size === 0) throw new WecomFault(40058, 'tag_id or group_id required');
  for (const id of tagIds) if (!tagById(state, id)) throw new WecomFault(40068, `invalid tagid: ${id}`);
  state.tagGroups = state.tagGroups
    .filter((g) => !groupIds.has(g.group_id))
    .map((g) => ({ ...g, tag: g.tag.filter((t) => !tagIds.has(t.id)) }))
    .filter((g) => g.tag.length > 0);
  state.touch();
}

/** Tags on one customer for one salesperson, by corp tag id (WeCom keeps a tag once however often it is marked). */
export function markTag(state: FakeWecomState, request: T.MarkTagRequest, by: 'api' | 'console' = 'api'): void {
  const adds = request.add_tag ?? [];
  const removes = request.remove_tag ?? [];
  if (adds.length === 0 && removes.length === 0) throw new WecomFault(40058, 'add_tag or remove_tag required');
  if (!state.isMember(String(request.userid ?? ''))) state.member(String(request.userid ?? ''));
  const tagsKnown = () => {
    for (const id of [...adds, ...removes]) if (!tagById(state, id) && !state.trusts('tags')) throw new WecomFault(40068, `invalid tagid: ${id}`);
  };
  if (!state.customers.has(String(request.external_userid ?? '')) && state.trusts('customers')) {
    tagsKnown();
    return;
  }
  const { customer, follow } = followOf(state, request.external_userid, request.userid);
  tagsKnown();
  const tags = (follow.tags ??= []);
  for (const id of adds) {
    if (tags.some((t) => t.tag_id === id)) continue;
    const known = tagById(state, id);
    tags.push({ group_name: known?.group.group_name ?? '', tag_name: known?.tag.name ?? '', type: 1, tag_id: id });
  }
  follow.tags = tags.filter((t) => !removes.includes(t.tag_id ?? ''));
  const names = (ids: string[]) => ids.map((id) => tagById(state, id)?.tag.name ?? id).join('、');
  const who = by === 'api' ? 'mark_tag' : '管理后台';
  state.log(`${who}：${customer.external_contact.name}${adds.length ? ` 打上 ${names(adds)}` : ''}${removes.length ? ` 去掉 ${names(removes)}` : ''}`);
}

export const tagRoutes: AreaRoute[] = [
  { method: 'POST', api: 'externalcontact/get_corp_tag_list', handle: (state, { body }) => ({ tag_group: tagList(state, body as { tag_id?: string[] }) }) },
  {
    method: 'POST',
    api: 'externalcontact/add_corp_tag',
    handle: (state, { body }) => ({ tag_group: addCorpTag(state, body as unknown as T.AddCorpTagRequest) }),
  },
  { method: 'POST', api: 'externalcontact/edit_corp_tag', handle: (state, { body }) => editCorpTag(state, body as unknown as T.EditCorpTagRequest) },
  { method: 'POST', api: 'externalcontact/del_corp_tag', handle: (state, { body }) => delCorpTag(state, body as unknown as T.DelCorpTagRequest) },
  { method: 'POST', api: 'externalcontact/mark_tag', handle: (state, { body }) => markTag(state, body as unknown as T.MarkTagRequest) },
];
