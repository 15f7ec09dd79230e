import { runAuditCommand } from './audit-command';
import { runCli } from './cli-container';
import { terminalIo } from './terminal-io';

/** `npm run audit -- [--customer …] [--actor …] [--since …]`: who did what to which record, and when. */
runCli((container) => runAuditCommand(container, process.argv.slice(2), terminalIo));
