import type { CallbackKeys } from '../../src/platform/wecom/callback/callback-crypto';
import { signedCallback } from '../helpers/wecom-callbacks';

/** One delivery attempt as WeCom saw it: the HTTP status, or why there was none. */
export interface Attempt {
  at: number;
  status: number | 'timeout' | 'refused';
}

export interface Delivery {
  attempts: Attempt[];
  /** when WeCom got its 200, if it did */
  ackedAt?: number;
}

export interface SenderOptions {
  /** WeCom waits 5 s for an answer */
  timeoutMs?: number;
  /** and retries a few seconds later, three times (four deliveries in all) */
  retryDelayMs?: number;
  retries?: number;
}

/**
 * Sends callbacks the way WeCom does: encrypted and signed afresh for every delivery (new nonce and
 * timestamp, same plaintext), to 127.0.0.1 only; a non-200 or no answer within 5 s is retried after a
 * few seconds, three times, and then WeCom gives up — what was not acknowledged by then is gone.
 */
export class WecomSender {
  constructor(
    private readonly baseUrl: string,
    private readonly keys: CallbackKeys,
    private readonly options: SenderOptions = {},
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error('the fault suite sends traffic to 127.0.0.1 only');
  }

  async deliver(plaintext: string): Promise<Delivery> {
    const delivery: Delivery = { attempts: [] };
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 3000));
      const status = await this.once(plaintext);
      delivery.attempts.push({ at: Date.now(), status });
      if (status === 200) {
        delivery.ackedAt = Date.now();
        return delivery;
      }
    }
    return delivery;
  }

  /** One POST, whatever the answer (redelivery scenarios send the same event several times on purpose). */
  async once(plaintext: string): Promise<Attempt['status']> {
    const req = signedCallback(this.keys, plaintext);
    try {
      const res = await fetch(`${this.baseUrl}${req.path}`, { method: 'POST', body: req.body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      await res.arrayBuffer();
      return res.status;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
    }
  }

  /** POSTs raw bytes (hostile input: not WeCom, so no retries) and returns the status. */
  async raw(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<number | 'timeout' | 'refused'> {
    try {
      const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      await res.arrayBuffer();
      return res.status;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
    }
  }
}

/** Runs `tasks` with at most `concurrency` in flight (WeCom pushes from many servers at once). */
export async function inParallel<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}
