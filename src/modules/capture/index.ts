/** What other modules may use of customer capture. */
export type { ChannelRules } from './channel-rules';
export { captureWork, createCaptureModule } from './capture.module';
export { loadChannelRules } from './channel-rules';
export { ContactWayError, ContactWayService } from './contact-way.service';
export { CustomerSync } from './customer-sync';
export type { SyncProgress } from './customer-sync';
export { reconcileAndReport } from './reconcile.job';
export type { CustomerAdded, ScheduleSteps, SopStarter } from './sop-starter.port';
export { loadTeamsFile } from './teams-file';
export type { TeamsFile } from './teams-file';
export type { TransferHook } from './transfer-hook.port';
export type { LeaverHook } from './leaver-hook.port';
