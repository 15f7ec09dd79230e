import type { CardPress } from './card-action';

/** The handover id after a handover button's prefix; undefined for anything else (a foreign or malformed key). */
export function parseHandoverPress(press: CardPress): { handoverId: number } | undefined {
  const id = Number(press.args);
  return Number.isInteger(id) && id > 0 && String(id) === press.args ? { handoverId: id } : undefined;
}
