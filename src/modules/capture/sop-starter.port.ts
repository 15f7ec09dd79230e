/**
 * Where customer capture hands over to the SOP engine (a later issue replaces the no-op). Called
 * once per new relation, after the customer is stored; `sourceKey` is stable across redeliveries,
 * so an implementation can dedupe on it.
 */
export interface SopStarter {
  onCustomerAdded(input: { customerId: number; staffUserid: string; state: string | null; sopNames: string[]; sourceKey: string }): Promise<void>;
}

export const noopSopStarter: SopStarter = { onCustomerAdded: async () => undefined };
