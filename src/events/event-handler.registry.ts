import type { InboundEvent } from '../../entities';

export interface HandlerAttempt {
  /** no retry is left after this attempt: the last chance to tell someone it failed */
  final: boolean;
}

export type EventHandler = (event: InboundEvent, attempt: HandlerAttempt) => Promise<void>;

/**
 * Handlers per event kind (`text`, `change_external_contact/add_external_contact`, `template_card_event`, …).
 * A handler registered for `change_external_contact` receives every change type without its own.
 * Registering a kind twice is a programming error and fails at startup.
 */
export class EventHandlerRegistry {
  private readonly handlers = new Map<string, EventHandler>();

  register(kind: string, handler: EventHandler): this {
    if (this.handlers.has(kind)) throw new Error(`a handler for "${kind}" is already registered`);
    this.handlers.set(kind, handler);
    return this;
  }

  resolve(kind: string): EventHandler | undefined {
    return this.handlers.get(kind) ?? this.handlers.get(kind.split('/')[0]!);
  }

  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
