/** What other modules may use of customers. */
export type { ChannelNames } from './channel-names.port';
export { corpTagSync } from './corp-tag-sync.adapter';
export { CustomerDirectory, type Reach } from './customer-directory.service';
export type { CustomerCandidate } from './customer-directory.service';
export { CustomerTimeline } from './customer-timeline.service';
export { DoNotContactService } from './do-not-contact.service';
export { StageService, stageFromChinese } from './stage.service';
export { TagService } from './tag.service';
export { endedRelationOf, withoutEndedRelations } from './ended-relation';
export type { SopTriggers } from './sop-triggers.port';
export { TeamGroups, type TeamGroupCard, type TeamGroupPost } from './team-group';
