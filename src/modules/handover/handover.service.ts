import type { DataSource } from 'typeorm';
import type { Handover } from '../../../entities';
import { formatChineseDateTime } from '../../../templates/format-date';
import { HANDOVER_CLICK_TEXT, handoverConfirmCard, handoverResultCard, handoverStartedText } from '../../../templates/cards/handover.cards';
import { HANDOVER_TEXT, handoverNotAllowed, transferSuccessMessage } from '../../../templates/handover.texts';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { AppMessage, TemplateCard } from '../../platform/wecom/api/wecom-api.types';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { HandoverRuns } from './handover-runs.port';
import { HandoverScope, type Scope } from './handover-scope';
import { HandoverStore, type Movable } from './handover.store';
import { takeOver } from './takeover.store';
import type { LeaverApi, TransferApi } from './transfer-api.port';
import type { TransferHook } from '../capture';
import { type LeaverAnswer, type LeaverRequest, LeaverService } from './leaver.service';
import { tellNewOwner } from './new-owner-cards';

/** 转接 as typed: named customers, or all of one salesperson's (`from`; the sender's own when neither is given), to `to`. */
export interface HandoverRequest {
  sender: string;
  isAdmin: boolean;
  customers: string[] | null;
  from: string | null;
  to: string;
  /** the one customer picked from a 「回复数字选择」 list, instead of `customers` by name */
  customerId?: number;
  /** the message's key: a redelivered message proposes once */
  sourceKey: string;
}

/** `ambiguous`: a name matched several customers (the command may offer them as a numbered list). */
export type ProposeAnswer = { kind: 'problem'; text: string; ambiguous?: boolean } | { kind: 'proposal'; card: TemplateCard };

export interface HandoverClick {
  handoverId: number;
  clicker: string;
  sourceKey: string;
}

/** What the bot may ask of handovers (BotServices.handover). */
export interface HandoverRequests {
  propose(request: HandoverRequest): Promise<ProposeAnswer>;
  /** the greyed button's new label */
  confirm(click: HandoverClick): Promise<string>;
  cancel(click: HandoverClick): Promise<string>;
  /** 离职继承: a leaver's customers to one teammate or evenly (the card's buttons, or the command), or their card again */
  assignLeaver(request: LeaverRequest): Promise<LeaverAnswer>;
}

export interface HandoverServiceDeps {
  dataSource: DataSource;
  api: TransferApi & LeaverApi;
  runs: HandoverRuns;
  outbound: OutboundService;
  /** lower-cased admin userids (CRM_ADMINS) */
  admins: readonly string[];
  timezone: string;
  now: () => Date;
  logger?: Logger;
}

/** WeCom takes at most this many customers a transfer call. */
export const TRANSFER_BATCH = 100;
/** A waiting transfer is read again after its takeover time, at most this long after the last read. */
const MAX_POLL_MS = 6 * 3600_000;
const MIN_POLL_MS = 60_000;

type Problem = { kind: 'problem'; text: string; ambiguous?: boolean };
const problem = (text: string): Problem => ({ kind: 'problem', text });

/**
 * Handover while employed (在职转接): a lead or admin proposes, confirms on a card, and the run
 * (handover-run.job.ts) submits the customers to WeCom 100 at a time and reads transfer_result until
 * each has an answer; the lead is told how it ended.
 */
export class HandoverService implements HandoverRequests {
  private readonly store: HandoverStore;
  private readonly scope: HandoverScope;
  /** 离职继承: the leaver's card, the lead's decision, the unassigned-list scan (its handovers run here like any other) */
  readonly leavers: LeaverService;

  constructor(private readonly deps: HandoverServiceDeps) {
    this.store = new HandoverStore(deps.dataSource);
    this.scope = new HandoverScope(deps.dataSource, deps.admins);
    this.leavers = new LeaverService(deps);
  }

  assignLeaver(request: LeaverRequest): Promise<LeaverAnswer> {
    return this.leavers.assign(request);
  }

  async propose(request: HandoverRequest): Promise<ProposeAnswer> {
    const sender = request.sender.toLowerCase();
    const scope = await this.scope.of(sender, request.isAdmin);
    if (!scope) return problem(handoverNotAllowed(await this.scope.whoCan(sender)));
    const to = await this.person(request.to, scope);
    if ('kind' in to) return to;
    if (!to.active) return problem(HANDOVER_TEXT.inactive(to.name ?? to.userid));
    const movable = await this.movable(request, sender, scope);
    if (!('length' in movable)) return movable;
    const moving = movable.filter((c) => c.fromUserid !== to.userid);
    if (moving.length === 0) return problem(HANDOVER_TEXT.sameOwner(to.name ?? to.userid));
    const handover = await this.store.propose({ kind: 'onjob', toUserid: to.userid, requestedBy: sender, sourceKey: request.sourceKey, customers: moving });
    return { kind: 'proposal', card: await this.proposalCard(handover) };
  }

  async confirm(click: HandoverClick): Promise<string> {
    const handover = await this.store.handover(click.handoverId);
    const refused = this.refusedClick(handover, click);
    if (refused) return refused;
    if (!(await this.store.advance(handover!.id, 'proposed', 'started', this.deps.now(), click.clicker, click.sourceKey))) {
      const now = await this.store.handover(handover!.id);
      return now?.status === 'cancelled' ? HANDOVER_CLICK_TEXT.alreadyCancelled : HANDOVER_CLICK_TEXT.alreadyConfirmed;
    }
    await this.deps.runs.schedule(handover!.id, 0);
    return HANDOVER_CLICK_TEXT.confirmed;
  }

  async cancel(click: HandoverClick): Promise<string> {
    const handover = await this.store.handover(click.handoverId);
    const refused = this.refusedClick(handover, click);
    if (refused) return refused;
    if (await this.store.advance(handover!.id, 'proposed', 'cancelled', this.deps.now(), click.clicker, click.sourceKey)) return HANDOVER_CLICK_TEXT.cancelled;
    const now = await this.store.handover(handover!.id);
    return now?.status === 'cancelled' ? HANDOVER_CLICK_TEXT.alreadyCancelled : HANDOVER_CLICK_TEXT.alreadyConfirmed;
  }

  /** One step of a confirmed handover (the job): submit what is not submitted, read what waits, and settle when nothing does. */
  async run(handoverId: number): Promise<void> {
    const handover = await this.store.handover(handoverId);
    if (handover?.status !== 'started') return;
    await this.submit(handover);
    const earliest = await this.poll(handover);
    if (earliest !== null) {
      const wait = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, earliest - this.deps.now().getTime() + MIN_POLL_MS));
      await this.deps.runs.schedule(handover.id, wait);
      return;
    }
    if (await this.store.advance(handover.id, 'started', 'settled', this.deps.now(), 'system')) await this.tellOutcome(handover);
  }

  /** What capture tells of WeCom's transfer events: the customer moves (or stays) at once, and the run looks whether the handover is settled. */
  readonly transferHook: TransferHook = {
    transferred: async ({ externalUserid, userid, at }) => {
      for (const { row, handover } of await this.store.waitingFor(externalUserid, { from: userid.toLowerCase() })) {
        if (await takeOver(this.deps.dataSource, row, handover, at)) await this.deps.runs.schedule(handover.id, 0);
      }
    },
    failed: async ({ externalUserid, userid, reason, at }) => {
      for (const { row, handover } of await this.store.waitingFor(externalUserid, { to: userid.toLowerCase() })) {
        if (await this.store.answer([row.id], 'waiting', reason === 'customer_limit_exceed' ? 'limit' : 'refused', at))
          await this.deps.runs.schedule(handover.id, 0);
      }
    },
  };

  private refusedClick(handover: Handover | null, click: HandoverClick): string | null {
    if (!handover) return HANDOVER_CLICK_TEXT.gone;
    // The card went to the one who asked: a forwarded card is not someone else's confirmation.
    if (handover.requestedBy !== click.clicker.toLowerCase()) return HANDOVER_CLICK_TEXT.notYours;
    return null;
  }

  private async person(text: string, scope: Scope) {
    const found = await this.scope.findStaff(text);
    if (found.kind === 'none') return problem(HANDOVER_TEXT.noSalesperson(text));
    if (found.kind === 'many') return problem(HANDOVER_TEXT.severalSalespeople(text, found.options));
    if (!HandoverScope.includes(scope, found.staff.userid)) return problem(HANDOVER_TEXT.notInTeam(found.staff.name ?? text));
    return found.staff;
  }

  private async movable(request: HandoverRequest, sender: string, scope: Scope): Promise<Movable[] | Problem> {
    if (request.customers === null) {
      const from = request.from ? await this.person(request.from, scope) : { userid: sender, name: null as string | null };
      if ('kind' in from) return from;
      const all = await this.store.customersOf(from.userid);
      return all.length > 0 ? all : problem(HANDOVER_TEXT.noCustomers(from.name ?? from.userid));
    }
    if (request.customerId !== undefined) {
      const chosen = await this.store.customerFollowed(request.customerId, scope.members);
      return chosen ? [chosen] : problem(HANDOVER_TEXT.noCustomer(request.customers[0] ?? ''));
    }
    const picked = new Map<number, Movable>();
    for (const name of request.customers) {
      const rows = await this.store.customersNamed(name, scope.members);
      const distinct = [...new Map(rows.map((r) => [r.customerId, r])).values()];
      if (distinct.length === 0) return problem(HANDOVER_TEXT.noCustomer(name));
      if (distinct.length > 1) {
        const owners = await this.store.staff([...new Set(distinct.map((r) => r.fromUserid))]);
        const options = distinct.slice(0, 5).map((r) => `${r.name}（${owners.get(r.fromUserid)?.name ?? r.fromUserid}的）`);
        return { ...problem(HANDOVER_TEXT.severalCustomers(name, options, request.customers.length === 1)), ambiguous: true };
      }
      picked.set(distinct[0]!.customerId, distinct[0]!);
    }
    return [...picked.values()];
  }

  private async proposalCard(handover: Handover): Promise<TemplateCard> {
    const rows = await this.store.customers(handover.id);
    const owners = [...new Set(rows.map((r) => r.fromUserid))];
    const staff = await this.store.staff([...owners, handover.toUserid]);
    const nameOf = (userid: string) => staff.get(userid)?.name ?? userid;
    const counts = await this.store.counts(
      rows.map((r) => r.customerId),
      owners,
    );
    return handoverConfirmCard({
      handoverId: handover.id,
      toName: nameOf(handover.toUserid),
      from: owners.map((o) => ({ name: nameOf(o), count: rows.filter((r) => r.fromUserid === o).length })),
      customerNames: rows.map((r) => r.name),
      total: rows.length,
      ...counts,
    });
  }

  /** Submits the customers not yet submitted, 100 a call per owner; tells the lead what started once the last batch is in. */
  private async submit(handover: Handover): Promise<void> {
    const pending = await this.store.customers(handover.id, 'proposed');
    if (pending.length === 0) return;
    const staff = await this.store.staff([handover.toUserid, ...new Set(pending.map((p) => p.fromUserid))]);
    const wecomId = (userid: string) => staff.get(userid)?.wecomUserid ?? userid;
    const toName = staff.get(handover.toUserid)?.name ?? handover.toUserid;
    const now = this.deps.now();
    for (const owner of new Set(pending.map((p) => p.fromUserid))) {
      const mine = pending.filter((p) => p.fromUserid === owner);
      for (let i = 0; i < mine.length; i += TRANSFER_BATCH) {
        const batch = mine.slice(i, i + TRANSFER_BATCH);
        const answers = await this.transfer(handover, wecomId(owner), wecomId(handover.toUserid), batch, toName);
        const byErrcode = new Map<number, number[]>();
        for (const row of batch) {
          const errcode = answers.get(row.externalUserid) ?? 40096;
          byErrcode.set(errcode, [...(byErrcode.get(errcode) ?? []), row.id]);
        }
        for (const [errcode, ids] of byErrcode) {
          await this.store.answer(ids, 'proposed', errcode === 0 ? 'waiting' : 'failed', now, errcode === 0 ? null : errcode);
        }
      }
    }
    const rows = await this.store.customers(handover.id);
    const failed = rows.filter((r) => r.status === 'failed').map((r) => ({ name: r.name, errcode: r.errcode ?? 0 }));
    await this.tell(handover, { msgtype: 'text', text: { content: handoverStartedText({ toName, started: rows.length - failed.length, failed }) } }, 'started');
  }

  /** One call: each customer's errcode; a refusal of the whole call (a member WeCom will not take) is every customer's. */
  private async transfer(handover: Handover, from: string, to: string, batch: Array<{ externalUserid: string }>, toName: string): Promise<Map<string, number>> {
    const request = { handover_userid: from, takeover_userid: to, external_userid: batch.map((b) => b.externalUserid) };
    try {
      const answer =
        handover.kind === 'resigned'
          ? await this.deps.api.resignedTransferCustomer(request)
          : await this.deps.api.transferCustomer({ ...request, transfer_success_msg: transferSuccessMessage(toName) });
      return new Map((answer.customer ?? []).map((c) => [c.external_userid, c.errcode]));
    } catch (error) {
      if (error instanceof WecomApiError && error.errcode !== null && !error.retryable) return new Map(batch.map((b) => [b.externalUserid, error.errcode!]));
      throw error;
    }
  }

  /** Reads transfer_result for each owner with customers waiting; the earliest takeover time still ahead (null: none waits). */
  private async poll(handover: Handover): Promise<number | null> {
    const waiting = await this.store.customers(handover.id, 'waiting');
    if (waiting.length === 0) return null;
    const staff = await this.store.staff([handover.toUserid, ...new Set(waiting.map((w) => w.fromUserid))]);
    const wecomId = (userid: string) => staff.get(userid)?.wecomUserid ?? userid;
    const now = this.deps.now();
    let earliest: number | null = null;
    for (const owner of new Set(waiting.map((w) => w.fromUserid))) {
      const results = await this.deps.api.transferResults(
        { handover_userid: wecomId(owner), takeover_userid: wecomId(handover.toUserid) },
        handover.kind === 'resigned',
      );
      const byCustomer = new Map(results.map((r) => [r.external_userid, r]));
      const ended: Record<'refused' | 'limit', number[]> = { refused: [], limit: [] };
      for (const row of waiting.filter((w) => w.fromUserid === owner)) {
        const result = byCustomer.get(row.externalUserid);
        if (result?.status === 1) await takeOver(this.deps.dataSource, row, handover, now);
        else if (result?.status === 3) ended.refused.push(row.id);
        else if (result?.status === 4) ended.limit.push(row.id);
        else earliest = Math.min(earliest ?? Number.POSITIVE_INFINITY, (result?.takeover_time ?? 0) * 1000);
      }
      for (const status of ['refused', 'limit'] as const) await this.store.answer(ended[status], 'waiting', status, now);
    }
    return earliest;
  }

  private async tellOutcome(handover: Handover): Promise<void> {
    const rows = await this.store.customers(handover.id);
    const staff = await this.store.staff([handover.toUserid, ...new Set(rows.map((r) => r.fromUserid))]);
    const names = (status: string) => rows.filter((r) => r.status === status).map((r) => r.name);
    const leaver = handover.kind === 'resigned' && rows[0] ? staff.get(rows[0].fromUserid) : undefined;
    const card = handoverResultCard({
      toName: staff.get(handover.toUserid)?.name ?? handover.toUserid,
      done: names('done').length,
      refused: names('refused'),
      limit: names('limit'),
      failed: rows.filter((r) => r.status === 'failed').map((r) => ({ name: r.name, errcode: r.errcode ?? 0 })),
      at: formatChineseDateTime(this.deps.now(), this.deps.timezone, this.deps.now()),
      leaverName: leaver ? (leaver.name ?? leaver.userid) : undefined,
    });
    await this.tell(handover, { msgtype: 'template_card', template_card: card }, 'result');
    const owners = await this.store.staff([handover.toUserid, ...new Set(rows.map((r) => r.fromUserid))]);
    await tellNewOwner(
      this.deps,
      handover,
      rows.filter((r) => r.status === 'done'),
      (userid) => owners.get(userid)?.name ?? userid,
      owners.get(handover.toUserid)?.wecomUserid ?? handover.toUserid,
    );
  }

  /** To the lead who asked, once per handover and `what` (a retried run sends nothing twice). */
  private async tell(handover: Handover, message: AppMessage, what: string): Promise<void> {
    const lead = (await this.store.staff([handover.requestedBy])).get(handover.requestedBy);
    await this.deps.outbound.enqueue({
      channel: 'user',
      touser: lead?.wecomUserid ?? handover.requestedBy,
      message,
      idempotencyKey: `handover:${handover.id}:${what}`,
    });
  }
}
