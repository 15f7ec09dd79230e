import type { InboundEvent } from '../../../entities';

export interface HandlerAttempt {
  /** no retry is left after this attempt: the last chance to tell someone it failed */
  final: boolean;
}

/**
 * What a handler returns when the urgent part of its work is done and the rest can wait (a welcome
 * message is sent, recording the customer can come after the rest of a burst's welcomes). The
 * event's "later" handler then runs from a low-priority job; `carry` (small, JSON) saves it
 * repeating a WeCom call, and may be missing when the job had to be re-created.
 */
export interface Deferred {
  deferred: true;
  carry?: unknown;
}

export type EventHandler = (event: InboundEvent, attempt: HandlerAttempt) => Promise<void | Deferred>;

/** How an event failed for good: at once (a retry cannot fix it), after its last retry, or abandoned by the queue. */
export interface EventFailure {
  cause: 'permanent' | 'retries_exhausted' | 'abandoned';
  /** what went wrong, as stored on the row */
  reason: string;
}

/** Tells whoever is waiting for the event (the salesperson who typed a command) that it failed. Must be idempotent. */
export type FailureNotice = (event: InboundEvent, failure: EventFailure) => Promise<void>;
export type LaterHandler = (event: InboundEvent, attempt: HandlerAttempt, carry: unknown) => Promise<void>;

export function defer(carry?: unknown): Deferred {
  return { deferred: true, carry };
}

export function isDeferred(value: unknown): value is Deferred {
  return typeof value === 'object' && value !== null && (value as Deferred).deferred === true;
}

/**
 * Handlers per event kind (`text`, `change_external_contact/add_external_contact`, `template_card_event`, …).
 * A handler registered for `change_external_contact` receives every change type without its own.
 * Registering a kind twice is a programming error and fails at startup.
 */
export class EventHandlerRegistry {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly laterHandlers = new Map<string, LaterHandler>();
  private readonly failureNotices = new Map<string, FailureNotice>();

  register(kind: string, handler: EventHandler, later?: LaterHandler): this {
    if (this.handlers.has(kind)) throw new Error(`a handler for "${kind}" is already registered`);
    this.handlers.set(kind, handler);
    if (later) this.laterHandlers.set(kind, later);
    return this;
  }

  resolve(kind: string): EventHandler | undefined {
    return this.handlers.get(kind) ?? this.handlers.get(kind.split('/')[0]!);
  }

  /** The second stage of a handler that deferred part of its work (found the same way as `resolve`). */
  resolveLater(kind: string): LaterHandler | undefined {
    return this.handlers.has(kind) ? this.laterHandlers.get(kind) : this.laterHandlers.get(kind.split('/')[0]!);
  }

  /** What happens when an event of this kind fails for good (found the same way as `resolve`). */
  onFailure(kind: string, notice: FailureNotice): this {
    this.failureNotices.set(kind, notice);
    return this;
  }

  resolveFailureNotice(kind: string): FailureNotice | undefined {
    return this.failureNotices.get(kind) ?? this.failureNotices.get(kind.split('/')[0]!);
  }

  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
