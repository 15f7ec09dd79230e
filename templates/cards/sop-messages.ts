import { renderTemplate } from '../render-template';
import { maskPhones } from '../mask-phone';

/** What an SOP step sends, as markdown (app message to the salesperson, or the team group). Pure. */

export interface SopStepMessageInput {
  sopTitle: string;
  stepNumber: number;
  stepCount: number;
  customerName: string;
  text: string;
  /** the group post @-mentions the salesperson (robots: `<@userid>`) or names them */
  mention?: { wecomUserid: string; name: string; robot: boolean };
  /** the salesperson who left and whose step this is (离职继承: their lead receives it meanwhile) */
  onBehalfOf?: string;
}

export function sopStepMarkdown(input: SopStepMessageInput): string {
  const who = input.mention ? (input.mention.robot ? ` <@${input.mention.wecomUserid}>` : ` ${input.mention.name}`) : '';
  // A post with a mention goes to the team group, read by more than the customer's owner.
  const shown = (text: string) => maskPhones(text, !input.mention);
  // To the stand-in themselves 由你代收; in the team group the mention above says who stands in.
  const standsIn = input.mention ? '由被提到的同事代收' : '由你代收';
  const behalf = input.onBehalfOf ? [`<font color="warning">${input.onBehalfOf}（已离职）的 SOP，客户接替前${standsIn}</font>`] : [];
  return [
    `**SOP · ${input.sopTitle}**（第${input.stepNumber}/${input.stepCount}步）${who}`,
    ...behalf,
    `> 客户：${shown(input.customerName)}`,
    shown(input.text),
  ].join('\n');
}

/** What a step's field says when its value is not known (a salesperson's name before the directory has it). */
export const SOP_FIELD_FALLBACKS: Record<string, string> = { name: '客户', staff: '负责的同事', stage: '当前阶段', state: '直接添加', tag: '该标签' };

/** `{name}` → the value, or its fallback wording when not known; unknown fields were refused when the file was loaded. */
export function renderSopText(template: string, fields: Record<string, string | null>): string {
  return renderTemplate(template, fields, SOP_FIELD_FALLBACKS);
}
