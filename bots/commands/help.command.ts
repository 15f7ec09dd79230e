import type { Command } from '../core/command';
import { defineCommand } from '../core/command';
import { UserError } from '../core/errors';

/** 帮助 is generated from the registry, so it can never list a command that does not exist. */
export function helpCommand(registry: () => Command[]) {
  return defineCommand<{ topic: string | null }>({
    name: '帮助',
    aliases: ['help', '?', '？'],
    phrases: ['菜单', '命令', '怎么用', '使用说明'],
    usage: '帮助 [命令]',
    example: '帮助 记录跟进',
    summary: '命令列表，或一个命令的用法',
    parse: (args) => ({ topic: args.trim() || null }),
    async run(input, ctx) {
      const commands = registry();
      if (input.topic) {
        const command = commands.find((c) => c.name === input.topic || c.aliases.includes(input.topic!));
        if (!command) throw new UserError(`没有「${input.topic}」这个命令。发送「帮助」查看全部命令。`);
        const aliases = command.aliases.length ? `\n别名：${command.aliases.join('、')}` : '';
        await ctx.reply({ kind: 'text', content: `${command.name}：${command.summary}\n用法：${command.usage}\n例如：${command.example}${aliases}` });
        return;
      }
      const lines = commands.map((c) => `**${c.name}** ${c.summary}\n<font color="comment">${c.usage}</font>`);
      await ctx.reply({ kind: 'markdown', content: `**可用命令**\n${lines.join('\n')}\n发送「帮助 命令」看用法和例子` });
    },
  });
}
