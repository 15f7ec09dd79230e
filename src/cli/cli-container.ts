import 'reflect-metadata';
import { loadConfig, loadDotEnvFile } from '../config';
import { createContainer, type Container } from '../container';
import { createLogger } from '../logger';
import { ensureSandboxCredentials } from '../sandbox/sandbox-credentials';

/** A container for a one-off command (no web server, no worker processors). */
export async function cliContainer(): Promise<Container> {
  loadDotEnvFile();
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  return createContainer(config, config.wecom ?? ensureSandboxCredentials(config.dataDir), logger);
}
