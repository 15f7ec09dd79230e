import { createCaptureModule } from '../modules/capture';
import { ContactWayError, ContactWayService } from '../modules/capture';
import { ConfigError } from '../config';
import { cliContainer } from './cli-container';

const USAGE = 'usage: npm run contact-way -- create <state> --user <userid>[,<userid>…] [--remark <text>] [--retry]\n       npm run contact-way -- list\n';

/** `npm run contact-way`: creates (or shows) the 「联系我」 QR code for a channel state and keeps its config_id. */
async function contactWay(): Promise<void> {
  const [command, state] = process.argv.slice(2);
  const option = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  if (command !== 'create' && command !== 'list') {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const container = await cliContainer();
  try {
    const service = new ContactWayService(container.dataSource, container.wecomApi, createCaptureModule(container).rules);
    if (command === 'list') {
      for (const way of await service.list())
        process.stdout.write(
          `${way.state}\t${way.ruleName ?? ''}\t${way.status === 'created' ? way.configId : '(creating: interrupted, see --retry)'}\t${way.qrCode ?? ''}\n`,
        );
      return;
    }
    const users = (option('user') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    const { way, created } = await service.create({
      state: state ?? '',
      users,
      remark: option('remark'),
      createdBy: 'cli',
      retry: process.argv.includes('--retry'),
    });
    process.stdout.write(
      `${created ? 'created' : 'already exists'}: state=${way.state} rule=${way.ruleName} config_id=${way.configId}\nQR: ${way.qrCode ?? '(none)'}\n`,
    );
  } catch (error) {
    if (error instanceof ContactWayError) {
      process.stderr.write(`${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  } finally {
    await container.close();
  }
}

contactWay().catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
