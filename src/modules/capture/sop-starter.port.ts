/**
 * Where customer capture hands over to the SOP engine (a later issue replaces the no-op). Called
 * once per new relation, after the customer is stored; `sourceKey` is stable across redeliveries,
 * so an implementation can dedupe on it.
 */
export interface SopStarter {
  onCustomerAdded(input: CustomerAdded): Promise<void>;
}

export interface CustomerAdded {
  customerId: number;
  staffUserid: string;
  state: string | null;
  sopNames: string[];
  sourceKey: string;
  /** this add created the customer (no handover can have brought them) */
  newCustomer?: boolean;
}

export const noopSopStarter: SopStarter = { onCustomerAdded: async () => undefined };
