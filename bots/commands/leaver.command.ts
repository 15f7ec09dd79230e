import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';

/** 离职继承 as typed: whose customers, and all to one teammate, evenly, or (neither) the card again. */
export interface LeaverInput {
  leaver: string;
  mode: { kind: 'one'; to: string } | { kind: 'even' } | { kind: 'show' };
}

const EVENLY = new Set(['平均分配', '平均分', '平分', '均分', '平均分给团队', '分给团队']);

/** `张伟 给 李娜` / `张伟 平均分配` / `张伟` (the card again). Pure. */
export function parseLeaver(args: string): LeaverInput {
  const text = args.trim().replace(/\s+/g, ' ');
  const usage = '请写离职的同事和分给谁，例如「离职继承 张伟 给 李娜」或「离职继承 张伟 平均分配」。';
  if (!text) throw new UsageError(usage);
  const to = /^(\S+?)\s*(?:的(?:全部|所有)?客户)?\s*(?:全部)?给\s*(\S+)$/.exec(text);
  if (to) return { leaver: to[1]!, mode: { kind: 'one', to: to[2]! } };
  const [leaver, ...rest] = text.split(' ');
  const how = rest.join('');
  if (!how) return { leaver: leaver!, mode: { kind: 'show' } };
  if (EVENLY.has(how)) return { leaver: leaver!, mode: { kind: 'even' } };
  throw new UsageError(usage);
}

/** 离职继承: a lead (their team) or an admin hands a leaver's customers to one teammate or evenly across the team. */
export const leaverCommand = defineCommand<LeaverInput>({
  name: '离职继承',
  aliases: ['离职分配', '离职转接'],
  usage: '离职继承 <离职的同事> [给 <销售>|平均分配]',
  example: '离职继承 张伟 给 李娜',
  summary: '主管：分配离职同事的客户（离职继承）',
  parse: parseLeaver,
  async run(input, ctx) {
    const answer = await ctx.services.handover.assignLeaver({
      sender: ctx.sender,
      isAdmin: ctx.isAdmin,
      leaver: { name: input.leaver },
      mode: input.mode,
      sourceKey: ctx.sourceKey,
    });
    await ctx.reply(answer.kind === 'card' ? { kind: 'card', card: answer.card } : { kind: 'text', content: answer.text });
  },
});
