import { runCli } from './cli-container';
import { runCustomerCommand } from './customer-command';
import { terminalIo } from './terminal-io';

/**
 * `npm run customer -- export <external_userid | name> [--out file]`: everything held about one customer.
 * `npm run customer -- erase <…> [--dry-run] [--yes]`: erases their personal data (README "Personal data").
 */
runCli((container) => runCustomerCommand(container, process.argv.slice(2), terminalIo));
