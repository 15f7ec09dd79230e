import type { BotReply } from './reply';
import type { BotServices } from './bot-services';

/** What `parse` may use besides the text: the clock and the time zone, so parsing stays pure. */
export interface ParseContext {
  now: Date;
  timezone: string;
}

/** Everything `run` needs: who asked, the services, and how to answer. Commands never see HTTP or Bull. */
export interface CommandContext extends ParseContext {
  /** lower-cased userid of the salesperson */
  sender: string;
  isAdmin: boolean;
  /** unique per delivered message (`msg:<MsgId>`): every write a command makes carries it, so a redelivery records once */
  sourceKey: string;
  services: BotServices;
  reply(message: BotReply): Promise<void>;
  /** set when this run answers "which one?" with a number: the customer picked from the list */
  chosenCustomerId?: number;
}

export interface Command<Input = unknown> {
  name: string;
  /** other names that start a message like the name does (`跟进 张三 …`) */
  aliases: string[];
  /**
   * Common phrasings that are the whole message (`我的待办`, `今天`): matched only when nothing
   * else is typed, so "今天天气不错" stays chat.
   */
  phrases?: string[];
  /** it records something `撤销` can undo (a typo that ran it says so) */
  undoable?: boolean;
  /** e.g. `记录跟进 <客户> <内容>` */
  usage: string;
  /** a complete example a salesperson can copy */
  example: string;
  summary: string;
  /** text after the command name → typed input; throws UsageError. Pure. */
  parse(args: string, ctx: ParseContext): Input;
  run(input: Input, ctx: CommandContext): Promise<void>;
}

/** Keeps each command's Input type while letting the registry hold them together. */
export function defineCommand<Input>(command: Command<Input>): Command<Input> {
  return command;
}
