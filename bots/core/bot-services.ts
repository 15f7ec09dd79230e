import type { CustomerDirectory } from '../../src/services/customer-directory.service';
import type { FollowUpService } from '../../src/services/follow-up.service';
import type { OpportunityService } from '../../src/services/opportunity.service';
import type { ReminderService } from '../../src/services/reminder.service';
import type { StageService } from '../../src/services/stage.service';
import type { TagService } from '../../src/services/tag.service';
import type { UndoService } from '../../src/services/undo.service';
import type { DigestQueries } from '../../src/services/digest-queries.service';
import type { DoNotContactService } from '../../src/services/do-not-contact.service';
import type { ConversationStore } from './conversation-store.port';

/** The services commands may call (a port: commands never see the database, Bull or HTTP directly). */
export interface BotServices {
  customers: CustomerDirectory;
  followUps: FollowUpService;
  reminders: ReminderService;
  stages: StageService;
  opportunities: OpportunityService;
  tags: TagService;
  undo: UndoService;
  digest: DigestQueries;
  conversations: ConversationStore;
  doNotContact: DoNotContactService;
}
