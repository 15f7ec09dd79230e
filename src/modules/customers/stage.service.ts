import type { DataSource } from 'typeorm';
import { Customer, type CustomerStage, StageChange } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';
import type { SopTriggers } from './sop-triggers.port';
import type { OpportunityClosing } from './opportunity-closing.port';
import { STAGE_NAMES } from '../../../templates/labels';

export function stageFromChinese(word: string): CustomerStage | undefined {
  return (Object.entries(STAGE_NAMES) as Array<[CustomerStage, string]>).find(([, name]) => name === word)?.[0];
}

/** 阶段: moves a customer in the funnel; every move is kept in stage_changes. */
export class StageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sops?: SopTriggers,
    private readonly opportunities?: OpportunityClosing,
  ) {}

  async move(input: { customer: Customer; to: CustomerStage; staffUserid: string | null; sourceKey: string; now: Date }) {
    const result = await writeOnce(
      this.dataSource,
      async (m) => {
        const from = input.customer.stage;
        const change = await m.getRepository(StageChange).save({
          customerId: input.customer.id,
          fromStage: from,
          toStage: input.to,
          staffUserid: input.staffUserid,
          sourceKey: input.sourceKey,
        });
        await m.getRepository(Customer).update({ id: input.customer.id }, { stage: input.to, stageChangedAt: input.now });
        const outcome = input.to === 'won' || input.to === 'lost' ? input.to : null;
        const closedOpportunities = outcome
          ? ((await this.opportunities?.closeOpen(m, {
              customerId: input.customer.id,
              outcome,
              staffUserid: input.staffUserid,
              sourceKey: input.sourceKey,
              now: input.now,
            })) ?? [])
          : [];
        await audit(m, {
          actor: input.staffUserid ?? 'system',
          action: 'stage.change',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { stageChangeId: change.id, from, to: input.to, ...(closedOpportunities.length ? { closedOpportunities } : {}) },
          sourceKey: input.sourceKey,
          at: input.now,
        });
        return change;
      },
      () => this.dataSource.getRepository(StageChange).findOneBy({ sourceKey: input.sourceKey }),
    );
    // Also on a redelivery: the first run may have stopped between the commit and this call.
    await this.sops?.stageChanged({ customerId: input.customer.id, to: result.value.toStage, staffUserid: input.staffUserid, sourceKey: input.sourceKey });
    return result;
  }
}
