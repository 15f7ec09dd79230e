import type { CustomerDirectory } from '../../src/modules/customers';
import type { FollowUpService } from '../../src/modules/follow-ups';
import type { ForecastService, OpportunityService } from '../../src/modules/pipeline';
import type { ReminderService } from '../../src/modules/reminders';
import type { StageService } from '../../src/modules/customers';
import type { TagService } from '../../src/modules/customers';
import type { UndoService } from '../../src/modules/follow-ups';
import type { DigestService } from '../../src/modules/digests';
import type { ChartService } from '../../src/modules/charts';
import type { DoNotContactService } from '../../src/modules/customers';
import type { ConversationStore } from './conversation-store.port';
import type { CustomerTimeline } from '../../src/modules/customers';
import type { ChannelNames } from '../../src/modules/customers';
import type { HandoverRequests } from '../../src/modules/handover';

/** The services commands may call (a port: commands never see the database, Bull or HTTP directly). */
export interface BotServices {
  customers: CustomerDirectory;
  followUps: FollowUpService;
  reminders: ReminderService;
  stages: StageService;
  opportunities: OpportunityService;
  /** 预测 */
  forecast: ForecastService;
  tags: TagService;
  undo: UndoService;
  digest: DigestService;
  /** the charts of 报表 图; undefined when charts are off (CRM_CHARTS=off, or no chart font) */
  charts: ChartService | undefined;
  conversations: ConversationStore;
  /** a customer's interaction timeline and the summary the 查客户 card shows */
  timeline: CustomerTimeline;
  doNotContact: DoNotContactService;
  /** channel states as people read them (a rule's display name, 直接添加 without one) */
  channels: ChannelNames;
  /** 转接: proposals, their confirmation and cancellation */
  handover: HandoverRequests;
}
