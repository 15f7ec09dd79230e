import type { CardAction } from './card-action';

export interface CardActionMatch {
  action: CardAction;
  /** the EventKey after the action's prefix */
  args: string;
}

/**
 * The card-action registry: a click's EventKey names its action by prefix. Prefixes are checked
 * when it is built (at start): two that overlap would leave a click's action to registration order.
 */
export class CardActionRouter {
  constructor(readonly actions: CardAction[]) {
    for (const [i, action] of actions.entries()) {
      if (!action.key) throw new Error(`card action "${action.summary}" has no key prefix`);
      for (const other of actions.slice(0, i)) {
        if (action.key.startsWith(other.key) || other.key.startsWith(action.key))
          throw new Error(`card action key "${action.key}" overlaps "${other.key}" (${action.summary} / ${other.summary})`);
      }
    }
  }

  match(eventKey: string): CardActionMatch | undefined {
    const action = this.actions.find((a) => eventKey.startsWith(a.key));
    return action ? { action, args: eventKey.slice(action.key.length) } : undefined;
  }
}
