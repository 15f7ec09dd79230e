import { ConfigError } from '../config';
import { runAuditCommand } from './audit-command';
import { cliContainer } from './cli-container';
import { terminalIo } from './terminal-io';

/** `npm run audit -- [--customer …] [--actor …] [--since …]`: who did what to which record, and when. */
async function main(): Promise<number> {
  const container = await cliContainer();
  try {
    return await runAuditCommand(container, process.argv.slice(2), terminalIo);
  } finally {
    await container.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
