import { spawn } from 'node:child_process';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { deleteRedisPrefix } from '../helpers/test-env';
import {
  appEnv,
  BENCH_KEYS,
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
 * Goal (issue 2): ≥ 1,000 events/s with p99 < 50 ms and RSS < 200 MB on a 2-core machine.
 */
const DB = 'wecom_crm_bench';
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,8,32,64').split(',').map(Number);
const PER_LEVEL = Number(process.env.BENCH_REQUESTS ?? 4000);
const WARMUP = 500;

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
    const s = sealCallback(keys, xml, String(1_763_800_000 + n), String(n));
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

  const appPort = 23_100;
  const barePort = 23_101;
  const web = startCompiledApp('web', appEnv({ port: appPort, databaseUrl, queuePrefix: prefix }));
  const bare = spawn(process.execPath, ['-e', BARE_KOA], { cwd: ROOT, env: { ...process.env, PORT: String(barePort) }, stdio: 'ignore' });
  const results: Array<{ target: string } & LoadResult> = [];
  try {
    await waitUntilOk(`http://127.0.0.1:${appPort}/readyz`);
    await waitUntilOk(`http://127.0.0.1:${barePort}/`);
    console.log(`web pid ${web.pid}: RSS at rest ${rssMb(web.pid!).rss} MB`);

    let offset = 0;
    const batch = (n: number) => {
      const prepared = prepare(n, offset);
      offset += n;
      return prepared;
    };
    await runLoad(appPort, batch(WARMUP), 8);
    await runLoad(barePort, prepare(WARMUP, 0), 8);

    for (const concurrency of LEVELS) {
      const requests = batch(PER_LEVEL);
      const app = await runLoad(appPort, requests, concurrency);
      const memory = rssMb(web.pid!);
      const koa = await runLoad(barePort, requests, concurrency);
      results.push({ target: 'webhook', ...app }, { target: 'bare koa', ...koa });
      console.log(
        `c=${String(concurrency).padStart(3)}  webhook ${String(app.throughput).padStart(5)}/s p50 ${app.p50ms} ms p99 ${app.p99ms} ms ` +
          `fail ${app.failures} RSS ${memory.rss} MB (peak ${memory.peak})  |  bare koa ${koa.throughput}/s p50 ${koa.p50ms} p99 ${koa.p99ms}  ` +
          `|  ratio ${(app.throughput / koa.throughput).toFixed(2)}`,
      );
    }
    const [rows] = await root.query(`SELECT COUNT(*) AS n FROM ${DB}.inbound_events`);
    const stored = Number((rows as Array<{ n: number }>)[0]!.n);
    const redis = new Redis(REDIS);
    const queued = await redis.llen(`${prefix}:inbound:wait`);
    redis.disconnect();
    console.log(`stored events: ${stored} (sent ${offset}); jobs waiting: ${queued}; peak RSS ${rssMb(web.pid!).peak} MB`);
    console.log(JSON.stringify({ results, stored, sent: offset, queued, peakRssMb: rssMb(web.pid!).peak }));
  } finally {
    web.kill('SIGTERM');
    bare.kill('SIGTERM');
    await deleteRedisPrefix(prefix, REDIS);
    await root.end();
    await dropDatabase(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
