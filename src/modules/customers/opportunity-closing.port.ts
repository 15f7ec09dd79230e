import type { EntityManager } from 'typeorm';

/**
 * A move to 成交 or 流失 closes the customer's open opportunities (won or lost), in the move's own
 * transaction. What each looked like before is kept in the move's audit row, so 撤销 reopens them.
 * The pipeline module provides it; the composition root hands it in.
 */
export interface OpportunityClosing {
  closeOpen(
    m: EntityManager,
    input: { customerId: number; outcome: 'won' | 'lost'; staffUserid: string | null; sourceKey: string; now: Date },
  ): Promise<Array<{ id: number; previous: unknown }>>;
}
