import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InboundEvent } from '../../entities';
import { openDatabase } from '../../src/platform/db/database';
import { say } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { deleteRedisPrefix, uniquePrefix, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

/**
 * One Redis outlives databases: the sandbox's ./data deleted and started again, a new DATABASE_URL,
 * a database restored from a backup. Row ids start again where the Redis still keeps the jobs of
 * the earlier rows. Every command must still be answered.
 */
describe('a database that is new to a Redis that has seen another one', () => {
  let calls: WecomCall[];
  const prefix = uniquePrefix('fresh-db');
  const dirs: string[] = [];
  const running: WebhookHarness[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-crm-fresh-db-'));
    dirs.push(dir);
    return dir;
  };
  /** `npm start` on SQLite in `dataDir`, with the same QUEUE_PREFIX and Redis every time */
  const start = async (dataDir: string, overrides: Record<string, string> = {}) => {
    const harness = await startWebhookHarness('fresh-db', overrides, undefined, { sqlite: true, dataDir, queuePrefix: prefix, keepData: true });
    running.push(harness);
    return harness;
  };
  const stop = async (harness: WebhookHarness) => {
    running.splice(running.indexOf(harness), 1);
    await harness.stop();
  };

  beforeEach(() => {
    calls = fakeWecom();
  });
  afterAll(async () => {
    for (const harness of running) await harness.stop();
    await deleteRedisPrefix(prefix);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh database (the data directory deleted, started again) has its first command answered', async () => {
    const first = await start(newDir());
    expect(await say(first.container, first.app, calls, 'zhangwei', '待办')).toContain('待办');
    await stop(first);

    // ./data deleted: a new database, whose first event is stored as event 1 again
    const second = await start(newDir());
    expect(await say(second.container, second.app, calls, 'zhangwei', '待办')).toContain('待办');
    expect(await second.container.dataSource.getRepository(InboundEvent).findOneByOrFail({ id: 1 })).toMatchObject({ status: 'done' });
    expect(second.container.queues.keyPrefix).not.toBe(first.container.queues.keyPrefix);
    await stop(second);
  });

  it('a database restored from a backup: an event whose job id Redis kept from before the restore is run again by the sweeper', async () => {
    const dataDir = newDir();
    await (await openDatabase({ databaseUrl: undefined, dataDir, runMigrations: true })).destroy(); // migrated, nothing in it yet
    const backup = join(newDir(), 'backup.sqlite');
    copyFileSync(join(dataDir, 'wecom-crm.sqlite'), backup);

    const before = await start(dataDir);
    expect(await say(before.container, before.app, calls, 'zhangwei', '待办')).toContain('待办');
    await stop(before);

    // Restored: the same database (same instance id) as it was before event 1, while Redis keeps event 1's completed job.
    rmSync(join(dataDir, 'wecom-crm.sqlite-wal'), { force: true });
    rmSync(join(dataDir, 'wecom-crm.sqlite-shm'), { force: true });
    copyFileSync(backup, join(dataDir, 'wecom-crm.sqlite'));
    const restored = await start(dataDir, { STALE_EVENT_AFTER_MS: '1000' });
    const replies = () => calls.filter((c) => c.api === 'message/send').length;
    const answered = replies();
    await restored.post(textMessageXml({ corpId: restored.container.wecom.corpId, from: 'zhangwei', content: '今日', msgId: '7700000000000000001' }));
    const events = restored.container.dataSource.getRepository(InboundEvent);
    // The sweeper runs every 30 s in production; here it is asked until the event is done.
    await waitFor(
      async () => {
        await restored.worker.sweepNow();
        return events.findOneByOrFail({ id: 1 });
      },
      (e) => e.status === 'done',
      15_000,
      'the restored database’s event 1 to be run',
    );
    // its reply is outbound message 1 again, whose job id Redis also kept: the outbound sweep sends it
    await waitFor(
      async () => {
        await restored.container.outbound.requeueStale(1000);
        return replies();
      },
      (n) => n > answered,
      15_000,
      'the reply to 今日',
    );
    await stop(restored);
  });
});
