import { type ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { deleteRedisPrefix } from '../helpers/test-env';
import {
  appEnv,
  BENCH_KEYS,
  BENCH_WEBS,
  benchDatabase,
  benchPort,
  BENCH_MARIADB as MARIADB,
  BENCH_REDIS as REDIS,
  dropDatabase,
  freshDatabase,
  memoryMb as rssMb,
  ROOT,
  startCompiledApp,
  waitUntilOk,
} from './bench-env';
import { runLoad, type LoadResult, type PreparedRequest } from './load';

/**
 * `npm run bench:webhook`: valid encrypted callbacks over loopback at rising concurrency, against
 * the compiled web process on the real MariaDB + Redis, next to a bare Koa route answering 200 in
 * the same run. Prints throughput, p50/p99 latency and the web process's RSS.
 * Goal (issue 15): throughput ≥ 0.3 × bare Koa's at c = 32 and 64, p99 < 50 ms, RSS < 200 MB;
 * at c = 1 p50 < 1.5 ms. BENCH_WEBS=2: two web processes (and two bare Koa ones) on one database
 * and one Redis, the load spread over both. Small run: BENCH_CONCURRENCY=1,8 BENCH_REQUESTS=200.
 */
const DB = benchDatabase('wecom_crm_bench');
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,8,32,64').split(',').map(Number);
const PER_LEVEL = Number(process.env.BENCH_REQUESTS ?? 4000);
const WARMUP = Math.min(500, PER_LEVEL);

const keys = BENCH_KEYS;

function prepare(count: number, offset: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const xml =
      `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${1_763_800_000 + Math.floor(n / 10)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
      `<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>` +
      `<UserID><![CDATA[sales${n % 20}]]></UserID><ExternalUserID><![CDATA[wmBench${n}]]></ExternalUserID>` +
      `<State><![CDATA[bench]]></State><WelcomeCode><![CDATA[W${n}]]></WelcomeCode></xml>`;
    // signed now: the webhook refuses a request signed outside its timestamp window as a replay
    const s = sealCallback(keys, xml, String(Math.floor(Date.now() / 1000)), String(n));
    return {
      path: `/wecom/callback?msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${s.nonce}`,
      body: `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${s.ciphertext}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
    };
  });
}

const BARE_KOA = `
const Koa = require('koa');
const app = new Koa();
app.use(async (ctx) => { await new Promise((r) => { ctx.req.on('data', () => {}); ctx.req.on('end', r); }); ctx.status = 200; ctx.body = ''; });
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB);
  const root = await createConnection({ uri: MARIADB });
  const prefix = `bench-${Date.now().toString(36)}`;

  const appPorts = Array.from({ length: BENCH_WEBS }, (_, i) => benchPort(23_100, 2 * i));
  const barePorts = appPorts.map((p) => p + 1);
  const webs: ChildProcess[] = [];
  const bares = barePorts.map((port) => spawn(process.execPath, ['-e', BARE_KOA], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }));
  const results: Array<{ target: string } & LoadResult> = [];
  // the peak of the largest web process (each is one Node process, with its own 200 MB goal)
  const memory = () => {
    const each = webs.map((w) => rssMb(w.pid!));
    return { rss: Math.max(...each.map((m) => m.rss)), peak: Math.max(...each.map((m) => m.peak)) };
  };
  try {
    // one after the other: the first migrates the fresh database
    for (const port of appPorts) {
      webs.push(startCompiledApp('web', appEnv({ port, databaseUrl, queuePrefix: prefix })));
      await waitUntilOk(`http://127.0.0.1:${port}/readyz`);
    }
    for (const port of barePorts) await waitUntilOk(`http://127.0.0.1:${port}/`);
    console.log(`${BENCH_WEBS} web process(es), pids ${webs.map((w) => w.pid).join(', ')}: RSS at rest ${memory().rss} MB`);

    let offset = 0;
    const batch = (n: number) => {
      const prepared = prepare(n, offset);
      offset += n;
      return prepared;
    };
    await runLoad(appPorts, batch(WARMUP), 8);
    await runLoad(barePorts, prepare(WARMUP, 0), 8);

    let failures = 0;
    for (const concurrency of LEVELS) {
      const requests = batch(PER_LEVEL);
      const app = await runLoad(appPorts, requests, concurrency);
      const rss = memory();
      const koa = await runLoad(barePorts, requests, concurrency);
      failures += app.failures;
      results.push({ target: 'webhook', ...app }, { target: 'bare koa', ...koa });
      console.log(
        `c=${String(concurrency).padStart(3)}  webhook ${String(app.throughput).padStart(5)}/s p50 ${app.p50ms} ms p99 ${app.p99ms} ms ` +
          `fail ${app.failures} RSS ${rss.rss} MB (peak ${rss.peak})  |  bare koa ${koa.throughput}/s p50 ${koa.p50ms} p99 ${koa.p99ms}  ` +
          `|  ratio ${(app.throughput / koa.throughput).toFixed(2)}`,
      );
    }
    const [rows] = await root.query(`SELECT COUNT(*) AS n FROM ${DB}.inbound_events`);
    const stored = Number((rows as Array<{ n: number }>)[0]!.n);
    const redis = new Redis(REDIS);
    // the queues live under <prefix>:<the database's instance id>
    const [waitKey] = await redis.keys(`${prefix}:*inbound:wait`);
    const queued = waitKey ? await redis.llen(waitKey) : 0;
    redis.disconnect();
    console.log(`stored events: ${stored} (sent ${offset}); jobs waiting: ${queued}; peak RSS ${memory().peak} MB`);
    console.log(JSON.stringify({ webs: BENCH_WEBS, results, stored, sent: offset, queued, peakRssMb: memory().peak }));
    // every request answered 200 was stored exactly once, and has its job
    if (failures > 0 || stored !== offset || queued !== offset) {
      console.error(`FAILED: ${failures} requests not answered 200, ${stored} rows and ${queued} jobs for ${offset} callbacks`);
      process.exitCode = 1;
    }
  } finally {
    for (const web of webs) web.kill('SIGTERM');
    for (const bare of bares) bare.kill('SIGTERM');
    await deleteRedisPrefix(prefix, REDIS);
    await root.end();
    await dropDatabase(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
