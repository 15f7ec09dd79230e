import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import type { VerifiedCallback } from '../../src/platform/events/callback-intake';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { openVerifiedCallback } from '../../src/platform/wecom/callback/verified-callback';
import { createWebApp } from '../../src/web';
import { createTestContainer, deleteRedisPrefix, mariadbOnlyTest, onSqlite, truncateAll, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

/**
 * Group commit at the ingress: callbacks that arrive together are stored by one INSERT (against the
 * unique dedupe key, before any of them is answered) and queued by one bulk add.
 */
describe('callback intake: group commit', () => {
  let container: Container;
  let keys: { token: string; encodingAesKey: string; corpId: string };
  /** the SQL statements the app ran since the last reset */
  let statements: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    container = await createTestContainer('group-commit');
    keys = { token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId };
    for (const runner of [MysqlQueryRunner.prototype, BetterSqlite3QueryRunner.prototype]) {
      const original = runner.query;
      spies.push(
        jest.spyOn(runner, 'query').mockImplementation(function (this: unknown, sql: string, ...rest: unknown[]) {
          statements.push(sql);
          return (original as (...a: unknown[]) => Promise<unknown>).call(this, sql, ...rest);
        } as never),
      );
    }
  });

  beforeEach(async () => {
    await truncateAll(container.dataSource);
    await container.queues.get('inbound').empty();
    statements = [];
  });

  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const inserts = () => statements.filter((s) => /^INSERT INTO\s+[`"]inbound_events[`"]/i.test(s)).length;
  const rows = () => container.dataSource.getRepository(InboundEvent).find({ order: { id: 'ASC' } });
  const jobIds = async () => (await container.queues.get('inbound').getJobs(['waiting', 'delayed', 'active'])).map((j) => String(j.id)).sort();
  const addXml = (externalUserId: string) =>
    externalContactXml({
      corpId: keys.corpId,
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId,
      createTime: 1_763_800_000,
      welcomeCode: 'W',
    });
  /** a callback as the route hands it to the intake: verified, decrypted, with its sealed form (a new nonce: a new delivery) */
  let nonce = 0;
  const verified = (xml: string): VerifiedCallback => {
    const s = sealCallback(keys, xml, undefined, String(++nonce));
    const sealed = { msgSignature: s.msgSignature, timestamp: s.timestamp, nonce: s.nonce, encrypt: s.ciphertext };
    return { ...openVerifiedCallback(keys, sealed), sealed, receivedAt: new Date() };
  };

  it('forty callbacks arriving together: forty rows and jobs, by one INSERT and one bulk add', async () => {
    const addBulk = jest.spyOn(container.queues.get('inbound'), 'addBulk');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => container.intake.accept(verified(addXml(`wmBatch${i}`)))));
    const bulkAdds = addBulk.mock.calls.length;
    addBulk.mockRestore();

    const stored = await rows();
    expect(stored).toHaveLength(40);
    expect(results.map((r) => (r.outcome === 'stored' ? r.eventId : 0)).sort((a, b) => a - b)).toEqual(stored.map((r) => r.id));
    expect(results.every((r) => r.outcome === 'stored' && !r.duplicate && r.enqueued === 'now')).toBe(true);
    expect(inserts()).toBe(1);
    expect(bulkAdds).toBe(1);
    expect(await jobIds()).toEqual(stored.map((r) => `event-${r.id}`).sort());
  });

  it('a callback alone is stored by its own INSERT at once', async () => {
    const started = Date.now();
    const result = await container.intake.accept(verified(addXml('wmAlone')));
    expect(result).toMatchObject({ outcome: 'stored', duplicate: false, enqueued: 'now' });
    expect(inserts()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await rows()).toHaveLength(1);
  });

  it('one event delivered three times in one batch: one row, two redeliveries counted, one job', async () => {
    const xml = addXml('wmTwiceInBatch');
    const results = await Promise.all([verified(xml), verified(addXml('wmOther')), verified(xml), verified(xml)].map((c) => container.intake.accept(c)));
    expect(inserts()).toBe(1);
    const stored = await rows();
    expect(stored).toHaveLength(2);
    const row = stored.find((r) => r.payload.ExternalUserID === 'wmTwiceInBatch')!;
    expect(row.redeliveries).toBe(2);
    const same = [results[0], results[2], results[3]];
    expect(same.map((r) => (r!.outcome === 'stored' ? r!.eventId : 0))).toEqual([row.id, row.id, row.id]);
    expect(same.map((r) => r!.outcome === 'stored' && r!.duplicate)).toEqual([false, true, true]);
    expect(await jobIds()).toEqual(stored.map((r) => `event-${r.id}`).sort());
  });

  it('redeliveries across batches: no new row, counted, and a finished event is not queued again', async () => {
    const first = await Promise.all(['wmA', 'wmB', 'wmC'].map((id) => container.intake.accept(verified(addXml(id)))));
    const [a] = await rows();
    await container.dataSource.getRepository(InboundEvent).update({ id: a!.id }, { status: 'done' });
    await container.queues.get('inbound').empty();

    const second = await Promise.all(['wmA', 'wmB', 'wmD'].map((id) => container.intake.accept(verified(addXml(id)))));
    expect(inserts()).toBe(2);
    const stored = await rows();
    expect(stored.map((r) => [r.payload.ExternalUserID, r.redeliveries])).toEqual([
      ['wmA', 1],
      ['wmB', 1],
      ['wmC', 0],
      ['wmD', 0],
    ]);
    expect(second.map((r) => r.outcome === 'stored' && [r.duplicate, r.enqueued])).toEqual([
      [true, 'not_needed'],
      [true, 'now'],
      [false, 'now'],
    ]);
    expect(second[1]).toMatchObject({ eventId: (first[1] as { eventId: number }).eventId });
    expect(await jobIds()).toEqual([`event-${stored[1]!.id}`, `event-${stored[3]!.id}`].sort());
  });

  mariadbOnlyTest('a row the database refuses fails only its own callback (413), not the rest of its batch', async () => {
    const good = [verified(addXml('wmGood1')), verified(addXml('wmGood2'))];
    const bad = verified(addXml('wmBad'));
    // a dedupe key longer than its column: MariaDB refuses the value (SQLite does not check lengths)
    bad.descriptor = { ...bad.descriptor, dedupeKey: 'k'.repeat(300) };
    const results = await Promise.allSettled([good[0]!, bad, good[1]!].map((c) => container.intake.accept(c)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'RowRefused' });
    expect((await rows()).map((r) => r.payload.ExternalUserID)).toEqual(['wmGood1', 'wmGood2']);
  });

  it('over HTTP, sixty concurrent callbacks: sixty rows and jobs, each answered 200 after its row (on MariaDB in fewer INSERTs than requests)', async () => {
    const app = createWebApp(container);
    const server: Server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const post = (req: { path: string; body: string }) =>
        new Promise<number>((resolve, reject) => {
          const r = httpRequest({ host: '127.0.0.1', port, path: req.path, method: 'POST', headers: { 'Content-Type': 'text/xml' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          r.on('error', reject);
          r.end(req.body);
        });
      const requests = Array.from({ length: 60 }, (_, i) => signedCallback(keys, addXml(`wmHttp${i}`), { nonce: String(9000 + i) }));
      // On MariaDB the first write is held (another session locks the table) until the other 59
      // requests have arrived: they must then share the next write rather than each have its own.
      // How many would arrive during an unheld write depends on the machine's speed, not on the code.
      const hold = onSqlite() ? undefined : container.dataSource.createQueryRunner();
      if (hold) await hold.query('LOCK TABLES inbound_events WRITE');
      const answered = Promise.all(requests.map(post));
      if (hold) {
        try {
          await waitFor(
            async () => container.intake.storesWaiting,
            (n) => n === 59,
            1500,
            'the others behind the held write',
          );
        } finally {
          await hold.query('UNLOCK TABLES');
          await hold.release();
        }
      }
      const statuses = await answered;
      expect(statuses).toEqual(Array(60).fill(200));
    } finally {
      await new Promise((r) => server.close(r));
    }
    const stored = await rows();
    expect(stored).toHaveLength(60);
    expect(await jobIds()).toEqual(stored.map((r) => `event-${r.id}`).sort());
    // On MariaDB: the held write, then the 59 that came in meanwhile in one. SQLite writes
    // synchronously, inside the turn that read the request: nothing can arrive during a write, and
    // each request is its own batch there (it is not for big loads).
    if (onSqlite()) expect(inserts()).toBeLessThanOrEqual(60);
    else expect(inserts()).toBe(2);
  });
});
