import type { EntityManager } from 'typeorm';
import { AuditLog } from '../../entities';

/** Writes one audit row in the caller's transaction. */
export async function audit(
  manager: EntityManager,
  entry: { actor: string; action: string; targetType: string; targetId: number | string; detail?: Record<string, unknown>; sourceKey?: string },
): Promise<AuditLog> {
  return manager.getRepository(AuditLog).save({
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: String(entry.targetId),
    detail: entry.detail ?? null,
    sourceKey: entry.sourceKey ?? null,
  });
}
