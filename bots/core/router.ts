import { distance } from 'fastest-levenshtein';
import type { Command } from './command';

export interface CommandMatch {
  command: Command;
  /** the invoked name or alias */
  invokedAs: string;
  args: string;
}

/**
 * The registry and the matcher. Names and aliases are checked for clashes when it is built (at
 * startup). Matching takes the longest name or alias the text starts with, so `记录跟进` wins over
 * `记录` and `查客户张三` (no space) still finds `查客户`.
 */
export class CommandRouter {
  private readonly byName = new Map<string, Command>();
  private readonly namesLongestFirst: string[];

  constructor(readonly commands: Command[]) {
    for (const command of commands) {
      for (const name of [command.name, ...command.aliases]) {
        const key = name.toLowerCase();
        const existing = this.byName.get(key);
        if (existing) throw new Error(`command name "${name}" is used by both ${existing.name} and ${command.name}`);
        this.byName.set(key, command);
      }
    }
    this.namesLongestFirst = [...this.byName.keys()].sort((a, b) => b.length - a.length);
  }

  match(text: string): CommandMatch | undefined {
    const lower = text.toLowerCase();
    for (const name of this.namesLongestFirst) {
      if (!lower.startsWith(name)) continue;
      const rest = text.slice(name.length);
      // An ASCII alias ("help") must end at a word boundary; Chinese names may run into their argument.
      if (/^[a-z?]+$/.test(name) && rest !== '' && !rest.startsWith(' ')) continue;
      return { command: this.byName.get(name)!, invokedAs: text.slice(0, name.length), args: rest.trim() };
    }
    return undefined;
  }

  find(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The command a typo most likely meant (跟近 → 跟进, 代办 → 待办), or undefined when nothing is close. */
  suggest(text: string): Command | undefined {
    const head = text.split(' ')[0]!.toLowerCase();
    // A long run of text with no space is a sentence ("今天天气不错"), not a mistyped command.
    const looksLikeSentence = !text.includes(' ');
    let best: { command: Command; score: number } | undefined;
    for (const [name, command] of this.byName) {
      if (looksLikeSentence && head.length > name.length + 1) continue;
      const candidate = head.slice(0, Math.max(name.length, 1));
      const d = distance(candidate, name);
      const allowed = name.length <= 2 ? 1 : 2;
      if (d <= allowed && d < name.length && (!best || d < best.score)) best = { command, score: d };
    }
    return best?.command;
  }
}
