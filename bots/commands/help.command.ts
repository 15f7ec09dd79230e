import { distance } from 'fastest-levenshtein';
import type { Command } from '../core/command';
import { defineCommand } from '../core/command';
import { UserError } from '../core/errors';

/**
 * 帮助 is generated from the registry, so it can never list a command that does not exist. The list
 * is one line per command (name and what it does, about 1.3 KB for 17 commands) so that it fits one
 * app message (2048 bytes of markdown); the usage and an example are one `帮助 <命令>` away. Should
 * the list ever outgrow a message, the outbound queue splits it into consecutive messages.
 */
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
        const topic = input.topic.toLowerCase();
        const command = commands.find((c) => [c.name, ...c.aliases].some((n) => n.toLowerCase() === topic));
        if (!command) {
          const near = nearest(commands, topic);
          throw new UserError(`没有「${input.topic}」这个命令。${near ? `你是不是想看「帮助 ${near.name}」？` : ''}发送「帮助」查看全部命令。`);
        }
        const aliases = command.aliases.length ? `\n别名：${command.aliases.join('、')}` : '';
        await ctx.reply({ kind: 'text', content: `${command.name}：${command.summary}\n用法：${command.usage}\n例如：${command.example}${aliases}` });
        return;
      }
      const lines = commands.map((c) => `**${c.name}** ${c.summary}`);
      const example = commands[0] ? `，例如「帮助 ${commands[0].name}」` : '';
      await ctx.reply({ kind: 'markdown', content: `**可用命令**\n${lines.join('\n')}\n<font color="comment">发送「帮助 命令」看用法和例子${example}</font>` });
    },
  });
}

/** The command a mistyped topic most likely meant (帮助 跟近 → 记录跟进), as the router guesses a command. */
function nearest(commands: Command[], topic: string): Command | undefined {
  let best: { command: Command; d: number } | undefined;
  for (const command of commands) {
    for (const name of [command.name, ...command.aliases]) {
      const d = distance(topic, name.toLowerCase());
      if (d <= (name.length <= 2 ? 1 : 2) && d < name.length && (!best || d < best.d)) best = { command, d };
    }
  }
  return best?.command;
}
