import { AuditLog } from './audit-log.entity';
import { CustomerGroupMember } from './customer-group-member.entity';
import { CustomerGroup } from './customer-group.entity';
import { CustomerRelation } from './customer-relation.entity';
import { CustomerTag } from './customer-tag.entity';
import { Customer } from './customer.entity';
import { FollowUp } from './follow-up.entity';
import { InboundEvent } from './inbound-event.entity';
import { Opportunity } from './opportunity.entity';
import { OutboundMessage } from './outbound-message.entity';
import { Reminder } from './reminder.entity';
import { Staff } from './staff.entity';
import { StageChange } from './stage-change.entity';
import { Tag } from './tag.entity';
import { Team } from './team.entity';

export {
  AuditLog,
  Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  FollowUp,
  InboundEvent,
  Opportunity,
  OutboundMessage,
  Reminder,
  Staff,
  StageChange,
  Tag,
  Team,
};

/** The explicit entity list handed to the DataSource (no globs: they break under ts-node and bundlers). */
export const ALL_ENTITIES = [
  AuditLog,
  Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  FollowUp,
  InboundEvent,
  Opportunity,
  OutboundMessage,
  Reminder,
  Staff,
  StageChange,
  Tag,
  Team,
];

export type { CustomerStage } from './customer.entity';
export type { TagLinkSource } from './customer-tag.entity';
export type { RelationStatus } from './customer-relation.entity';
export type { ReminderStatus } from './reminder.entity';
export type { InboundEventStatus } from './inbound-event.entity';
export type { TagOrigin } from './tag.entity';
export { CUSTOMER_STAGES } from './customer.entity';
