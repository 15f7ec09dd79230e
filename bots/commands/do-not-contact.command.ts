import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { firstArg } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';

interface Input {
  customerQuery: string;
  reason: string | null;
}

/** 勿扰 and 恢复 differ only in the state they set and what they answer. */
function contactPreferenceCommand(spec: {
  name: string;
  aliases: string[];
  usage: string;
  example: string;
  summary: string;
  on: boolean;
  verb: string;
  answer: (name: string, changed: boolean) => string;
}) {
  return defineCommand<Input>({
    name: spec.name,
    aliases: spec.aliases,
    undoable: true,
    usage: spec.usage,
    example: spec.example,
    summary: spec.summary,
    parse(args) {
      // The reason is kept as typed, punctuation and all: "客户要求，不要再发消息".
      const { first: customerQuery, rest } = firstArg(args);
      if (!customerQuery) throw new UsageError(`请写上要${spec.verb}的客户。`);
      return { customerQuery, reason: Array.from(rest).slice(0, 200).join('') || null };
    },
    async run(input, ctx) {
      const customer = await resolveCustomer(ctx, input.customerQuery);
      const result = await ctx.services.doNotContact.set({
        customer,
        on: spec.on,
        reason: input.reason,
        actor: ctx.sender,
        sourceKey: ctx.sourceKey,
        now: ctx.now,
      });
      await ctx.reply({ kind: 'text', content: spec.answer(customer.name, result.changed) });
    },
  });
}

export const doNotContactCommand = contactPreferenceCommand({
  name: '勿扰',
  aliases: ['免打扰'],
  usage: '勿扰 <客户> [原因]',
  example: '勿扰 张三 客户要求不要再发消息',
  summary: '客户不再收到SOP和自动推送',
  on: true,
  verb: '设为勿扰',
  answer: (name, changed) =>
    changed ? `🔕 已将 ${name} 设为勿扰：不再发送SOP步骤。发送「恢复 ${name}」可恢复，「撤销」可在10分钟内撤回。` : `${name} 已经是勿扰状态了。`,
});

export const resumeContactCommand = contactPreferenceCommand({
  name: '恢复',
  aliases: ['取消勿扰', '解除勿扰'],
  usage: '恢复 <客户>',
  example: '恢复 张三',
  summary: '取消客户的勿扰',
  on: false,
  verb: '恢复',
  answer: (name, changed) => (changed ? `🔔 已恢复 ${name}：之后的SOP步骤会照常发送（勿扰期间跳过的不再补发）。` : `${name} 没有设为勿扰。`),
});
