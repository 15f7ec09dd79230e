/**
 * Where domain changes hand over to the SOP engine (src/sop/), without services knowing it. Called
 * after the change is committed, also for a redelivered command: implementations dedupe on the
 * source key.
 */
export interface SopTriggers {
  stageChanged(input: { customerId: number; to: string; staffUserid: string | null; sourceKey: string }): Promise<void>;
  tagsAdded(input: { customerId: number; tagNames: string[]; staffUserid: string | null; sourceKey: string }): Promise<void>;
}

/**
 * The container builds services before any worker role exists; the worker attaches the engine. In a
 * web-only process nothing is attached and the calls do nothing.
 */
export class SopTriggerRelay implements SopTriggers {
  private target: SopTriggers | undefined;

  attach(target: SopTriggers): void {
    this.target = target;
  }

  async stageChanged(input: Parameters<SopTriggers['stageChanged']>[0]): Promise<void> {
    await this.target?.stageChanged(input);
  }

  async tagsAdded(input: Parameters<SopTriggers['tagsAdded']>[0]): Promise<void> {
    await this.target?.tagsAdded(input);
  }
}
