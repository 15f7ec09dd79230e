import type { DataSource } from 'typeorm';
import type { Customer } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { lookUpCustomer } from './customer-lookup';
import { type CustomerExport, exportCounts, exportCustomer, type TimelineSource } from './customer-export.service';
import { eraseCustomer, type ErasureRequest, type ErasureResult } from './customer-erasure.service';
import { ambiguousText, erasedCustomerText, exportSummary, unknownCustomerText } from './personal-data.texts';

/** What this module borrows from the customers module, handed in by the composition root. */
export interface PersonalDataPorts {
  timeline?: TimelineSource;
  stageName?: (stage: string) => string;
}

/** Why a reference named no single customer: the message to show, and how a command exits. */
export interface NotFound {
  kind: 'ambiguous' | 'unknown' | 'erased';
  message: string;
}

/** The customer named, or why there is none. */
export type Resolved = { kind: 'found'; customer: Customer } | NotFound;

/** Export and erasure of one customer, for the CLI and the admin route alike. */
export class PersonalDataService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ports: PersonalDataPorts = {},
  ) {}

  async resolve(ref: string): Promise<Resolved> {
    const found = await lookUpCustomer(this.dataSource, ref);
    switch (found.kind) {
      case 'found':
        return found;
      case 'ambiguous':
        return { kind: 'ambiguous', message: ambiguousText(ref, found.candidates) };
      case 'erased':
        return { kind: 'erased', message: erasedCustomerText(ref) };
      default:
        return { kind: 'unknown', message: unknownCustomerText(ref) };
    }
  }

  /** The export document and its summary; the audit trail records that it was made (and of how much), not what it holds. */
  async export(customer: Customer, who: { actor: string; via: string }): Promise<{ document: CustomerExport; summary: string }> {
    const document = await exportCustomer(this.dataSource, customer, this.ports.timeline);
    await audit(this.dataSource.manager, {
      actor: who.actor,
      action: 'customer.export',
      targetType: 'customer',
      targetId: customer.id,
      detail: { via: who.via, rows: exportCounts(document) },
    });
    return { document, summary: exportSummary(document, this.ports.stageName) };
  }

  erase(customer: Customer, request: ErasureRequest): Promise<ErasureResult> {
    return eraseCustomer(this.dataSource, customer, request);
  }
}
