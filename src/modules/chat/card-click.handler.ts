import type { InboundEvent } from '../../../entities';
import { handleCardClick } from '../../../bots/card-actions';
import type { BotServices } from '../../../bots/core/bot-services';
import { createCardActionRouter } from '../../../bots/registry';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { sendReply } from './app-message';

export interface CardClickDeps {
  services: BotServices;
  outbound: OutboundService;
  logger: Logger;
  timezone: string;
  admins: string[];
  now: () => Date;
}

/**
 * The `template_card_event` handler: every click on one of our cards goes to the card action its
 * key names (bots/registry.ts). The registry is built here, at start, so overlapping keys fail then.
 */
export function createCardClickHandler(deps: CardClickDeps): (event: InboundEvent) => Promise<void> {
  const router = createCardActionRouter();
  const { outbound } = deps;
  return (event) =>
    handleCardClick(
      {
        router,
        services: deps.services,
        logger: deps.logger,
        timezone: deps.timezone,
        admins: deps.admins,
        now: deps.now,
        // The salesperson is looking at the card they clicked: updated now, not one queue hop later.
        updateCard: (to, responseCode, update, updateKey) =>
          outbound.sendNow({ channel: 'card_update', userid: to, responseCode, update, idempotencyKey: updateKey }).then(() => undefined),
        // An answer to what they just did: not held by quiet hours, ahead of bulk pushes.
        send: (to, reply, replyKey) => sendReply(outbound, to, reply, replyKey).then(() => undefined),
      },
      { payload: event.payload, fromUser: event.fromUser, sourceKey: event.dedupeKey },
    );
}
