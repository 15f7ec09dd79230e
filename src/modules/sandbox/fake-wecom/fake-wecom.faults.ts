/**
 * Failure injection, the one place tests and the fault suite make the fake WeCom misbehave: an API
 * that answers an errcode (once, a few times or until removed), answers late, hangs until a promise
 * settles, or fails over HTTP. Faults are consulted before anything else, as a sick WeCom answers
 * before it looks at the token or the body.
 */

/** An errcode answer (with any other fields), or an HTTP failure with no WeCom body. */
export type FaultAnswer = ({ errcode: number; errmsg: string } & Record<string, unknown>) | { httpStatus: number; text?: string };

export interface FaultCall {
  api: string;
  body: Record<string, unknown>;
  query: Record<string, string | undefined>;
}

/** An answer, or a function of the call giving one; undefined (or a promise settling without one) lets the fake answer as usual after it. */
export type FaultAnswerSource = FaultAnswer | ((call: FaultCall) => FaultAnswer | undefined | Promise<unknown>);

export interface Fault {
  /** the APIs it applies to (e.g. `externalcontact/get`); every API, gettoken included, when not given */
  apis?: readonly string[];
  /** only the calls this accepts */
  when?: (call: FaultCall) => boolean;
  /** how many calls it applies to before it is gone; every call when not given */
  times?: number;
  /** waits this long before answering (a slow WeCom) */
  delayMs?: number;
  answer?: FaultAnswerSource;
}

export class FakeWecomFaults {
  private readonly faults: Fault[] = [];

  /** Adds a fault; returns what removes it. */
  add(fault: Fault): () => void {
    const added = { ...fault };
    this.faults.push(added);
    return () => this.remove(added);
  }

  /** `api` answers `answer` instead of the fake's own answer (every call, or the next `times`). */
  answer(api: string, answer: FaultAnswerSource, times?: number): () => void {
    return this.add({ apis: [api], answer, times });
  }

  /** `api` answers `delayMs` late (every call, or the next `times`). */
  delay(api: string, delayMs: number, times?: number): () => void {
    return this.add({ apis: [api], delayMs, times });
  }

  clear(): void {
    this.faults.splice(0);
  }

  /** Applies the faults for a call in the order they were added: the first injected answer, or undefined for the fake's own. */
  async apply(call: FaultCall): Promise<FaultAnswer | undefined> {
    for (const fault of [...this.faults]) {
      if (fault.apis && !fault.apis.includes(call.api)) continue;
      if (fault.when && !fault.when(call)) continue;
      if (fault.times !== undefined && --fault.times <= 0) this.remove(fault);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const answer = typeof fault.answer === 'function' ? await fault.answer(call) : fault.answer;
      if (isFaultAnswer(answer)) return answer;
    }
    return undefined;
  }

  private remove(fault: Fault): void {
    const at = this.faults.indexOf(fault);
    if (at >= 0) this.faults.splice(at, 1);
  }
}

function isFaultAnswer(value: unknown): value is FaultAnswer {
  return typeof value === 'object' && value !== null && ('errcode' in value || 'httpStatus' in value);
}
