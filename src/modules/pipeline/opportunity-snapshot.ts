import type { EntityManager } from 'typeorm';
import { Opportunity, OpportunityChange, type OpportunityStatus } from '../../../entities';

/** An opportunity's figures as they stood before a change (kept in the audit row, so 撤销 can put them back). */
export interface OpportunitySnapshot {
  name: string | null;
  amount: number;
  probability: number | null;
  /** ISO instant */
  expectedCloseAt: string | null;
  status: OpportunityStatus;
  closedAt: string | null;
  closeReason: string | null;
}

export function snapshotOf(o: Opportunity): OpportunitySnapshot {
  return {
    name: o.name,
    amount: o.amount,
    probability: o.probability,
    expectedCloseAt: o.expectedCloseAt?.toISOString() ?? null,
    status: o.status,
    closedAt: o.closedAt?.toISOString() ?? null,
    closeReason: o.closeReason,
  };
}

/** The opportunity put back as `snapshot` says, and the history entry the change wrote (`changeKey`) removed. */
export async function restoreOpportunity(m: EntityManager, opportunityId: number, snapshot: OpportunitySnapshot, changeKey: string): Promise<void> {
  await m.getRepository(OpportunityChange).delete({ sourceKey: changeKey });
  await m.getRepository(Opportunity).update(
    { id: opportunityId },
    {
      name: snapshot.name,
      amount: snapshot.amount,
      probability: snapshot.probability,
      expectedCloseAt: snapshot.expectedCloseAt ? new Date(snapshot.expectedCloseAt) : null,
      status: snapshot.status,
      closedAt: snapshot.closedAt ? new Date(snapshot.closedAt) : null,
      closeReason: snapshot.closeReason,
    },
  );
}

/** Writes the history entry of a change: the opportunity as it stands after it. */
export function recordChange(
  m: EntityManager,
  o: Opportunity,
  change: { kind: OpportunityChange['kind']; staffUserid: string | null; sourceKey: string; at: Date },
): Promise<OpportunityChange> {
  return m.getRepository(OpportunityChange).save({
    opportunityId: o.id,
    customerId: o.customerId,
    kind: change.kind,
    amount: o.amount,
    probability: o.probability,
    expectedCloseAt: o.expectedCloseAt,
    status: o.status,
    reason: o.closeReason,
    staffUserid: change.staffUserid,
    sourceKey: change.sourceKey,
    createdAt: change.at,
  });
}
