import { createCaptureModule } from '../modules/capture';
import { CustomerSync, type SyncProgress } from '../modules/capture';
import { reconcileAndReport } from '../modules/capture';
import { ConfigError } from '../config';
import { cliContainer } from './cli-container';

/**
 * `npm run sync`: imports every follow user's customers, the corp tag dictionary and the customer
 * groups from WeCom (idempotent; a crashed run resumes where it stopped).
 * `npm run sync -- --reconcile`: the nightly reconciliation now (also ends what WeCom no longer has
 * and sends admins the drift report).
 */
async function sync(): Promise<void> {
  const container = await cliContainer();
  try {
    const capture = createCaptureModule(container);
    const started = Date.now();
    const progress = (p: SyncProgress) => {
      const line = p.phase === 'customers' ? `customers: batch ${p.batch}/${p.batches}, ${p.customersSeen} seen` : p.phase;
      process.stderr.write(`\r[sync ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\x1b[K`);
    };
    const report = process.argv.includes('--reconcile')
      ? await reconcileAndReport(container, capture)
      : await new CustomerSync(container.dataSource, container.wecomApi, capture.dictionary, capture.groups).run('backfill', progress);
    process.stderr.write('\n');
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await container.close();
  }
}

sync().catch((error) => {
  process.stderr.write(`\n${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
