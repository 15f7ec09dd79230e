import type { DataSource } from 'typeorm';
import { HandoverCustomer, type Leaver, type LeaverSource, Staff } from '../../../entities';
import dayjs from '../../platform/dayjs';
import { LEAVER_CLICK_TEXT, leaverAlreadyAssignedText, leaverAssignedText, leaverCard, type LeaverCardInput } from '../../../templates/cards/leaver.cards';
import { HANDOVER_TEXT, LEAVER_TEXT, groupTransferErrcodeText, handoverNotAllowed } from '../../../templates/handover.texts';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { LeaverHook } from '../capture';
import type { HandoverRuns } from './handover-runs.port';
import { HandoverScope } from './handover-scope';
import type { HandoverInput } from './handover.store';
import { LeaverStore, type RankedCustomer } from './leaver.store';
import type { LeaverApi } from './transfer-api.port';

/** 离职继承 as asked: on the card (the leaver's row id) or typed (the leaver by name); all to one teammate, evenly, or the card again. */
export interface LeaverRequest {
  sender: string;
  isAdmin: boolean;
  leaver: { id: number } | { name: string };
  mode: { kind: 'one'; to: string } | { kind: 'even' } | { kind: 'show' };
  /** the message's or click's key */
  sourceKey: string;
}

/** `label`: the greyed button's text (a click); `text`: the message (a command's reply, or after a click); or the card itself. */
export type LeaverAnswer = { kind: 'text'; label: string; text: string } | { kind: 'card'; card: TemplateCard };

export interface LeaverServiceDeps {
  dataSource: DataSource;
  api: LeaverApi;
  runs: HandoverRuns;
  outbound: OutboundService;
  /** lower-cased admin userids (CRM_ADMINS) */
  admins: readonly string[];
  timezone: string;
  now: () => Date;
  logger?: Logger;
}

/** WeCom moves at most this many groups a groupchat/transfer call. */
const GROUPS_A_CALL = 100;

const text = (label: string, message: string): LeaverAnswer => ({ kind: 'text', label, text: message });

/**
 * Handover after leaving (离职继承). A salesperson who left (the directory, a delete_user event, or
 * get_unassigned_list says so) is recorded once, and their lead gets one card: how many customers,
 * the most valuable first, and buttons to hand them all to one teammate or evenly across the team
 * (or the command 离职继承). The decision is taken once and starts one handover per new owner,
 * which the handover run submits (resigned/transfer_customer), polls and settles like any other;
 * the leaver's customer groups go to whoever receives the most customers. Until then the leaver's
 * reminders and SOP steps go to the lead (stand-in.ts).
 */
export class LeaverService {
  private readonly store: LeaverStore;
  private readonly scope: HandoverScope;

  constructor(private readonly deps: LeaverServiceDeps) {
    this.store = new LeaverStore(deps.dataSource);
    this.scope = new HandoverScope(deps.dataSource, deps.admins);
  }

  /** What capture's staff directory tells of a salesperson who left. */
  readonly hook: LeaverHook = { left: ({ userid, source, at }) => this.noticed({ userid, source, at }).then(() => undefined) };

  /**
   * A salesperson left: recorded once, and (`card`) their lead gets the card once — a redelivered
   * event, the next day's unassigned list or a retried job find the row and send nothing again.
   */
  async noticed(input: { userid: string; source: LeaverSource; at: Date; externalUserids?: string[] }, card = true): Promise<Leaver> {
    const userid = input.userid.toLowerCase();
    const customers = await this.store.rankedCustomers(userid, input.externalUserids);
    const standIn = await this.pickStandIn(userid);
    const { leaver, created } = await this.store.record({
      userid,
      standInUserid: standIn,
      source: input.source,
      empty: customers.length === 0,
      customers: customers.length,
      at: input.at,
    });
    if (created)
      this.deps.logger?.info({ userid, source: input.source, customers: customers.length }, 'a salesperson left: their lead is offered their customers');
    if (card && leaver.status === 'offered' && leaver.standInUserid) {
      const to = await this.staff(leaver.standInUserid);
      await this.deps.outbound.enqueue({
        channel: 'user',
        touser: to?.wecomUserid ?? leaver.standInUserid,
        message: { msgtype: 'template_card', template_card: await this.card(leaver, customers) },
        idempotencyKey: `leaver:${leaver.id}:card`,
      });
    }
    return leaver;
  }

  /** get_unassigned_list (daily): every leaver WeCom still holds customers of is noticed, with those customers. */
  async scan(): Promise<number> {
    const listed = await this.deps.api.unassignedCustomers();
    const byLeaver = new Map<string, string[]>();
    for (const row of listed) {
      const userid = row.handover_userid.toLowerCase();
      byLeaver.set(userid, [...(byLeaver.get(userid) ?? []), row.external_userid]);
    }
    const staff = this.deps.dataSource.getRepository(Staff);
    for (const [userid, externalUserids] of byLeaver) {
      // WeCom lists only members who left: the directory may not have caught up.
      await staff.update({ userid, active: true }, { active: false });
      await this.noticed({ userid, source: 'unassigned', at: this.deps.now(), externalUserids });
    }
    return byLeaver.size;
  }

  /** The lead's decision (a button, or 离职继承 typed), acted on once; a second one is told what the first decided. */
  async assign(request: LeaverRequest): Promise<LeaverAnswer> {
    const sender = request.sender.toLowerCase();
    const found = await this.leaverStaff(request.leaver);
    if ('kind' in found) return found;
    const name = found.name ?? found.userid;
    const scope = await this.scope.of(sender, request.isAdmin);
    if (!scope) return text(LEAVER_CLICK_TEXT.notAllowed, handoverNotAllowed(await this.scope.whoCan(sender), '离职继承'));
    if (!HandoverScope.includes(scope, found.userid)) return text(LEAVER_CLICK_TEXT.notAllowed, LEAVER_TEXT.notInTeam(name));
    if (found.active) return text(LEAVER_CLICK_TEXT.gone, LEAVER_TEXT.notLeft(name));
    const leaver = (await this.store.byUserid(found.userid)) ?? (await this.noticed({ userid: found.userid, source: 'command', at: this.deps.now() }, false));
    if (leaver.status === 'empty') return text(LEAVER_CLICK_TEXT.gone, LEAVER_TEXT.noCustomers(name));
    // Decided before: again only once every handover it started has its answer and some customers are still the leaver's.
    if (leaver.status === 'assigned' && !(await this.mayDecideAgain(leaver))) return this.alreadyAssigned(leaver, name);
    if (request.mode.kind === 'show') return { kind: 'card', card: await this.card(leaver) };

    const recipients = await this.recipients(leaver, request.mode, scope);
    if ('kind' in recipients) return recipients;
    const customers = await this.store.rankedCustomers(leaver.userid);
    if (customers.length === 0) return text(LEAVER_CLICK_TEXT.gone, LEAVER_TEXT.noCustomers(name));
    const now = this.deps.now();
    const shares = split(customers, recipients);
    const inputs: HandoverInput[] = shares.map((s) => ({
      kind: 'resigned',
      toUserid: s.to.userid,
      requestedBy: sender,
      sourceKey: `leaver:${leaver.id}:${leaver.rounds + 1}:${s.to.userid}`,
      customers: s.customers,
      startedAt: now,
    }));
    const decision = request.mode.kind === 'one' ? `one:${recipients[0]!.userid}` : 'even';
    const started = await this.store.decide(leaver.id, leaver.rounds, decision, sender, now, request.sourceKey, inputs);
    if (!started) return this.alreadyAssigned((await this.store.byId(leaver.id))!, name);
    for (const h of started) await this.deps.runs.schedule(h.id, 0);
    // The groups follow whoever receives the most customers (the first share: the split hands out the most valuable first).
    const groups = await this.moveGroups(leaver, shares[0]!.to, sender);
    return text(
      LEAVER_CLICK_TEXT.assigned,
      leaverAssignedText({ leaverName: name, shares: shares.map((s) => ({ name: s.to.name ?? s.to.userid, count: s.customers.length })), groups }),
    );
  }

  /** Every handover of the earlier decisions has settled, and WeCom left some customers with the leaver (refused, at the limit, never started). */
  private async mayDecideAgain(leaver: Leaver): Promise<boolean> {
    const handovers = await this.store.handoversOf(leaver.id);
    if (handovers.some((h) => h.status === 'started' || h.status === 'proposed')) return false;
    return (await this.store.rankedCustomers(leaver.userid)).length > 0;
  }

  /** The decision was taken before: resumes what a crash may have left undone (the runs, the groups), and says what was decided. */
  private async alreadyAssigned(leaver: Leaver, name: string): Promise<LeaverAnswer> {
    const handovers = await this.store.handoversOf(leaver.id);
    for (const h of handovers.filter((h) => h.status === 'started')) await this.deps.runs.schedule(h.id, 0);
    const staff = await this.staffMap([...handovers.map((h) => h.toUserid), leaver.decidedBy ?? '']);
    if (!leaver.groupsMovedAt && handovers[0]) {
      const owner = staff.get(handovers[0].toUserid);
      if (owner) await this.moveGroups(leaver, owner, leaver.decidedBy ?? 'system');
    }
    const rows = this.deps.dataSource.getRepository(HandoverCustomer);
    const counts = new Map(await Promise.all(handovers.map(async (h) => [h.id, await rows.countBy({ handoverId: h.id })] as const)));
    const count = (id: number) => counts.get(id) ?? 0;
    const shares = handovers.map((h) => ({ name: staff.get(h.toUserid)?.name ?? h.toUserid, count: count(h.id) }));
    const by = leaver.decidedBy ? (staff.get(leaver.decidedBy)?.name ?? leaver.decidedBy) : '主管';
    return text(LEAVER_CLICK_TEXT.alreadyAssigned, leaverAlreadyAssignedText(name, by, shares));
  }

  /** All to one (active, on the sender's teams, not the leaver), or the leaver's active teammates (the lead only when nobody else is left). */
  private async recipients(
    leaver: Leaver,
    mode: { kind: 'one'; to: string } | { kind: 'even' },
    scope: { members: ReadonlySet<string> | null },
  ): Promise<Staff[] | LeaverAnswer> {
    const leaverName = (await this.staff(leaver.userid))?.name ?? leaver.userid;
    if (mode.kind === 'one') {
      const found = await this.scope.findStaff(mode.to);
      if (found.kind === 'none') return text(LEAVER_CLICK_TEXT.nobody, HANDOVER_TEXT.noSalesperson(mode.to));
      if (found.kind === 'many') return text(LEAVER_CLICK_TEXT.nobody, HANDOVER_TEXT.severalSalespeople(mode.to, found.options));
      const to = found.staff;
      if (to.userid === leaver.userid || !to.active) return text(LEAVER_CLICK_TEXT.nobody, LEAVER_TEXT.toLeaver(to.name ?? to.userid));
      if (!HandoverScope.includes(scope, to.userid)) return text(LEAVER_CLICK_TEXT.notAllowed, HANDOVER_TEXT.notInTeam(to.name ?? to.userid));
      return [to];
    }
    const team = await this.store.teamOf(leaver.userid);
    const active = (team?.members ?? []).filter((m) => m.active && m.userid !== leaver.userid);
    const sellers = active.filter((m) => m.userid !== team?.team.leadUserid?.toLowerCase());
    const lead = active.find((m) => m.userid === team?.team.leadUserid?.toLowerCase());
    const pool = sellers.length > 0 ? sellers : lead ? [lead] : [];
    return pool.length > 0 ? pool : text(LEAVER_CLICK_TEXT.nobody, LEAVER_TEXT.nobody(leaverName));
  }

  /** The leaver's customer groups to `owner` (groupchat/transfer, 100 a call), once per leaver. */
  private async moveGroups(
    leaver: Leaver,
    owner: Staff,
    actor: string,
  ): Promise<{ moved: number; failed: number; ownerName: string | null; reasons: string[] }> {
    const ownerName = owner.name ?? owner.userid;
    if (leaver.groupsMovedAt) return { moved: 0, failed: 0, ownerName, reasons: [] };
    const groups = await this.store.groupsOf(leaver.userid);
    const failed: Array<{ chatId: string; errcode: number }> = [];
    let moved = 0;
    for (let i = 0; i < groups.length; i += GROUPS_A_CALL) {
      const ids = groups.slice(i, i + GROUPS_A_CALL).map((g) => g.chatId);
      let refused: Array<{ chatId: string; errcode: number }>;
      try {
        const answer = await this.deps.api.transferGroupChats({ chat_id_list: ids, new_owner: owner.wecomUserid });
        refused = (answer.failed_chat_list ?? []).map((f) => ({ chatId: f.chat_id, errcode: f.errcode }));
      } catch (error) {
        if (!(error instanceof WecomApiError) || error.errcode === null || error.retryable) throw error;
        refused = ids.map((chatId) => ({ chatId, errcode: error.errcode! }));
      }
      const refusedIds = new Set(refused.map((f) => f.chatId));
      const done = ids.filter((id) => !refusedIds.has(id));
      await this.store.setGroupOwner(done, owner.userid);
      moved += done.length;
      failed.push(...refused);
    }
    await this.store.groupsMoved(leaver.id, this.deps.now(), actor, { to: owner.userid, moved, failed });
    const reasons = [...new Set(failed.map((f) => groupTransferErrcodeText(f.errcode)))];
    return { moved, failed: failed.length, ownerName, reasons };
  }

  /** The card (the lead's first, and 离职继承 <name> again): the customers most valuable first, and who can take them. */
  private async card(leaver: Leaver, ranked?: RankedCustomer[]): Promise<TemplateCard> {
    const customers = ranked ?? (await this.store.rankedCustomers(leaver.userid));
    const me = await this.staff(leaver.userid);
    const team = await this.store.teamOf(leaver.userid);
    const lead = team?.team.leadUserid?.toLowerCase();
    const mates = (team?.members ?? []).filter((m) => m.active && m.userid !== leaver.userid);
    // teammates first, the lead last: a lead usually hands customers on rather than keeps them
    const teammates = [...mates.filter((m) => m.userid !== lead), ...mates.filter((m) => m.userid === lead)];
    const input: LeaverCardInput = {
      leaverId: leaver.id,
      leaverName: me?.name ?? leaver.userid,
      customers: customers.map((c) => ({
        name: c.name,
        openAmount: c.openAmount,
        lastFollowUp: c.lastFollowUpAt ? dayjs(c.lastFollowUpAt).tz(this.deps.timezone).format('M/D') : null,
      })),
      total: customers.length,
      openOpportunities: customers.reduce((n, c) => n + c.openOpportunities, 0),
      openAmount: customers.reduce((n, c) => n + c.openAmount, 0),
      openReminders: await this.store.openReminders(leaver.userid),
      groups: (await this.store.groupsOf(leaver.userid)).length,
      teammates: teammates.map((m) => ({ userid: m.userid, name: m.name ?? m.userid })),
    };
    return leaverCard(input);
  }

  /** Who receives the card and, meanwhile, the leaver's reminders: their team's lead (active, not the leaver), else the first admin. */
  private async pickStandIn(userid: string): Promise<string | null> {
    const team = await this.store.teamOf(userid);
    const lead = team?.team.leadUserid?.toLowerCase();
    if (lead && lead !== userid && (await this.staff(lead))?.active !== false) return lead;
    return this.deps.admins.find((a) => a !== userid) ?? null;
  }

  private async leaverStaff(ref: LeaverRequest['leaver']): Promise<Staff | LeaverAnswer> {
    if ('id' in ref) {
      const leaver = await this.store.byId(ref.id);
      const staff = leaver ? await this.staff(leaver.userid) : null;
      return staff ?? text(LEAVER_CLICK_TEXT.gone, LEAVER_CLICK_TEXT.gone);
    }
    const found = await this.scope.findStaff(ref.name);
    if (found.kind === 'none') return text(LEAVER_CLICK_TEXT.gone, HANDOVER_TEXT.noSalesperson(ref.name));
    if (found.kind === 'many') return text(LEAVER_CLICK_TEXT.gone, HANDOVER_TEXT.severalSalespeople(ref.name, found.options));
    return found.staff;
  }

  private staff(userid: string): Promise<Staff | null> {
    return this.deps.dataSource.getRepository(Staff).findOneBy({ userid: userid.toLowerCase() });
  }

  private async staffMap(userids: string[]): Promise<Map<string, Staff>> {
    const map = new Map<string, Staff>();
    for (const userid of new Set(userids.filter(Boolean))) {
      const s = await this.staff(userid);
      if (s) map.set(userid, s);
    }
    return map;
  }
}

/**
 * Customers (most valuable first) dealt out in turn, so each new owner gets a fair share of the
 * valuable ones; the first gets the most when they do not divide evenly. Deterministic. Pure.
 */
export function split<C, P>(customers: C[], people: P[]): Array<{ to: P; customers: C[] }> {
  const shares = people.map((to) => ({ to, customers: [] as C[] }));
  for (const [i, c] of customers.entries()) shares[i % shares.length]!.customers.push(c);
  return shares.filter((s) => s.customers.length > 0);
}
