import type { CustomerDirectory } from '../../src/services/customer-directory.service';
import type { FollowUpService } from '../../src/services/follow-up.service';
import type { OpportunityService } from '../../src/services/opportunity.service';
import type { ReminderService } from '../../src/services/reminder.service';
import type { StageService } from '../../src/services/stage.service';
import type { TagService } from '../../src/services/tag.service';
import type { UndoService } from '../../src/services/undo.service';
import type { DigestService } from '../../src/services/digest.service';
import type { DoNotContactService } from '../../src/services/do-not-contact.service';
import type { ConversationStore } from './conversation-store.port';
import type { CustomerTimeline } from '../../src/services/customer-timeline.service';
import type { ChannelNames } from '../../src/services/channel-names.port';

/** The services commands may call (a port: commands never see the database, Bull or HTTP directly). */
export interface BotServices {
  customers: CustomerDirectory;
  followUps: FollowUpService;
  reminders: ReminderService;
  stages: StageService;
  opportunities: OpportunityService;
  tags: TagService;
  undo: UndoService;
  digest: DigestService;
  conversations: ConversationStore;
  /** a customer's interaction timeline and the summary the 查客户 card shows */
  timeline: CustomerTimeline;
  doNotContact: DoNotContactService;
  /** channel states as people read them (a rule's display name, 直接添加 without one) */
  channels: ChannelNames;
}
