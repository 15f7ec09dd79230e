/** What other modules and the bot may use of handovers. */
export type { HandoverClick, HandoverRequest, HandoverRequests, ProposeAnswer } from './handover.service';
export { createHandoverService, handoverModule } from './handover.module';
export type { LeaverAnswer, LeaverRequest } from './leaver.service';
export { standInFor, type StandIn } from './stand-in';
export { handedOverRelation, handedOverTo } from './handed-over';
