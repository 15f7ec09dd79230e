/** What other modules and the bot may use of handovers. */
export type { HandoverClick, HandoverRequest, HandoverRequests, ProposeAnswer } from './handover.service';
export { createHandoverService, handoverModule } from './handover.module';
