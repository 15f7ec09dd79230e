import { createInterface } from 'node:readline/promises';
import type { CommandIo } from './customer-command';

/** A command's output and questions on the terminal. */
export const terminalIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^(y|yes|是)$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
};
