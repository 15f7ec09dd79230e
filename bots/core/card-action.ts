import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import type { BotServices } from './bot-services';
import type { ParseContext } from './command';
import type { BotReply } from './reply';

/** What `parse` reads of a click: the EventKey after the action's prefix, the card's TaskId, the picks. */
export interface CardPress {
  /** the EventKey after the action's `key` prefix (`12` of `rem:done:12`; empty for `todo:done`) */
  args: string;
  taskId: string;
  /** selections of button_selection / vote cards: question key → chosen option ids */
  selected: Record<string, string[]>;
}

/** How the clicked card changes for the clicker: a greyed button's new label, or the whole card redrawn. */
export type CardUpdate = { button: { replace_name: string } } | { template_card: TemplateCard };

/** Everything `run` needs: who clicked, the services, and how to answer. Actions never see HTTP, Bull or the WeCom client. */
export interface CardActionContext extends ParseContext {
  /** lower-cased userid of the salesperson who clicked */
  clicker: string;
  /** the clicker is an admin (CRM_ADMINS) */
  isAdmin: boolean;
  /** unique per delivered click (the event's dedupe key): every write an action makes carries it, so a retry records once */
  sourceKey: string;
  services: BotServices;
  /** changes the clicked card in place for the clicker (the click's ResponseCode is single-use: once per click) */
  update(update: CardUpdate): Promise<void>;
  /** a new message to the clicker; the card stays as it is */
  reply(message: BotReply): Promise<void>;
}

export interface CardAction<Input = unknown> {
  /**
   * The EventKey prefix of this action's buttons (`rem:done:`). No two actions' prefixes may
   * overlap (one a prefix of the other): the registry refuses it at start.
   */
  key: string;
  /** which button of which card, e.g. 提醒卡片的「完成」 */
  summary: string;
  /**
   * The click → typed input. Pure. Undefined for a key this action cannot read (a malformed or
   * foreign click: ignored); throws UserError for one the clicker should hear about. Without it,
   * `run` gets the press as it came.
   */
  parse?(press: CardPress, ctx: ParseContext): Input | undefined;
  run(input: Input, ctx: CardActionContext): Promise<void>;
}

/** Keeps each action's Input type while letting the registry hold them together. */
export function defineCardAction<Input = CardPress>(action: CardAction<Input>): CardAction<Input> {
  return action;
}
