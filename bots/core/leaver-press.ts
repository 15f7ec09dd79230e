import { LEAVER_QUESTION_KEY } from '../../templates/cards/leaver.cards';
import { LEAVER_TEXT } from '../../templates/handover.texts';
import type { CardPress } from './card-action';
import { UserError } from './errors';

/** The leaver's row id after a leaver button's prefix; undefined for anything else (a foreign or malformed key). */
export function parseLeaverPress(press: CardPress): { leaverId: number } | undefined {
  const id = Number(press.args);
  return Number.isInteger(id) && id > 0 && String(id) === press.args ? { leaverId: id } : undefined;
}

/** 全部交给所选同事: the leaver, and the teammate picked in the drop-down (a click without one is told to pick). */
export function parseLeaverPickPress(press: CardPress): { leaverId: number; to: string } | undefined {
  const found = parseLeaverPress(press);
  if (!found) return undefined;
  const to = press.selected[LEAVER_QUESTION_KEY]?.[0];
  if (!to) throw new UserError(LEAVER_TEXT.pickFirst);
  return { ...found, to };
}
