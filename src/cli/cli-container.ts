import 'reflect-metadata';
import { loadConfig, loadDotEnvFile } from '../config';
import { createContainer, type Container } from '../container';
import { createLogger } from '../platform/logger';
import { prepareSandbox } from '../modules/sandbox';

/** A container for a one-off command (no web server, no worker processors). */
export async function cliContainer(): Promise<Container> {
  loadDotEnvFile();
  const loaded = loadConfig();
  // In sandbox mode a command talks to the running sandbox's fake WeCom, with the same teams file.
  const { config, wecom } = loaded.sandbox ? prepareSandbox(loaded) : { config: loaded, wecom: loaded.wecom! };
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  return createContainer(config, wecom, logger);
}
