import { z } from 'zod';
import type { CallbackKeys } from '../../platform/wecom/callback/callback-crypto';
import { callbackPlaintexts, newMsgId, postCallback } from './callback-events';
import type { FakeWecomWorld } from './fake-wecom/fake-wecom.world';
import { WecomFault } from './fake-wecom/wecom-fault';

/**
 * What people do in WeCom, played against the fake WeCom and the real product: the fake's state
 * changes as WeCom's would, then the callback WeCom would send is encrypted and POSTed to the app's
 * own /wecom/callback. The page and `npm run simulate` both end up here (through the control API).
 */

/** A request the simulator refuses, with a message for the person at the page or the terminal. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

export interface SimulatorDeps {
  world: FakeWecomWorld;
  keys: CallbackKeys & { agentId: string };
  /** the app's own callback, e.g. http://127.0.0.1:3000/wecom/callback */
  callbackUrl: string;
  /** runs due reminders and SOP steps now; resolves to how many were fired */
  fireDue: () => Promise<number>;
  now?: () => number;
}

/** A required text: missing, not a string, or blank all get the same Chinese hint. */
const required = (hint: string) => z.string({ error: hint }).trim().min(1, hint);
const userid = required('请选择销售（userid）');
const customer = required('请选择客户（external_userid）');

/** Every action, its parameters and what it answers: the control API and the CLI list these. */
export const ACTIONS = {
  scan: {
    summary: '客户扫描销售的渠道活码（change_external_contact add_external_contact，带 State 和 WelcomeCode）',
    params: z.object({ userid, state: z.string().trim().max(30, 'state 最长 30 个字符').default(''), name: z.string().trim().max(32).optional() }),
  },
  'delete-staff': {
    summary: '客户删除了销售（删人提醒，del_follow_user）',
    params: z.object({ userid, customer }),
  },
  tag: {
    summary: '管理员在后台给客户打标签/去标签（edit_external_contact）',
    params: z.object({ userid, customer, add: z.array(z.string().trim().min(1)).default([]), remove: z.array(z.string().trim().min(1)).default([]) }),
  },
  'delete-customer': {
    summary: '销售删除了客户（del_external_contact）',
    params: z.object({ userid, customer }),
  },
  'rename-staff': {
    summary: '管理员在通讯录里修改成员姓名（change_contact update_user）',
    params: z.object({ userid, name: required('请填写新的姓名').max(64) }),
  },
  'create-tag': {
    summary: '管理员在后台新建企业标签（change_external_tag create）',
    params: z.object({ group: required('请填写标签组').max(30), name: required('请填写标签名').max(30) }),
  },
  type: {
    summary: '销售在应用里发一条消息（文本消息回调）',
    params: z.object({ userid, content: required('消息不能为空').max(2048) }),
  },
  click: {
    summary: '销售点击卡片上的按钮（template_card_event）',
    params: z.object({
      userid,
      card: z.coerce.number({ error: '请给出卡片编号' }).int().positive('请给出卡片编号'),
      key: required('请给出按钮 key'),
      /** button_selection: question key → chosen option ids (default: the card's preselected option) */
      selected: z.record(z.string(), z.array(z.string())).default({}),
    }),
  },
  leave: {
    summary: '销售离职（管理后台删除成员：change_contact delete_user），名下客户待分配',
    params: z.object({ userid }),
  },
  'refuse-transfer': {
    summary: '客户拒绝转接（24 小时内，transfer_fail customer_refused）',
    params: z.object({ customer }),
  },
  'fire-due': {
    summary: '立即触发所有待发的提醒、SOP 步骤和等待中的客户转接（不用等到时间）',
    params: z.object({}),
  },
} as const;

export type ActionName = keyof typeof ACTIONS;

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTIONS, name);
}

export class Simulator {
  private readonly xml;

  constructor(private readonly deps: SimulatorDeps) {
    this.xml = callbackPlaintexts(deps.keys.corpId, deps.keys.agentId, deps.now);
  }

  /** Validates the parameters and runs the action; bad input is a SimulationError in Chinese. */
  async run(name: string, rawParams: unknown): Promise<Record<string, unknown>> {
    if (!isActionName(name)) throw new SimulationError(`没有这个操作：${name}。可用：${Object.keys(ACTIONS).join(', ')}`);
    const parsed = ACTIONS[name].params.safeParse(rawParams ?? {});
    if (!parsed.success) throw new SimulationError(parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('；'));
    try {
      return await this.dispatch(name, parsed.data);
    } catch (error) {
      if (error instanceof WecomFault) throw new SimulationError(`${error.errmsg}（errcode ${error.errcode}）`);
      throw error;
    }
  }

  private dispatch(name: ActionName, params: unknown): Promise<Record<string, unknown>> {
    const handlers: { [K in ActionName]: (p: z.infer<(typeof ACTIONS)[K]['params']>) => Promise<Record<string, unknown>> } = {
      scan: (p) => this.scan(p),
      'delete-staff': (p) => this.deleteStaff(p),
      tag: (p) => this.tagCustomer(p),
      'delete-customer': (p) => this.deleteCustomer(p),
      'rename-staff': (p) => this.renameStaff(p),
      'create-tag': (p) => this.createTag(p),
      type: (p) => this.type(p),
      click: (p) => this.click(p),
      leave: (p) => this.leave(p),
      'refuse-transfer': (p) => this.refuseTransfer(p),
      'fire-due': () => this.fireDue(),
    };
    return handlers[name](params as never);
  }

  async scan(p: { userid: string; state: string; name?: string }): Promise<Record<string, unknown>> {
    const { customer, welcomeCode } = this.deps.world.addCustomer(p);
    const externalUserId = customer.external_contact.external_userid;
    await this.post(
      this.xml.externalContact('add_external_contact', { userId: customer.follow_user[0]!.userid, externalUserId, state: p.state || undefined, welcomeCode }),
    );
    return { customer: externalUserId, name: customer.external_contact.name, welcomeCode };
  }

  async deleteStaff(p: { userid: string; customer: string }): Promise<Record<string, unknown>> {
    const staff = this.deps.world.member(p.userid);
    this.deps.world.removeFollowUser(p.customer, staff.userid);
    await this.post(this.xml.externalContact('del_follow_user', { userId: staff.userid, externalUserId: p.customer }));
    return { customer: p.customer };
  }

  async deleteCustomer(p: { userid: string; customer: string }): Promise<Record<string, unknown>> {
    const staff = this.deps.world.member(p.userid);
    this.deps.world.removeFollowUser(p.customer, staff.userid, 'staff');
    await this.post(this.xml.externalContact('del_external_contact', { userId: staff.userid, externalUserId: p.customer }));
    return { customer: p.customer };
  }

  async renameStaff(p: { userid: string; name: string }): Promise<Record<string, unknown>> {
    const staff = this.deps.world.renameMember(p.userid, p.name);
    await this.post(this.xml.changeContact('update_user', staff.userid));
    return { userid: staff.userid, name: staff.name };
  }

  async tagCustomer(p: { userid: string; customer: string; add: string[]; remove: string[] }): Promise<Record<string, unknown>> {
    const world = this.deps.world;
    const staff = world.member(p.userid);
    const ids = (names: string[]) =>
      names.map((name) => {
        const found = world.tagGroups.flatMap((g) => g.tag).find((t) => t.name === name);
        if (!found) throw new SimulationError(`企业标签里没有「${name}」，可用：${world.tagGroups.flatMap((g) => g.tag.map((t) => t.name)).join('、')}`);
        return found.id;
      });
    if (p.add.length === 0 && p.remove.length === 0) throw new SimulationError('请至少给出一个要打上或去掉的标签');
    world.markTag({ userid: staff.userid, external_userid: p.customer, add_tag: ids(p.add), remove_tag: ids(p.remove) }, 'console');
    await this.post(this.xml.externalContact('edit_external_contact', { userId: staff.userid, externalUserId: p.customer }));
    return { customer: p.customer };
  }

  async createTag(p: { group: string; name: string }): Promise<Record<string, unknown>> {
    const group = this.deps.world.addCorpTag({ group_name: p.group, tag: [{ name: p.name }] });
    const tagId = group.tag[0]!.id;
    await this.post(this.xml.externalTag('create', tagId, 'tag'));
    return { tagId };
  }

  /** `msgId` lets the caller ask what became of the message (`GET /sandbox/api/trace?msgId=`). */
  async type(p: { userid: string; content: string }): Promise<Record<string, unknown>> {
    const item = this.deps.world.recordTyped(p.userid, p.content);
    const from = item.conversation.kind === 'app' ? item.conversation.userid : p.userid;
    const msgId = newMsgId();
    await this.post(this.xml.text(from, p.content, msgId));
    return { seq: item.seq, msgId };
  }

  async click(p: { userid: string; card: number; key: string; selected: Record<string, string[]> }): Promise<Record<string, unknown>> {
    const staff = this.deps.world.member(p.userid);
    const { item, responseCode, selected } = this.deps.world.click(p.card, staff.userid, p.key, p.selected);
    try {
      await this.post(
        this.xml.cardClick(staff.userid, { eventKey: p.key, taskId: String(item.card!.task_id ?? ''), cardType: item.card!.card_type, responseCode, selected }),
      );
    } catch (error) {
      // The app never got the click: the buttons must stay clickable, as WeCom would leave them.
      this.deps.world.unclick(item.seq);
      throw error;
    }
    return { card: item.seq, key: p.key };
  }

  /** `lead`: who gets the 离职继承 card (the page switches to them). */
  async leave(p: { userid: string }): Promise<Record<string, unknown>> {
    const team = this.deps.world.teamOf(p.userid);
    const gone = this.deps.world.leave(p.userid);
    await this.post(this.xml.changeContact('delete_user', gone.userid));
    return { userid: gone.userid, name: gone.name, lead: team && team.lead !== gone.userid.toLowerCase() ? team.lead : null };
  }

  async refuseTransfer(p: { customer: string }): Promise<Record<string, unknown>> {
    this.deps.world.refuseTransfer(p.customer);
    await this.deliverTransferEvents();
    return { customer: p.customer };
  }

  /** Due reminders and SOP steps run now, and every waiting transfer's 24 hours are up (its callbacks are sent). */
  async fireDue(): Promise<Record<string, unknown>> {
    const fired = await this.deps.fireDue();
    const transfers = this.deps.world.settleTransfers({ all: true });
    await this.deliverTransferEvents();
    this.deps.world.log(fired > 0 ? `立即触发了 ${fired} 个待发的提醒/SOP 步骤` : '没有待发的提醒或 SOP 步骤');
    return { fired, transfers };
  }

  /** The callbacks of settled transfers, in WeCom's order (the old member's delete before the new one's add). */
  private async deliverTransferEvents(): Promise<void> {
    for (const e of this.deps.world.drainTransferEvents()) {
      if (e.changeType === 'transfer_fail') {
        await this.post(this.xml.transferFail(e.userId, e.externalUserId, e.failReason!));
      } else {
        await this.post(this.xml.externalContact(e.changeType, { userId: e.userId, externalUserId: e.externalUserId, source: e.source }));
      }
    }
  }

  private post(plaintext: string): Promise<void> {
    return postCallback(this.deps.callbackUrl, this.deps.keys, plaintext);
  }
}
