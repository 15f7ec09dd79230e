import type { Logger } from '../src/platform/logger';
import type { BotServices } from './core/bot-services';
import type { CardActionContext, CardPress, CardUpdate } from './core/card-action';
import type { CardActionRouter } from './core/card-action-router';
import { parseCardClick } from './core/card-click';
import { UserError } from './core/errors';
import type { BotReply } from './core/reply';

/** A `template_card_event` as stored: the click's fields, who sent it, and its dedupe key. */
export interface IncomingClick {
  payload: Record<string, unknown>;
  fromUser: string;
  /** the event's dedupe key: unique per click, stable across redeliveries and job retries */
  sourceKey: string;
}

export interface CardActionDeps {
  router: CardActionRouter;
  services: BotServices;
  logger: Logger;
  timezone: string;
  /** lower-cased userids of the admins (CRM_ADMINS): they see every customer */
  admins?: string[];
  now(): Date;
  /** changes the clicked card for `to` (its WeCom userid) with the click's single-use ResponseCode */
  updateCard(to: string, responseCode: string, update: CardUpdate, updateKey: string): Promise<void>;
  /** sends a new message to `to` (`replyKey` is its idempotency key) */
  send(to: string, reply: BotReply, replyKey: string): Promise<void>;
}

/**
 * One click on one of our cards → the action its EventKey names, inside the one error boundary of
 * card actions: a click that is no button of ours (a foreign or malformed key) is logged and
 * ignored; a user error greys the clicked button with its text (no retry); anything else
 * propagates so the queue retries it (and, when it fails for good, the failure notice answers).
 * Writes carry the event's key, so a retry records once; a redelivered event is dropped earlier,
 * by the webhook's dedupe.
 */
export async function handleCardClick(deps: CardActionDeps, incoming: IncomingClick): Promise<void> {
  const { sourceKey } = incoming;
  const click = parseCardClick(incoming);
  const match = click ? deps.router.match(click.eventKey) : undefined;
  const ignored = () => deps.logger.warn({ dedupeKey: sourceKey, eventKey: click?.eventKey }, 'template_card_event for no card of ours: ignored');
  if (!click || !match) return ignored();

  const parseContext = { now: deps.now(), timezone: deps.timezone };
  let replies = 0;
  const ctx: CardActionContext = {
    ...parseContext,
    clicker: click.userid,
    isAdmin: deps.admins?.includes(click.userid) ?? false,
    sourceKey,
    services: deps.services,
    // Without a ResponseCode the card cannot be changed: the click still acts.
    update: async (update) => {
      if (click.responseCode) await deps.updateCard(click.wecomUserid, click.responseCode, update, `card:${sourceKey}`);
    },
    reply: (reply) => deps.send(click.wecomUserid, reply, `card-reply:${sourceKey}:${replies++}`),
  };
  const press: CardPress = { args: match.args, taskId: click.taskId, selected: click.selected };
  const { action } = match;
  try {
    const input = action.parse ? action.parse(press, parseContext) : press;
    if (input === undefined) return ignored();
    await action.run(input, ctx);
  } catch (error) {
    if (error instanceof UserError) {
      await ctx.update({ button: { replace_name: error.reply } });
      return;
    }
    deps.logger.error({ err: error, action: action.key, sender: click.userid, sourceKey }, 'card action failed; will be retried');
    throw error;
  }
}
