import { In, type DataSource } from 'typeorm';
import {
  AuditLog,
  type Customer,
  CustomerGroup,
  CustomerGroupMember,
  CustomerRelation,
  CustomerTag,
  FollowUp,
  InboundEvent,
  Opportunity,
  OpportunityChange,
  OutboundMessage,
  Reminder,
  SopRun,
  SopStepRun,
  StageChange,
  Tag,
} from '../../../entities';
import { identifyingStrings } from './identifying-text';
import { rowsMentioning } from './mention-scan';

/** One line of the customer's timeline, as the customers module words it (handed in: this module reads no other). */
export interface TimelineLine {
  at: Date;
  kind: string;
  actor: string | null;
  text: string;
}

export type TimelineSource = (customerId: number, now: Date, customerName: string) => Promise<TimelineLine[]>;

/** Everything held about one customer (PIPL art. 45: a copy of their personal information). */
export interface CustomerExport {
  exportedAt: string;
  customer: Customer;
  relations: CustomerRelation[];
  tags: Array<{ tagId: number; name: string | null; group: string | null; source: string; addedBy: string | null; createdAt: Date }>;
  stageChanges: StageChange[];
  followUps: FollowUp[];
  reminders: Reminder[];
  opportunities: Opportunity[];
  /** each change of those opportunities (amount, chance, close date, status, who, when): their history */
  opportunityChanges: OpportunityChange[];
  sopRuns: Array<SopRun & { steps: SopStepRun[] }>;
  groupMemberships: Array<CustomerGroupMember & { groupName: string | null }>;
  /** callbacks WeCom delivered that name the customer (their id, name, a remark or phone) */
  inboundEvents: InboundEvent[];
  /** messages sent that name the customer */
  outboundMessages: OutboundMessage[];
  /** what was done to the customer's record, by whom */
  auditTrail: AuditLog[];
  timeline: TimelineLine[];
}

export async function exportCustomer(dataSource: DataSource, customer: Customer, timeline?: TimelineSource, now = new Date()): Promise<CustomerExport> {
  const ds = dataSource;
  const where = { customerId: customer.id };
  const [relations, links, stageChanges, followUps, reminders, opportunities, opportunityChanges, runs, auditTrail] = await Promise.all([
    ds.getRepository(CustomerRelation).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(CustomerTag).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(StageChange).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(FollowUp).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(Reminder).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(Opportunity).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(OpportunityChange).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(SopRun).find({ where, order: { id: 'ASC' } }),
    ds.getRepository(AuditLog).find({ where: { targetType: 'customer', targetId: String(customer.id) }, order: { id: 'ASC' } }),
  ]);
  const needles = identifyingStrings(customer, relations);
  const [tags, steps, members, inboundEvents, outboundMessages] = await Promise.all([
    links.length ? ds.getRepository(Tag).findBy({ id: In(links.map((l) => l.tagId)) }) : [],
    runs.length ? ds.getRepository(SopStepRun).find({ where: { runId: In(runs.map((r) => r.id)) }, order: { id: 'ASC' } }) : [],
    customer.externalUserid ? ds.getRepository(CustomerGroupMember).find({ where: { memberId: customer.externalUserid }, order: { id: 'ASC' } }) : [],
    rowsMentioning(ds.manager, ds.getMetadata(InboundEvent), needles) as Promise<InboundEvent[]>,
    rowsMentioning(ds.manager, ds.getMetadata(OutboundMessage), needles) as Promise<OutboundMessage[]>,
  ]);
  const groups = members.length ? await ds.getRepository(CustomerGroup).findBy({ id: In(members.map((m) => m.groupId)) }) : [];
  const tagById = new Map(tags.map((t) => [t.id, t]));
  return {
    exportedAt: now.toISOString(),
    customer,
    relations,
    tags: links.map((l) => ({
      tagId: l.tagId,
      name: tagById.get(l.tagId)?.name ?? null,
      group: tagById.get(l.tagId)?.groupName ?? null,
      source: l.source,
      addedBy: l.addedBy,
      createdAt: l.createdAt,
    })),
    stageChanges,
    followUps,
    reminders,
    opportunities,
    opportunityChanges,
    sopRuns: runs.map((r) => ({ ...r, steps: steps.filter((s) => s.runId === r.id) })),
    groupMemberships: members.map((m) => ({ ...m, groupName: groups.find((g) => g.id === m.groupId)?.name ?? null })),
    inboundEvents,
    outboundMessages,
    auditTrail,
    timeline: timeline ? await timeline(customer.id, now, customer.name) : [],
  };
}

/** How much of each kind an export holds: what the audit entry records instead of the data. */
export function exportCounts(doc: CustomerExport): Record<string, number> {
  return {
    relations: doc.relations.length,
    tags: doc.tags.length,
    stageChanges: doc.stageChanges.length,
    followUps: doc.followUps.length,
    reminders: doc.reminders.length,
    opportunities: doc.opportunities.length,
    opportunityChanges: doc.opportunityChanges.length,
    sopRuns: doc.sopRuns.length,
    sopSteps: doc.sopRuns.reduce((n, r) => n + r.steps.length, 0),
    groupMemberships: doc.groupMemberships.length,
    inboundEvents: doc.inboundEvents.length,
    outboundMessages: doc.outboundMessages.length,
    auditTrail: doc.auditTrail.length,
    timeline: doc.timeline.length,
  };
}
