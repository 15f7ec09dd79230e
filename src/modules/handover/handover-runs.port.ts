/** Runs a confirmed handover's next step in the background: its submission to WeCom, then each poll of the result. */
export interface HandoverRuns {
  /** `delayMs` 0: now (a poll already waiting for later is overtaken, not replaced) */
  schedule(handoverId: number, delayMs: number): Promise<void>;
}
