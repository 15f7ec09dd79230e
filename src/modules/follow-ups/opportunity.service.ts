import type { DataSource } from 'typeorm';
import { Customer, Opportunity, StageChange } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';

/** 商机: amount, probability and expected close; the customer moves to the 商机 stage if still earlier. */
export class OpportunityService {
  constructor(private readonly dataSource: DataSource) {}

  async record(input: {
    customer: Customer;
    staffUserid: string;
    amount: number;
    probability: number | null;
    expectedCloseAt: Date | null;
    sourceKey: string;
    now: Date;
  }) {
    return writeOnce(
      this.dataSource,
      async (m) => {
        const opportunity = await m.getRepository(Opportunity).save({
          customerId: input.customer.id,
          staffUserid: input.staffUserid,
          amount: input.amount,
          probability: input.probability,
          expectedCloseAt: input.expectedCloseAt,
          status: 'open',
          sourceKey: input.sourceKey,
        });
        if (input.customer.stage === 'lead' || input.customer.stage === 'prospect') {
          // An opportunity means the customer reached 商机: the funnel history records the move too.
          await m.getRepository(StageChange).save({
            customerId: input.customer.id,
            fromStage: input.customer.stage,
            toStage: 'opportunity',
            staffUserid: input.staffUserid,
            sourceKey: `${input.sourceKey}:stage`,
          });
          await m.getRepository(Customer).update({ id: input.customer.id }, { stage: 'opportunity', stageChangedAt: input.now });
        }
        await audit(m, {
          actor: input.staffUserid,
          action: 'opportunity.create',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { opportunityId: opportunity.id, previousStage: input.customer.stage },
          sourceKey: input.sourceKey,
          at: input.now,
        });
        return opportunity;
      },
      () => this.dataSource.getRepository(Opportunity).findOneBy({ sourceKey: input.sourceKey }),
    );
  }
}
