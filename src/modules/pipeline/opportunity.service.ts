import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, Customer, type CustomerStage, Opportunity, StageChange } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';
import { pickOpen } from './pick-open';
import { type OpportunitySnapshot, recordChange, snapshotOf } from './opportunity-snapshot';

export type CloseOutcome = 'won' | 'lost';

/** What 商机 did: created one, updated the open one it names, or could not tell which (`names`). */
export type RecordResult =
  | { kind: 'created' | 'updated'; opportunity: Opportunity; previous: OpportunitySnapshot | null }
  | { kind: 'ambiguous'; names: string[] }
  /** the opportunity `opportunityId` named is closed (or gone) */
  | { kind: 'gone' };

/** What 赢单/输单 did; `stage` is the customer's move it made (赢单 → 成交, the last one lost → 流失). */
export type CloseResult =
  | { kind: 'closed'; opportunity: Opportunity; previous: OpportunitySnapshot | null; stage: { from: CustomerStage; to: CustomerStage } | null }
  | { kind: 'none' }
  | { kind: 'ambiguous'; names: string[] };

/** A stage after which an open opportunity still makes sense: moved forward only from these. */
const BEFORE_OPPORTUNITY: CustomerStage[] = ['lead', 'prospect'];

/**
 * 商机, 赢单 and 输单: a customer's opportunities, each open until it is won or lost. A change writes
 * its history entry (opportunity_changes) and its audit row (what 撤销 puts back) in one
 * transaction; the same message handled twice writes once.
 */
export class OpportunityService {
  constructor(private readonly dataSource: DataSource) {}

  /** The customer's open opportunities, oldest first. */
  open(customerId: number, m: EntityManager = this.dataSource.manager): Promise<Opportunity[]> {
    return m.getRepository(Opportunity).find({ where: { customerId, status: 'open' }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Creates the customer's opportunity, or updates the open one `name` names (no name: the one without
   * a name, else the only one). A probability or close date left out keeps the one recorded.
   */
  async record(input: {
    customer: Customer;
    staffUserid: string;
    /** this one (a card's button), instead of the one `name` picks */
    opportunityId?: number;
    name: string | null;
    amount: number;
    probability: number | null;
    expectedCloseAt: Date | null;
    sourceKey: string;
    now: Date;
  }): Promise<RecordResult> {
    const { value } = await writeOnce<RecordResult>(
      this.dataSource,
      async (m) => {
        const picked = pickOpen(await this.open(input.customer.id, m), input.name, input.opportunityId);
        if (picked.kind === 'ambiguous') return picked;
        if (picked.kind === 'none' && input.opportunityId !== undefined) return { kind: 'gone' };
        if (picked.kind === 'none') return { kind: 'created', opportunity: await this.create(m, input), previous: null };
        const opportunity = picked.opportunity;
        const previous = snapshotOf(opportunity);
        opportunity.amount = input.amount;
        if (input.probability !== null) opportunity.probability = input.probability;
        if (input.expectedCloseAt !== null) opportunity.expectedCloseAt = input.expectedCloseAt;
        await m.getRepository(Opportunity).save(opportunity);
        await recordChange(m, opportunity, { kind: 'update', staffUserid: input.staffUserid, sourceKey: input.sourceKey, at: input.now });
        await audit(m, {
          actor: input.staffUserid,
          action: 'opportunity.update',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { opportunityId: opportunity.id, previous },
          sourceKey: input.sourceKey,
          at: input.now,
        });
        return { kind: 'updated', opportunity, previous };
      },
      () => this.recorded(input.sourceKey),
    );
    return value;
  }

  /**
   * 赢单 / 输单: closes the open opportunity `name` names (as `record` picks it). 赢单 with an amount
   * and nothing open records the deal as won at once; 赢单 moves the customer to 成交, and the last
   * open one lost moves a customer still in the funnel to 流失.
   */
  async close(input: {
    customer: Customer;
    staffUserid: string;
    outcome: CloseOutcome;
    /** this one (a card's button), instead of the one `name` picks; closed already: none */
    opportunityId?: number;
    name: string | null;
    amount: number | null;
    reason: string | null;
    sourceKey: string;
    now: Date;
  }): Promise<CloseResult> {
    const { value } = await writeOnce<CloseResult>(
      this.dataSource,
      async (m) => {
        const open = await this.open(input.customer.id, m);
        const picked = pickOpen(open, input.name, input.opportunityId);
        if (picked.kind === 'ambiguous') return picked;
        if (picked.kind === 'none' && !(input.outcome === 'won' && input.amount !== null && input.opportunityId === undefined)) return { kind: 'none' };
        const created =
          picked.kind === 'none'
            ? await this.create(m, {
                ...input,
                amount: input.amount!,
                probability: null,
                expectedCloseAt: null,
                moveStage: false,
                sourceKey: `${input.sourceKey}:new`,
              })
            : null;
        const opportunity = created ?? (picked as { opportunity: Opportunity }).opportunity;
        const previous = created ? null : snapshotOf(opportunity);
        await closeOne(m, opportunity, {
          outcome: input.outcome,
          amount: input.amount,
          reason: input.reason,
          staffUserid: input.staffUserid,
          sourceKey: input.sourceKey,
          now: input.now,
        });
        const othersOpen = open.some((o) => o.id !== opportunity.id);
        const from = input.customer.stage;
        const to: CustomerStage | null =
          input.outcome === 'won' ? (from === 'won' ? null : 'won') : othersOpen || from === 'won' || from === 'lost' ? null : 'lost';
        if (to) await moveStage(m, input.customer, to, input.staffUserid, `${input.sourceKey}:stage`, input.now);
        await audit(m, {
          actor: input.staffUserid,
          action: 'opportunity.close',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { opportunityId: opportunity.id, outcome: input.outcome, previous, previousStage: from, stageMoved: to !== null },
          sourceKey: input.sourceKey,
          at: input.now,
        });
        return { kind: 'closed', opportunity, previous, stage: to ? { from, to } : null };
      },
      () => this.closed(input.sourceKey),
    );
    return value;
  }

  /** One opportunity with its customer, when `viewer` may act on it (their own; an admin any). */
  async own(opportunityId: number, viewer: { userid: string; isAdmin: boolean }): Promise<(Opportunity & { customer: Customer }) | null> {
    const o = await this.dataSource.getRepository(Opportunity).findOne({ where: { id: opportunityId }, relations: { customer: true } });
    return o && (viewer.isAdmin || o.staffUserid === viewer.userid) ? (o as Opportunity & { customer: Customer }) : null;
  }

  /** The opportunities a stage move (阶段 成交/流失, message `sourceKey`) closed, for its answer. */
  async closedByStageMove(sourceKey: string): Promise<Opportunity[]> {
    const entry = await this.dataSource.getRepository(AuditLog).findOneBy({ sourceKey, action: 'stage.change' });
    const closed = (entry?.detail?.closedOpportunities as Array<{ id: number }> | undefined) ?? [];
    if (!closed.length) return [];
    return this.dataSource.getRepository(Opportunity).find({ where: closed.map((c) => ({ id: Number(c.id) })), order: { id: 'ASC' } });
  }

  private async create(
    m: EntityManager,
    input: {
      customer: Customer;
      staffUserid: string;
      name: string | null;
      amount: number;
      probability: number | null;
      expectedCloseAt: Date | null;
      sourceKey: string;
      now: Date;
      moveStage?: boolean;
    },
  ): Promise<Opportunity> {
    const opportunity = await m.getRepository(Opportunity).save({
      customerId: input.customer.id,
      staffUserid: input.staffUserid,
      name: input.name,
      amount: input.amount,
      probability: input.probability,
      expectedCloseAt: input.expectedCloseAt,
      status: 'open',
      sourceKey: input.sourceKey,
      closedAt: null,
      closeReason: null,
      createdAt: input.now,
    });
    await recordChange(m, opportunity, { kind: 'create', staffUserid: input.staffUserid, sourceKey: input.sourceKey, at: input.now });
    if (input.moveStage === false) return opportunity;
    const previousStage = input.customer.stage;
    // An opportunity means the customer reached 商机: the funnel history records the move too.
    if (BEFORE_OPPORTUNITY.includes(previousStage)) await moveStage(m, input.customer, 'opportunity', input.staffUserid, `${input.sourceKey}:stage`, input.now);
    await audit(m, {
      actor: input.staffUserid,
      action: 'opportunity.create',
      targetType: 'customer',
      targetId: input.customer.id,
      detail: { opportunityId: opportunity.id, previousStage },
      sourceKey: input.sourceKey,
      at: input.now,
    });
    return opportunity;
  }

  /** What the first handling of message `sourceKey` recorded (a redelivery answers the same). */
  private async recorded(sourceKey: string): Promise<RecordResult | null> {
    const entry = await this.dataSource.getRepository(AuditLog).findOneBy({ sourceKey });
    if (!entry || !String(entry.action).startsWith('opportunity.')) return null;
    const opportunity = await this.dataSource.getRepository(Opportunity).findOneBy({ id: Number(entry.detail?.opportunityId) });
    if (!opportunity) return null;
    const previous = (entry.detail?.previous as OpportunitySnapshot | undefined) ?? null;
    return { kind: entry.action === 'opportunity.create' ? 'created' : 'updated', opportunity, previous };
  }

  private async closed(sourceKey: string): Promise<CloseResult | null> {
    const entry = await this.dataSource.getRepository(AuditLog).findOneBy({ sourceKey, action: 'opportunity.close' });
    const opportunity = entry ? await this.dataSource.getRepository(Opportunity).findOneBy({ id: Number(entry.detail?.opportunityId) }) : null;
    if (!entry || !opportunity) return null;
    const from = entry.detail?.previousStage as CustomerStage;
    const to = entry.detail?.stageMoved ? (entry.detail.outcome === 'won' ? 'won' : 'lost') : null;
    return { kind: 'closed', opportunity, previous: (entry.detail?.previous as OpportunitySnapshot | null) ?? null, stage: to ? { from, to } : null };
  }
}

/** Closes one opportunity in the caller's transaction: its status, when, why, the amount won; and its history entry. */
export async function closeOne(
  m: EntityManager,
  opportunity: Opportunity,
  input: { outcome: CloseOutcome; amount: number | null; reason: string | null; staffUserid: string | null; sourceKey: string; now: Date },
): Promise<void> {
  opportunity.status = input.outcome;
  opportunity.closedAt = input.now;
  opportunity.closeReason = input.reason;
  if (input.amount !== null) opportunity.amount = input.amount;
  await m.getRepository(Opportunity).save(opportunity);
  await recordChange(m, opportunity, { kind: input.outcome, staffUserid: input.staffUserid, sourceKey: input.sourceKey, at: input.now });
}

async function moveStage(m: EntityManager, customer: Customer, to: CustomerStage, staffUserid: string, sourceKey: string, now: Date): Promise<void> {
  await m.getRepository(StageChange).save({ customerId: customer.id, fromStage: customer.stage, toStage: to, staffUserid, sourceKey });
  await m.getRepository(Customer).update({ id: customer.id }, { stage: to, stageChangedAt: now });
}
