import type { Customer, CustomerRelation, SopRun } from '../../../entities';
import type { SopDefinition, SopStepDefinition } from './sop-definitions';

/** Why a step was not sent; stored on the step run. */
export type SkipReason = 'step_removed' | 'customer_lost' | 'do_not_contact' | 'stage_moved' | 'condition_failed' | 'followed_up' | 'no_team_group';

/** What a step's rules read, as it is when the step fires (not when the run started). */
export interface StepFacts {
  /** the SOP's current definition (templates/sops.json as loaded now), if it still has one */
  definition: SopDefinition | undefined;
  stepKey: string;
  run: Pick<SopRun, 'startedAt'>;
  customer: Pick<Customer, 'stage' | 'doNotContact' | 'lastContactAt'>;
  /** the relation between the run's salesperson and the customer */
  relation: Pick<CustomerRelation, 'status'> | null;
}

export type StepDecision = { send: true; definition: SopDefinition; step: SopStepDefinition } | { send: false; reason: SkipReason };

/**
 * Whether a planned step is sent, by the CURRENT definition: a step removed from the file (or of a
 * disabled SOP) is skipped; a customer lost, opted out (勿扰), moved to another stage, or followed up
 * since the run started (where the step or a silent SOP asks for none) is skipped with the reason kept.
 * ('no_team_group' is decided when posting: the salesperson's team has no group.)
 */
export function decideStep(facts: StepFacts): StepDecision {
  const { definition, customer, relation, run } = facts;
  const step = definition?.enabled ? definition.steps.find((s) => s.key === facts.stepKey) : undefined;
  if (!definition || !step) return { send: false, reason: 'step_removed' };
  if (relation?.status !== 'active' || customer.stage === 'lost') return { send: false, reason: 'customer_lost' };
  if (customer.doNotContact) return { send: false, reason: 'do_not_contact' };
  if (definition.trigger.type === 'stage_changed' && customer.stage !== definition.trigger.to) return { send: false, reason: 'stage_moved' };
  const when = step.when ?? {};
  if (when.stageIn && !when.stageIn.includes(customer.stage)) return { send: false, reason: 'stage_moved' };
  const followedUp = customer.lastContactAt !== null && customer.lastContactAt.getTime() > run.startedAt.getTime();
  if ((when.noFollowUpSinceStart || definition.trigger.type === 'silent') && followedUp) return { send: false, reason: 'followed_up' };
  return { send: true, definition, step };
}
