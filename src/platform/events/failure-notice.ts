import type { DataSource } from 'typeorm';
import { Staff } from '../../../entities';
import type { InboundEvent } from '../../../entities';
import type { Logger } from '../logger';
import type { OutboundService } from '../outbound/outbound.service';
import type { EventFailure, FailureNotice } from './event-handler.registry';

export interface FailureNoticeDeps {
  dataSource: DataSource;
  outbound: OutboundService;
  /** CRM_ADMINS (lower-cased userids) */
  admins: string[];
  logger: Logger;
}

/** What the salesperson did, as the answer names it. */
export type FailedAction = 'message' | 'click';

const SUBJECT: Record<FailedAction, string> = { message: '这条消息', click: '刚才的按钮操作' };

/**
 * The answer to a salesperson whose message (or card click) failed for good, and an alert to the
 * admins. The answer says that the admins were told only when CRM_ADMINS names someone and the alert
 * to them was queued; it says whether sending again can help (not after a permanent failure). Keys
 * come from the event, so a second notice for the same event sends nothing twice.
 */
export function createFailureNotice(deps: FailureNoticeDeps, action: FailedAction): FailureNotice {
  return async (event, failure) => {
    const sender = event.fromUser;
    const told = await alertAdmins(deps, event, failure, action);
    await deps.outbound.enqueue({
      channel: 'user',
      touser: sender,
      message: { msgtype: 'text', text: { content: failureAnswer(action, failure.cause === 'permanent', told) } },
      idempotencyKey: `reply:${event.dedupeKey}:failed`,
      urgent: true,
    });
  };
}

export function failureAnswer(action: FailedAction, permanent: boolean, adminsTold: boolean): string {
  const what = `抱歉，${SUBJECT[action]}没能处理：系统出了问题（不是你输入的问题）`;
  if (permanent) return adminsTold ? `${what}，重发也一样，已通知管理员处理。` : `${what}，重发也一样。目前没有设置管理员，请把这件事告诉负责系统的同事。`;
  return adminsTold ? `${what}，已通知管理员。请稍后再试一次。` : `${what}，请稍后再试一次；如果一直不行，请告诉负责系统的同事。`;
}

/** true when at least one admin's alert is queued (now or by an earlier notice for this event). */
async function alertAdmins(deps: FailureNoticeDeps, event: InboundEvent, failure: EventFailure, action: FailedAction): Promise<boolean> {
  if (deps.admins.length === 0) return false;
  const staff = deps.dataSource.getRepository(Staff);
  const senderName = (await staff.findOneBy({ userid: event.fromUser.toLowerCase() }))?.name;
  const cause = failure.cause === 'permanent' ? '重试也无法成功，已停止重试' : failure.cause === 'abandoned' ? '任务被队列放弃' : '多次重试仍失败';
  const content =
    `⚠️ 客户助手：${senderName ? `${senderName}（${event.fromUser}）` : event.fromUser}的${action === 'message' ? '消息' : '卡片按钮操作'}没能处理（${cause}）。\n` +
    `事件 #${event.id}（${event.kind}）\n原因：${failure.reason.slice(0, 300)}\n可在 /admin/queues 查看并重试。`;
  let told = false;
  for (const admin of deps.admins) {
    try {
      const known = await staff.findOneBy({ userid: admin });
      await deps.outbound.enqueue({
        channel: 'user',
        touser: known?.wecomUserid ?? admin,
        message: { msgtype: 'text', text: { content } },
        idempotencyKey: `alert:event-failed:${event.id}:${admin}`.slice(0, 150),
      });
      told = true;
    } catch (error) {
      deps.logger.error({ eventId: event.id, admin, err: error }, 'could not queue the failure alert to an admin');
    }
  }
  return told;
}
