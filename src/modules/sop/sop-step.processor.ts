import type { DataSource } from 'typeorm';
import { CustomerRelation, type Customer, SopRun, SopStepRun, Staff } from '../../../entities';
import { renderSopText, sopStepMarkdown } from '../../../templates/cards/sop-messages';
import dayjs from '../../platform/dayjs';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { Job } from '../../platform/queue/queues';
import type { SopStepJobData } from './sop.scheduler';
import { type ChannelNames, NO_CHANNEL_LABEL } from '../customers/channel-names.port';
import { STAGE_NAMES } from '../customers/stage.service';
import type { SopDefinition, SopDefinitions, SopStepDefinition } from './sop-definitions';
import type { TeamGroups } from './team-group';

export interface SopStepDeps {
  dataSource: DataSource;
  definitions: SopDefinitions;
  outbound: OutboundService;
  teams: TeamGroups;
  logger: Logger;
  now: () => Date;
  /** {state} as people read it (the channel rule's display name, 直接添加) */
  channels?: ChannelNames;
}

/** Why a step was not sent; stored on the step run. */
export type SkipReason = 'step_removed' | 'customer_lost' | 'do_not_contact' | 'stage_moved' | 'condition_failed' | 'followed_up' | 'no_team_group';

/**
 * Fires one planned step. The step reads the CURRENT definition (message, conditions, audience):
 * editing templates/sops.json changes what pending steps send, never what was sent; a step removed
 * from the file is skipped. Its due time stays as planned. Conditions are checked now, not when the
 * run started: a customer lost, opted out (勿扰) or moved on since is skipped with the reason kept.
 * Safe to run twice: only a pending step is fired, and its message's idempotency key is the step.
 */
export function createSopStepProcessor(deps: SopStepDeps) {
  return (job: Job<SopStepJobData>) => fireSopStep(deps, job.data.stepRunId);
}

export async function fireSopStep(deps: SopStepDeps, stepRunId: number): Promise<string> {
  const steps = deps.dataSource.getRepository(SopStepRun);
  // one query (findOne with relations costs TypeORM two: a DISTINCT id query first)
  const step = await steps
    .createQueryBuilder('step')
    .innerJoinAndSelect('step.run', 'run')
    .leftJoinAndSelect('run.customer', 'customer')
    .where('step.id = :id', { id: stepRunId })
    .getOne();
  if (step?.status !== 'pending') return 'not_pending';
  const { run } = step;
  const def = deps.definitions.byName(run.sopName);
  const stepDef = def?.enabled ? def.steps.find((s) => s.key === step.stepKey) : undefined;
  const [relation, staff] = await Promise.all([
    deps.dataSource.getRepository(CustomerRelation).findOneBy({ customerId: run.customerId, staffUserid: run.staffUserid }),
    deps.dataSource.getRepository(Staff).findOneBy({ userid: run.staffUserid }),
  ]);

  const reason = !def || !stepDef ? 'step_removed' : skipReason(run, run.customer, relation, def, stepDef);
  if (reason) return skip(deps, step, reason);

  const text = renderSopText(stepDef!.message, fieldsFor(run, run.customer, relation, staff, deps.now(), deps.channels));
  const base = {
    sopTitle: def!.title,
    stepNumber: step.stepIndex + 1,
    stepCount: def!.steps.length,
    customerName: relation?.remark || run.customer.name,
    text,
  };
  const idempotencyKey = `sop-step:${step.id}`;
  if (stepDef!.audience === 'team_group') {
    const posted = await deps.teams.post({ staffUserid: run.staffUserid, idempotencyKey, render: (mention) => sopStepMarkdown({ ...base, mention }) });
    if (posted === 'no_team_group') return skip(deps, step, 'no_team_group');
  } else {
    await deps.outbound.sendNow({
      channel: 'user',
      touser: staff?.wecomUserid ?? run.staffUserid,
      message: { msgtype: 'markdown', markdown: { content: sopStepMarkdown(base) } },
      idempotencyKey,
    });
  }
  await steps.update({ id: step.id, status: 'pending' }, { status: 'sent', message: text, firedAt: deps.now() });
  await finishIfDone(deps.dataSource, run.id);
  deps.logger.info({ sop: run.sopName, step: step.stepKey, runId: run.id, customerId: run.customerId }, 'SOP step sent');
  return 'sent';
}

function skipReason(run: SopRun, customer: Customer, relation: CustomerRelation | null, def: SopDefinition, step: SopStepDefinition): SkipReason | null {
  if (relation?.status !== 'active' || customer.stage === 'lost') return 'customer_lost';
  if (customer.doNotContact) return 'do_not_contact';
  if (def.trigger.type === 'stage_changed' && customer.stage !== def.trigger.to) return 'stage_moved';
  const when = step.when ?? {};
  if (when.stageIn && !when.stageIn.includes(customer.stage)) return 'stage_moved';
  const followedUp = customer.lastContactAt !== null && customer.lastContactAt.getTime() > run.startedAt.getTime();
  if ((when.noFollowUpSinceStart || def.trigger.type === 'silent') && followedUp) return 'followed_up';
  return null;
}

async function skip(deps: SopStepDeps, step: SopStepRun, reason: SkipReason): Promise<string> {
  await deps.dataSource.getRepository(SopStepRun).update({ id: step.id, status: 'pending' }, { status: 'skipped', skipReason: reason, firedAt: deps.now() });
  await finishIfDone(deps.dataSource, step.runId);
  deps.logger.info({ step: step.stepKey, runId: step.runId, reason }, 'SOP step skipped');
  return `skipped:${reason}`;
}

/** One statement: the run is finished once none of its steps is pending (whichever step settles last). */
async function finishIfDone(dataSource: DataSource, runId: number): Promise<void> {
  await dataSource
    .createQueryBuilder()
    .update(SopRun)
    .set({ status: 'finished' })
    .where("id = :runId AND status = 'active'", { runId })
    .andWhere("NOT EXISTS (SELECT 1 FROM sop_step_runs s WHERE s.run_id = :runId AND s.status = 'pending')", { runId })
    .execute();
}

/** The fields a step's message may use; one not known is null and gets the SOP wording's fallback. */
function fieldsFor(
  run: SopRun,
  customer: Customer,
  relation: CustomerRelation | null,
  staff: Staff | null,
  now: Date,
  channels?: ChannelNames,
): Record<string, string | null> {
  const added = relation?.addedAt ?? customer.createdAt;
  const lastContact = customer.lastContactAt ?? added;
  const context = run.context ?? {};
  return {
    name: relation?.remark || customer.name,
    staff: staff?.name ?? null,
    stage: STAGE_NAMES[customer.stage] ?? customer.stage,
    state: channelOf(relation?.state || (typeof context.state === 'string' ? context.state : null), channels),
    tag: typeof context.tag === 'string' ? context.tag : null,
    days: String(Math.max(1, dayjs(now).diff(added, 'day') + 1)),
    silentDays: String(Math.max(0, dayjs(now).diff(lastContact, 'day'))),
  };
}

function channelOf(state: string | null, channels: ChannelNames | undefined): string {
  return channels ? channels.label(state) : state || NO_CHANNEL_LABEL;
}
