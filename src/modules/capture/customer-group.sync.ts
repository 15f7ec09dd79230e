import { In, Not, type DataSource } from 'typeorm';
import { CustomerGroup, CustomerGroupMember } from '../../../entities';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { GroupChatGetResponse } from '../../platform/wecom/api/wecom-api.types';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { erasedAmong } from '../personal-data';

export type GroupSyncOutcome = 'added' | 'changed' | 'unchanged' | 'dismissed' | 'gone';

/** WeCom answers these for a group that no longer exists or left the app's visible range. */
const GROUP_GONE = new Set([40050, 49008, 90500, 90501]);

/**
 * Customer groups (客户群) kept equal to `groupchat/get`: the group row upserted by chat id, members
 * replaced by the current list (upserts by group+member, deletes of those who left). Events only say
 * that something changed, and WeCom may apply it late, so the full state is always re-read.
 */
export class CustomerGroupSync {
  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Pick<WecomApiClient, 'getGroupChat'>,
  ) {}

  async refresh(chatId: string): Promise<GroupSyncOutcome> {
    let chat: GroupChatGetResponse['group_chat'];
    try {
      chat = (await this.api.getGroupChat(chatId)).group_chat;
    } catch (error) {
      if (error instanceof WecomApiError && error.errcode !== null && GROUP_GONE.has(error.errcode))
        return (await this.dismiss(chatId, new Date())) ? 'dismissed' : 'gone';
      throw error;
    }
    return this.store(chat);
  }

  async store(chat: GroupChatGetResponse['group_chat']): Promise<GroupSyncOutcome> {
    return this.dataSource.transaction(async (m) => {
      const groups = m.getRepository(CustomerGroup);
      const members = m.getRepository(CustomerGroupMember);
      const fields = {
        name: chat.name ? chat.name.slice(0, 128) : null,
        ownerUserid: chat.owner ? chat.owner.toLowerCase() : null,
        notice: chat.notice || null,
        status: 'active' as const,
        wecomCreatedAt: chat.create_time ? new Date(chat.create_time * 1000) : null,
        dismissedAt: null,
      };
      const before = await groups.findOneBy({ chatId: chat.chat_id });
      await insertIgnore(groups, { chatId: chat.chat_id, ...fields });
      const group = await groups.findOneByOrFail({ chatId: chat.chat_id });
      let changed =
        !before || before.name !== fields.name || before.ownerUserid !== fields.ownerUserid || before.notice !== fields.notice || before.status !== 'active';
      if (before && changed) await groups.update({ id: group.id }, fields);

      // An erased customer (npm run customer -- erase) is not recorded again as a member.
      const erased = await erasedAmong(
        m,
        (chat.member_list ?? []).filter((mem) => mem.type === 2).map((mem) => mem.userid),
      );
      const list = (chat.member_list ?? []).filter((mem) => !(mem.type === 2 && erased.has(mem.userid)));
      const existing = await members.findBy({ groupId: group.id });
      for (const member of list) {
        const row = {
          groupId: group.id,
          memberId: member.type === 1 ? member.userid.toLowerCase() : member.userid,
          memberType: member.type,
          unionid: member.unionid || null,
          groupNickname: member.group_nickname || null,
          name: member.name || null,
          joinScene: member.join_scene ?? null,
          invitorUserid: member.invitor?.userid?.toLowerCase() ?? null,
          joinedAt: member.join_time ? new Date(member.join_time * 1000) : null,
        };
        const old = existing.find((e) => e.memberId === row.memberId);
        if (!old) {
          await insertIgnore(members, row);
          changed = true;
        } else if (old.groupNickname !== row.groupNickname || old.name !== row.name || old.unionid !== row.unionid) {
          await members.update({ id: old.id }, row);
          changed = true;
        }
      }
      const ids = list.map((mem) => (mem.type === 1 ? mem.userid.toLowerCase() : mem.userid));
      const left = await members.delete(ids.length > 0 ? { groupId: group.id, memberId: Not(In(ids)) } : { groupId: group.id });
      if ((left.affected ?? 0) > 0) changed = true;
      return !before ? 'added' : changed ? 'changed' : 'unchanged';
    });
  }

  /**
   * Marks the group dismissed (members kept for history); false when it was already dismissed. A
   * dismiss for a group never seen leaves a dismissed row, so a late `create` replay cannot revive it.
   */
  async dismiss(chatId: string, at: Date): Promise<boolean> {
    const groups = this.dataSource.getRepository(CustomerGroup);
    if ((await insertIgnore(groups, { chatId, status: 'dismissed', dismissedAt: at })) === 1) return true;
    const result = await groups.update({ chatId, status: 'active' }, { status: 'dismissed', dismissedAt: at });
    return (result.affected ?? 0) > 0;
  }
}
