import { distance } from 'fastest-levenshtein';
import type { Command } from './command';
import { trimLeadingSeparators } from './normalize';

export interface CommandMatch {
  command: Command;
  /** the invoked name or alias, as typed */
  invokedAs: string;
  args: string;
  /** the first word was a one-character typo of a name of this command ("查课户" for 查客户) */
  corrected?: boolean;
}

/** The command a mistyped one most likely meant: one (with the arguments that followed) or a tie. */
export type NearestCommand = { kind: 'one'; command: Command; typed: string; args: string; distance: number } | { kind: 'several'; commands: Command[] };

/** Where the command word ends: a space, a line break, or the punctuation that may follow it. */
const HEAD_END = /[\s，、；;：,:]/;

const headOf = (text: string) => {
  const end = text.search(HEAD_END);
  return end === -1 ? text : text.slice(0, end);
};

/**
 * The registry and the matcher. Names and aliases are checked for clashes when it is built (at
 * startup). Matching takes the longest name or alias the text starts with, so `记录跟进` wins over
 * `记录` and `查客户张三` (no space) still finds `查客户`; a phrase (`我的待办`) matches only the
 * whole message.
 */
export class CommandRouter {
  private readonly byName = new Map<string, Command>();
  private readonly byPhrase = new Map<string, Command>();
  private readonly namesLongestFirst: string[];

  constructor(readonly commands: Command[]) {
    for (const command of commands) {
      for (const name of [command.name, ...command.aliases, ...(command.phrases ?? [])]) {
        const key = name.toLowerCase();
        const existing = this.byName.get(key) ?? this.byPhrase.get(key);
        if (existing) throw new Error(`command name "${name}" is used by both ${existing.name} and ${command.name}`);
        (command.phrases?.includes(name) ? this.byPhrase : this.byName).set(key, command);
      }
    }
    this.namesLongestFirst = [...this.byName.keys()].sort((a, b) => b.length - a.length);
  }

  match(text: string): CommandMatch | undefined {
    const lower = text.toLowerCase();
    const phrase = this.byPhrase.get(lower);
    if (phrase) return { command: phrase, invokedAs: text, args: '' };
    for (const name of this.namesLongestFirst) {
      if (!lower.startsWith(name)) continue;
      const rest = text.slice(name.length);
      // An ASCII alias ("help") must end at a word boundary; Chinese names may run into their argument.
      if (/^[a-z?]+$/.test(name) && rest !== '' && !HEAD_END.test(rest[0]!)) continue;
      const command = this.byName.get(name)!;
      // "查课户 张三" starts with the alias 查, but its first word is a typo of 查客户: take the whole word.
      const head = headOf(text);
      const typoOfLonger = head.length > name.length && this.namesOf(command).some((n) => n.length === head.length && distance(head.toLowerCase(), n) === 1);
      const invokedAs = typoOfLonger ? head : text.slice(0, name.length);
      return { command, invokedAs, args: trimLeadingSeparators(text.slice(invokedAs.length)).trim(), ...(typoOfLonger ? { corrected: true } : {}) };
    }
    return undefined;
  }

  find(name: string): Command | undefined {
    const key = name.toLowerCase();
    return this.byName.get(key) ?? this.byPhrase.get(key);
  }

  /**
   * The command a typo most likely meant (跟近 → 记录跟进, 代办 → 待办, 我的代办 → 待办), the
   * arguments typed after it, and how far it was; `several` when two commands are as near.
   * Undefined when nothing is close (plain chat).
   */
  nearest(text: string): NearestCommand | undefined {
    const head = headOf(text).toLowerCase();
    // A long run of text with no space is a sentence ("今天天气不错"), not a mistyped command.
    const looksLikeSentence = head === text.toLowerCase();
    let best: { score: number; commands: Map<Command, string> } | undefined;
    const consider = (command: Command, typed: string, d: number) => {
      if (!best || d < best.score) best = { score: d, commands: new Map([[command, typed]]) };
      else if (d === best.score && !best.commands.has(command)) best.commands.set(command, typed);
    };
    for (const [name, command] of this.byName) {
      if (looksLikeSentence && head.length > name.length + 1) continue;
      const candidate = head.slice(0, Math.max(name.length, 1));
      const d = distance(candidate, name);
      if (d <= (name.length <= 2 ? 1 : 2) && d < name.length) consider(command, text.slice(0, candidate.length), d);
    }
    for (const [phrase, command] of this.byPhrase) {
      const d = distance(text.toLowerCase(), phrase);
      if (d <= (phrase.length <= 3 ? 1 : 2) && d < phrase.length) consider(command, text, d);
    }
    if (!best) return undefined;
    const found: { score: number; commands: Map<Command, string> } = best;
    if (found.commands.size > 1) return { kind: 'several', commands: [...found.commands.keys()] };
    const [[command, typed]] = [...found.commands];
    return { kind: 'one', command, typed, args: trimLeadingSeparators(text.slice(typed.length)).trim(), distance: found.score };
  }

  /** The nearest command of a typo, or the first of a tie (for a "did you mean" line). */
  suggest(text: string): Command | undefined {
    const nearest = this.nearest(text);
    if (!nearest) return undefined;
    return nearest.kind === 'one' ? nearest.command : nearest.commands[0];
  }

  private namesOf(command: Command): string[] {
    return [command.name, ...command.aliases].map((n) => n.toLowerCase());
  }
}
