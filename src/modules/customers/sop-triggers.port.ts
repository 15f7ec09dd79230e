/**
 * Where domain changes hand over to the SOP engine (src/modules/sop/), without services knowing it.
 * Called after the change is committed, also for a redelivered command: implementations dedupe on
 * the source key. A worker's composition root (src/modules/index.ts) builds the stage and tag
 * services on its engine; elsewhere (web, CLI) they have none and start no SOP.
 */
export interface SopTriggers {
  stageChanged(input: { customerId: number; to: string; staffUserid: string | null; sourceKey: string }): Promise<void>;
  tagsAdded(input: { customerId: number; tagNames: string[]; staffUserid: string | null; sourceKey: string }): Promise<void>;
}
