import type { DataSource } from 'typeorm';
import { renderSopText, sopStepMarkdown } from '../../../templates/cards/sop-messages';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { Job } from '../../platform/queue/queues';
import type { ChannelNames } from '../customers';
import type { SopDefinitions } from './sop-definitions';
import { sopStepFields } from './sop-step-fields';
import { decideStep, type SkipReason } from './sop-step-rules';
import { SopStepStore } from './sop-step.store';
import type { SopStepJobData } from './sop.scheduler';
import { standInFor } from '../handover';
import type { TeamGroupCard, TeamGroups } from '../customers';
import { sopGroupCard } from '../../../templates/cards/group-cards';

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

/**
 * Fires one planned step. What is sent, and whether, is decided now by the current definition
 * (sop-step-rules.ts): editing templates/sops.json changes what pending steps send, never what was
 * sent; its due time stays as planned. Safe to run twice: only a pending step is fired, and its
 * message's idempotency key is the step.
 */
export function createSopStepProcessor(deps: SopStepDeps) {
  return (job: Job<SopStepJobData>) => fireSopStep(deps, job.data.stepRunId);
}

export async function fireSopStep(deps: SopStepDeps, stepRunId: number): Promise<string> {
  const store = new SopStepStore(deps.dataSource);
  const loaded = await store.loadPending(stepRunId);
  if (!loaded) return 'not_pending';
  const { step, relation, staff } = loaded;
  const { run } = step;
  const skipped = async (reason: SkipReason) => {
    await store.markSkipped(step, reason, deps.now());
    deps.logger.info({ step: step.stepKey, runId: step.runId, reason }, 'SOP step skipped');
    return `skipped:${reason}`;
  };

  const decision = decideStep({ definition: deps.definitions.byName(run.sopName), stepKey: step.stepKey, run, customer: run.customer, relation });
  if (!decision.send) return skipped(decision.reason);
  const { definition, step: stepDef } = decision;

  const text = renderSopText(stepDef.message, sopStepFields(run, run.customer, relation, staff, deps.now(), deps.channels));
  const base = {
    sopTitle: definition.title,
    stepNumber: step.stepIndex + 1,
    stepCount: definition.steps.length,
    customerName: relation?.remark || run.customer.name,
    text,
  };
  const idempotencyKey = `sop-step:${step.id}`;
  // A salesperson who left (离职继承): the lead receives the step, saying whose it is, until the customer is taken over.
  const standIn = await standInFor(deps.dataSource, run.staffUserid);
  if (stepDef.audience === 'team_group') {
    // With the smart bot in the team's group: the step as a card whose 已完成 says who did it.
    const botCard: TeamGroupCard = { kind: 'sop', subjectId: step.id, build: ({ taskId, owner }) => sopGroupCard({ ...base, taskId, owner }) };
    const posted = await deps.teams.post({
      staffUserid: run.staffUserid,
      mentionUserid: standIn?.userid,
      idempotencyKey,
      render: (mention) => sopStepMarkdown({ ...base, mention, onBehalfOf: standIn?.leaverName }),
      botCard,
    });
    if (posted === 'no_team_group') return skipped('no_team_group');
  } else {
    const message = { msgtype: 'markdown' as const, markdown: { content: sopStepMarkdown({ ...base, onBehalfOf: standIn?.leaverName }) } };
    await deps.outbound.sendNow({ channel: 'user', touser: standIn?.wecomUserid ?? staff?.wecomUserid ?? run.staffUserid, message, idempotencyKey });
  }
  await store.markSent(step, text, deps.now());
  deps.logger.info({ sop: run.sopName, step: step.stepKey, runId: run.id, customerId: run.customerId }, 'SOP step sent');
  return 'sent';
}
