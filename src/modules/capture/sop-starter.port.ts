import type { EntityManager } from 'typeorm';

/**
 * Where customer capture hands over to the SOP engine. Called once per new relation (and for a
 * channel rule naming SOPs), inside the add's own transaction `m`: the customer, the relation and
 * the runs they start commit together, so a retried add finds all of them or none. It returns what
 * schedules the planned steps' jobs, for after the commit. `sourceKey` is stable across redeliveries.
 */
export interface SopStarter {
  planOnCustomerAdded(m: EntityManager, input: CustomerAdded): Promise<ScheduleSteps>;
}

/** Adds the jobs of the steps just planned (after their transaction committed; the SOP row sweep re-adds lost ones). */
export type ScheduleSteps = () => Promise<void>;

export interface CustomerAdded {
  customerId: number;
  staffUserid: string;
  state: string | null;
  sopNames: string[];
  sourceKey: string;
  /** this add created the customer (no handover can have brought them) */
  newCustomer?: boolean;
}

export const noopSopStarter: SopStarter = { planOnCustomerAdded: async () => async () => undefined };
