import type { Opportunity } from '../../../entities';

export type Picked = { kind: 'found'; opportunity: Opportunity } | { kind: 'none' } | { kind: 'ambiguous'; names: string[] };

/**
 * Which open opportunity a command means: the one `id` is (a card's button), else the one `name` names; without a name, the one without a
 * name, else the only one open. Several open and none fits: the caller asks, listing their names.
 */
export function pickOpen(open: Opportunity[], name: string | null, id?: number): Picked {
  if (id !== undefined) {
    const byId = open.find((o) => o.id === id);
    return byId ? { kind: 'found', opportunity: byId } : { kind: 'none' };
  }
  if (name !== null) {
    const named = open.find((o) => o.name === name);
    return named ? { kind: 'found', opportunity: named } : { kind: 'none' };
  }
  const unnamed = open.find((o) => o.name === null);
  if (unnamed) return { kind: 'found', opportunity: unnamed };
  if (open.length === 1) return { kind: 'found', opportunity: open[0]! };
  if (open.length === 0) return { kind: 'none' };
  return { kind: 'ambiguous', names: open.map((o) => o.name ?? '') };
}
