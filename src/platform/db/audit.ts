import type { EntityManager } from 'typeorm';
import { AuditLog } from '../../../entities';

/**
 * Writes one audit row in the caller's transaction. `at` is the caller's clock when it has one, so
 * the row's time agrees with the record it describes (撤销's window is measured on that clock).
 */
export async function audit(
  manager: EntityManager,
  entry: { actor: string; action: string; targetType: string; targetId: number | string; detail?: Record<string, unknown>; sourceKey?: string; at?: Date },
): Promise<AuditLog> {
  return manager.getRepository(AuditLog).save({
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: String(entry.targetId),
    detail: entry.detail ?? null,
    sourceKey: entry.sourceKey ?? null,
    ...(entry.at ? { createdAt: entry.at } : {}),
  });
}
