import { AuditLog } from './audit-log.entity';
import { ContactWay } from './contact-way.entity';
import { CustomerGroupMember } from './customer-group-member.entity';
import { CustomerGroup } from './customer-group.entity';
import { CustomerRelation } from './customer-relation.entity';
import { CustomerTag } from './customer-tag.entity';
import { Customer } from './customer.entity';
import { ErasedCustomer } from './erased-customer.entity';
import { FollowUp } from './follow-up.entity';
import { GroupCard, GroupCardClick } from './group-card.entity';
import { HandoverCustomer } from './handover-customer.entity';
import { Handover } from './handover.entity';
import { InboundEvent } from './inbound-event.entity';
import { Leaver } from './leaver.entity';
import { OpportunityChange } from './opportunity-change.entity';
import { Opportunity } from './opportunity.entity';
import { OutboundMessage } from './outbound-message.entity';
import { Reminder } from './reminder.entity';
import { SopRun } from './sop-run.entity';
import { SopStepRun } from './sop-step-run.entity';
import { Staff } from './staff.entity';
import { StageChange } from './stage-change.entity';
import { SyncCheckpoint } from './sync-checkpoint.entity';
import { Tag } from './tag.entity';
import { Team } from './team.entity';

export * from './audit-log.entity';
export * from './contact-way.entity';
export * from './customer-group-member.entity';
export * from './customer-group.entity';
export * from './customer-relation.entity';
export * from './customer-tag.entity';
export * from './customer.entity';
export * from './erased-customer.entity';
export * from './follow-up.entity';
export * from './group-card.entity';
export * from './handover-customer.entity';
export * from './handover.entity';
export * from './handover.entity';
export * from './handover-customer.entity';
export * from './inbound-event.entity';
export * from './leaver.entity';
export * from './opportunity-change.entity';
export * from './opportunity.entity';
export * from './outbound-message.entity';
export * from './reminder.entity';
export * from './sop-run.entity';
export * from './sop-step-run.entity';
export * from './staff.entity';
export * from './stage-change.entity';
export * from './sync-checkpoint.entity';
export * from './tag.entity';
export * from './team.entity';

/** The explicit entity list handed to the DataSource (no globs: they break under ts-node and bundlers). */
export const ALL_ENTITIES = [
  AuditLog,
  ContactWay,
  Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  ErasedCustomer,
  FollowUp,
  GroupCard,
  GroupCardClick,
  Handover,
  HandoverCustomer,
  InboundEvent,
  Leaver,
  Opportunity,
  OpportunityChange,
  OutboundMessage,
  Reminder,
  Staff,
  StageChange,
  SyncCheckpoint,
  Tag,
  Team,
  SopRun,
  SopStepRun,
];
