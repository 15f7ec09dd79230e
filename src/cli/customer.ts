import { ConfigError } from '../config';
import { cliContainer } from './cli-container';
import { runCustomerCommand } from './customer-command';
import { terminalIo } from './terminal-io';

/**
 * `npm run customer -- export <external_userid | name> [--out file]`: everything held about one customer.
 * `npm run customer -- erase <…> [--dry-run] [--yes]`: erases their personal data (README "Personal data").
 */
async function main(): Promise<number> {
  const container = await cliContainer();
  try {
    return await runCustomerCommand(container, process.argv.slice(2), terminalIo);
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
