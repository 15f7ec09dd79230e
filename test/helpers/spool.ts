import type { Container } from '../../src/container';
import { drainSpool, type DrainResult } from '../../src/platform/events/spool-drain';

/** One round of the spool drain of `container`, as main.ts runs it every second (tests call it when they choose). */
export function drainSpoolOf(container: Container): Promise<DrainResult> {
  const { token, encodingAesKey, corpId } = container.wecom;
  return drainSpool({
    spool: container.spool,
    intake: container.intake,
    keys: { token, encodingAesKey, corpId },
    databaseUp: async () => void (await container.dataSource.query('SELECT 1')),
    metrics: container.metrics,
    logger: container.logger,
  });
}
