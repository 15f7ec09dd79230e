import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnvFile } from '../config';
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

/**
 * Runs a command with a container and exits with its code: a configuration error prints its message
 * (what to set), anything else its stack, both with exit code 1.
 */
export function runCli(command: (container: Container) => Promise<number>): void {
  const run = async () => {
    const container = await cliContainer();
    try {
      return await command(container);
    } finally {
      await container.close();
    }
  };
  run().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
