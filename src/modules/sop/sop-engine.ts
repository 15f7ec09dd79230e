import { createHash } from 'node:crypto';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { CustomerRelation, CustomerTag, SopRun, SopStepRun, type SopTriggerType } from '../../../entities';
import type { CustomerAdded, ScheduleSteps, SopStarter } from '../capture';
import type { Logger } from '../../platform/logger';
import type { SopScheduler } from './sop.scheduler';
import type { SopTriggers } from '../customers';
import type { SopDefinition, SopDefinitions } from './sop-definitions';
import { sopStepDueAt } from './sop-offset';
import { handedOverTo } from '../handover';

export interface SopEngineDeps {
  dataSource: DataSource;
  definitions: SopDefinitions;
  scheduler: SopScheduler;
  logger: Logger;
  timezone: string;
  now: () => Date;
}

/** Runs planned in a transaction, with their pending steps: scheduled once it committed. */
interface PlannedRuns {
  runs: Array<{ def: SopDefinition; run: SopRun }>;
  pending: SopStepRun[];
}

interface RunStart {
  customerId: number;
  staffUserid: string;
  triggerType: SopTriggerType;
  /** what makes this run unique (hashed into run_key) */
  identity: string;
  context: Record<string, unknown>;
}

/**
 * Starts SOP runs when their trigger happens and plans their steps. A run and each of its steps are
 * rows with unique keys, so a trigger seen twice (a redelivered event, a retried job) plans once.
 * Each step gets a delayed job keyed by its row; the step processor decides at fire time whether it
 * still applies (sop-step.processor.ts).
 */
export class SopEngine implements SopStarter, SopTriggers {
  constructor(private readonly deps: SopEngineDeps) {}

  /** Customer capture, in the add's transaction: SOPs whose trigger matches the channel state / tags, and those the channel rule names. */
  async planOnCustomerAdded(m: EntityManager, input: CustomerAdded): Promise<ScheduleSteps> {
    // A customer handed over (WeCom's add for the new owner): the old owner's runs move with them, none starts anew.
    // One new to us cannot have been handed over.
    if (!input.newCustomer && (await handedOverTo(m, input.customerId, input.staffUserid))) return async () => undefined;
    const byState = this.deps.definitions.withTrigger('customer_added').filter(({ trigger: t }) => {
      if (t.state !== undefined && t.state !== input.state) return false;
      return t.statePrefix === undefined || (input.state ?? '').startsWith(t.statePrefix);
    });
    // The customer's tags are read only when a trigger asks for one (the default SOPs do not).
    const tags = byState.some((d) => d.trigger.tag !== undefined) ? await this.tagNames(m, input.customerId) : [];
    const matching = byState.filter(({ trigger: t }) => t.tag === undefined || tags.includes(t.tag));
    const named = input.sopNames.map((n) => this.deps.definitions.byName(n)).filter((d): d is SopDefinition => !!d && d.enabled);
    // One onboarding per salesperson and customer: a re-add or a replayed add does not start it again.
    const planned = await this.planRuns(
      m,
      [...new Set([...matching, ...named])].map((def) => ({
        def,
        input: {
          customerId: input.customerId,
          staffUserid: input.staffUserid,
          triggerType: 'customer_added' as const,
          identity: input.staffUserid,
          context: { state: input.state },
        },
      })),
    );
    return () => this.schedule(planned);
  }

  async stageChanged(input: { customerId: number; to: string; staffUserid: string | null; sourceKey: string }): Promise<void> {
    const defs = this.deps.definitions.withTrigger('stage_changed').filter((d) => d.trigger.to === input.to);
    if (defs.length === 0) return;
    const owner = await this.owner(input.customerId, input.staffUserid);
    if (!owner) return;
    // Each move into the stage is its own run (moved back and forth: again); a redelivery is the same move.
    for (const def of defs)
      await this.start(def, {
        customerId: input.customerId,
        staffUserid: owner,
        triggerType: 'stage_changed',
        identity: input.sourceKey,
        context: { stage: input.to },
      });
  }

  async tagsAdded(input: { customerId: number; tagNames: string[]; staffUserid: string | null; sourceKey: string }): Promise<void> {
    const defs = this.deps.definitions.withTrigger('tag_added').filter((d) => input.tagNames.includes(d.trigger.tag));
    if (defs.length === 0) return;
    const owner = await this.owner(input.customerId, input.staffUserid);
    if (!owner) return;
    // Once per customer and tag: tagging again (or a redelivered 打标签) does not restart it.
    for (const def of defs)
      await this.start(def, {
        customerId: input.customerId,
        staffUserid: owner,
        triggerType: 'tag_added',
        identity: def.trigger.tag,
        context: { tag: def.trigger.tag },
      });
  }

  /** A silent customer (silent-scan.ts): one run per silence, named by when the silence began. */
  startSilent(def: SopDefinition, input: { customerId: number; staffUserid: string; silentSince: Date }): Promise<SopRun | null> {
    return this.start(def, {
      customerId: input.customerId,
      staffUserid: input.staffUserid,
      triggerType: 'silent',
      identity: `${input.staffUserid}:${input.silentSince.getTime()}`,
      context: { silentSince: input.silentSince.toISOString() },
    });
  }

  /** Creates the run (or finds it) and its steps, then makes sure every pending step has its job. */
  async start(def: SopDefinition, input: RunStart): Promise<SopRun | null> {
    const planned = await this.deps.dataSource.transaction((m) => this.planRuns(m, [{ def, input }]));
    await this.schedule(planned);
    return planned.runs[0]?.run ?? null;
  }

  /**
   * The runs and their steps in the caller's transaction `m`, one statement per table however many
   * runs and steps (the SOPs one add starts); nothing is scheduled yet.
   */
  private async planRuns(m: EntityManager, starts: Array<{ def: SopDefinition; input: RunStart }>): Promise<PlannedRuns> {
    if (starts.length === 0) return { runs: [], pending: [] };
    const startedAt = this.deps.now();
    const keyed = starts.map((s) => ({ ...s, runKey: `${s.input.triggerType}:${s.def.name}:${s.input.customerId}:${hash(s.input.identity)}` }));
    await insertIgnore(
      m.getRepository(SopRun),
      keyed.map(({ def, input, runKey }) => ({
        sopName: def.name,
        customerId: input.customerId,
        staffUserid: input.staffUserid,
        triggerType: input.triggerType,
        runKey,
        status: 'active' as const,
        context: input.context as never,
        startedAt,
      })),
    );
    const found = await m.getRepository(SopRun).findBy({ runKey: In(keyed.map((k) => k.runKey)) });
    const runs = keyed.map((k) => ({ def: k.def, run: found.find((r) => r.runKey === k.runKey)! }));
    // A run planned before keeps its steps (their due times count from its own start).
    await insertIgnore(
      m.getRepository(SopStepRun),
      runs.flatMap(({ def, run }) =>
        def.steps.map((s, i) => ({
          runId: run.id,
          stepKey: s.key,
          stepIndex: i,
          dueAt: sopStepDueAt(run.startedAt, this.deps.definitions.offsetOf(def.name, s.key), this.deps.timezone),
          status: 'pending' as const,
        })),
      ),
    );
    const pending = await m.getRepository(SopStepRun).find({
      where: { runId: In(runs.map((r) => r.run.id)), status: 'pending' },
      order: { runId: 'ASC', stepIndex: 'ASC' },
    });
    return { runs, pending };
  }

  private async schedule(planned: PlannedRuns): Promise<void> {
    if (planned.pending.length > 0) await this.deps.scheduler.scheduleSteps(planned.pending);
    for (const { def, run } of planned.runs) {
      this.deps.logger.info(
        { sop: def.name, runId: run.id, customerId: run.customerId, staff: run.staffUserid, steps: planned.pending.filter((p) => p.runId === run.id).length },
        'SOP run planned',
      );
    }
  }

  /** The salesperson a stage/tag SOP is for: the one who made the change if they follow the customer, else the first who does. */
  private async owner(customerId: number, actor: string | null): Promise<string | null> {
    const active = await this.deps.dataSource.getRepository(CustomerRelation).find({ where: { customerId, status: 'active' }, order: { id: 'ASC' } });
    return active.find((r) => r.staffUserid === actor)?.staffUserid ?? active[0]?.staffUserid ?? null;
  }

  private async tagNames(m: EntityManager, customerId: number): Promise<string[]> {
    const links = await m.getRepository(CustomerTag).find({ where: { customerId }, relations: { tag: true } });
    return links.filter((l) => !l.tag.deleted).map((l) => l.tag.name);
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}
