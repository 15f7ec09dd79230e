import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { sealCallback } from '../../src/wecom/callback-crypto';
import { deleteRedisPrefix } from '../helpers/test-env';
import { runLoad, type LoadResult, type PreparedRequest } from './load';

/**
 * `npm run bench:webhook`: valid encrypted callbacks over loopback at rising concurrency, against
 * the compiled web process on the real MariaDB + Redis, next to a bare Koa route answering 200 in
 * the same run. Prints throughput, p50/p99 latency and the web process's RSS.
 * Goal (issue 2): ≥ 1,000 events/s with p99 < 50 ms and RSS < 200 MB on a 2-core machine.
 */
const ROOT = resolve(__dirname, '../..');
const MARIADB = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'wecom_crm_bench';
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,8,32,64').split(',').map(Number);
const PER_LEVEL = Number(process.env.BENCH_REQUESTS ?? 4000);
const WARMUP = 500;

const keys = { token: 'benchToken123', encodingAesKey: 'a'.repeat(43), corpId: 'wwbenchcorp' };

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

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

async function waitReady(port: number, path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on ${port} did not become ready`);
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code) => code && code !== 0 && console.error(`child exited with ${code}`));
  return child;
}

const BARE_KOA = `
const Koa = require('koa');
const app = new Koa();
app.use(async (ctx) => { await new Promise((r) => { ctx.req.on('data', () => {}); ctx.req.on('end', r); }); ctx.status = 200; ctx.body = ''; });
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main(): Promise<void> {
  const root = await createConnection({ uri: MARIADB });
  await root.query(`DROP DATABASE IF EXISTS ${DB}`);
  await root.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const prefix = `bench-${Date.now().toString(36)}`;

  const appPort = 23_100;
  const barePort = 23_101;
  const web = start(['dist/src/main.js', 'web'], {
    PORT: String(appPort),
    DATABASE_URL: `${MARIADB}/${DB}`,
    REDIS_URL: REDIS,
    QUEUE_PREFIX: prefix,
    WECOM_CORP_ID: keys.corpId,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'bench-secret',
    WECOM_TOKEN: keys.token,
    WECOM_ENCODING_AES_KEY: keys.encodingAesKey,
    LOG_LEVEL: 'warn',
  });
  const bare = start(['-e', BARE_KOA], { PORT: String(barePort) });
  const results: Array<{ target: string } & LoadResult> = [];
  try {
    await waitReady(appPort, '/readyz');
    await waitReady(barePort, '/');
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
    await root.query(`DROP DATABASE IF EXISTS ${DB}`);
    await root.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
