/** What an SOP step sends, as markdown (app message to the salesperson, or the team group). Pure. */

export interface SopStepMessageInput {
  sopTitle: string;
  stepNumber: number;
  stepCount: number;
  customerName: string;
  text: string;
  /** the group post @-mentions the salesperson (robots: `<@userid>`) or names them */
  mention?: { wecomUserid: string; name: string; robot: boolean };
}

export function sopStepMarkdown(input: SopStepMessageInput): string {
  const who = input.mention ? (input.mention.robot ? ` <@${input.mention.wecomUserid}>` : ` ${input.mention.name}`) : '';
  return [`**SOP · ${input.sopTitle}**（第${input.stepNumber}/${input.stepCount}步）${who}`, `> 客户：${input.customerName}`, input.text].join('\n');
}

/** `{name}` → the value; unknown fields were refused when the file was loaded. */
export function renderSopText(template: string, fields: Record<string, string>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, field: string) => fields[field] ?? whole);
}
