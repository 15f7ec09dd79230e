import type { EntityManager } from 'typeorm';
import { Opportunity } from '../../../entities';
import { closeOne, type CloseOutcome } from './opportunity.service';
import { type OpportunitySnapshot, snapshotOf } from './opportunity-snapshot';

/** One opportunity a stage move closed, and how it stood before (for 撤销). */
export interface ClosedByStage {
  id: number;
  previous: OpportunitySnapshot;
}

/** The history key of an opportunity closed by the stage move of message `sourceKey`. */
export const stageCloseKey = (sourceKey: string, opportunityId: number) => `${sourceKey}:close:${opportunityId}`;

/**
 * 阶段 成交 / 流失 closes the customer's open opportunities the way 赢单 / 输单 would, in the stage
 * move's own transaction (the customers module calls this through its OpportunityClosing port).
 */
export async function closeOpenOpportunities(
  m: EntityManager,
  input: { customerId: number; outcome: CloseOutcome; staffUserid: string | null; sourceKey: string; now: Date },
): Promise<ClosedByStage[]> {
  const open = await m.getRepository(Opportunity).find({ where: { customerId: input.customerId, status: 'open' }, order: { id: 'ASC' } });
  const closed: ClosedByStage[] = [];
  for (const opportunity of open) {
    const previous = snapshotOf(opportunity);
    await closeOne(m, opportunity, {
      outcome: input.outcome,
      amount: null,
      reason: null,
      staffUserid: input.staffUserid,
      sourceKey: stageCloseKey(input.sourceKey, opportunity.id),
      now: input.now,
    });
    closed.push({ id: opportunity.id, previous });
  }
  return closed;
}
