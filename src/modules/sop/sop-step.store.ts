import type { DataSource } from 'typeorm';
import { CustomerRelation, SopRun, SopStepRun, Staff } from '../../../entities';
import type { SkipReason } from './sop-step-rules';

/** A planned step with what its rules and message read: its run and customer, the relation, the salesperson. */
export interface LoadedStep {
  step: SopStepRun;
  relation: CustomerRelation | null;
  staff: Staff | null;
}

/** The step runs' rows: read a step to fire, settle it (sent or skipped), and finish its run after the last. */
export class SopStepStore {
  constructor(private readonly dataSource: DataSource) {}

  /** null when the step is gone or no longer pending (fired already: a retried job sends nothing twice). */
  async loadPending(stepRunId: number): Promise<LoadedStep | null> {
    // one query (findOne with relations costs TypeORM two: a DISTINCT id query first)
    const step = await this.steps()
      .createQueryBuilder('step')
      .innerJoinAndSelect('step.run', 'run')
      .leftJoinAndSelect('run.customer', 'customer')
      .where('step.id = :id', { id: stepRunId })
      .getOne();
    if (step?.status !== 'pending') return null;
    const { run } = step;
    const [relation, staff] = await Promise.all([
      this.dataSource.getRepository(CustomerRelation).findOneBy({ customerId: run.customerId, staffUserid: run.staffUserid }),
      this.dataSource.getRepository(Staff).findOneBy({ userid: run.staffUserid }),
    ]);
    return { step, relation, staff };
  }

  async markSent(step: Pick<SopStepRun, 'id' | 'runId'>, message: string, at: Date): Promise<void> {
    await this.steps().update({ id: step.id, status: 'pending' }, { status: 'sent', message, firedAt: at });
    await this.finishIfDone(step.runId);
  }

  async markSkipped(step: Pick<SopStepRun, 'id' | 'runId'>, reason: SkipReason, at: Date): Promise<void> {
    await this.steps().update({ id: step.id, status: 'pending' }, { status: 'skipped', skipReason: reason, firedAt: at });
    await this.finishIfDone(step.runId);
  }

  /** One statement: the run is finished once none of its steps is pending (whichever step settles last). */
  private async finishIfDone(runId: number): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(SopRun)
      .set({ status: 'finished' })
      .where("id = :runId AND status = 'active'", { runId })
      .andWhere("NOT EXISTS (SELECT 1 FROM sop_step_runs s WHERE s.run_id = :runId AND s.status = 'pending')", { runId })
      .execute();
  }

  private steps() {
    return this.dataSource.getRepository(SopStepRun);
  }
}
