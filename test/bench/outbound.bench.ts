import { maxInWindow } from '../helpers/max-in-window';
import { BENCH_MARIADB as MARIADB, BENCH_REDIS as REDIS, benchDatabase, dropDatabase, freshDatabase } from './bench-env';
import { deleteRedisPrefix } from '../helpers/test-env';
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundMessage } from '../../entities';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { createLogger } from '../../src/platform/logger';
import { createOutboundProcessor } from '../../src/platform/outbound/outbound.processor';

/**
 * `npm run bench:outbound`: one worker process draining the outbound queue against a fake WeCom on
 * 127.0.0.1 that answers every call after 50 ms, on the real MariaDB + Redis.
 *  1. throughput: messages/s to many members (no member near its limit), at each concurrency;
 *  2. pacing: a backlog for a few members and one group robot, with the pacing window shortened
 *     (BENCH_WINDOW_MS, default 4 s instead of 60 s) so that it runs in seconds. Reports the most
 *     messages WeCom saw in any window per member / robot against the limit, and how much of it is used;
 *  3. the corp-wide API budget across many members, with the same shortened window.
 * Stops by itself.
 */

const DB = benchDatabase('wecom_crm_bench_outbound');
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 4000);

interface Hit {
  key: string;
  at: number;
}

/** The fake WeCom: every API answers errcode 0 after LATENCY_MS; records who received what, when. */
function fakeWecom(hits: Hit[]): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        // not JSON
      }
      setTimeout(() => {
        if (url.pathname.endsWith('/gettoken')) {
          res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'BENCH', expires_in: 7200 }));
          return;
        }
        const at = Date.now();
        if (url.pathname.endsWith('/webhook/send')) hits.push({ key: `robot:${url.searchParams.get('key')}`, at });
        else if (typeof body.touser === 'string') hits.push({ key: `member:${body.touser}`, at });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', msgid: `m${hits.length}` }));
      }, LATENCY_MS);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function container(port: number, prefix: string, env: Record<string, string>): Promise<Container> {
  const config = loadConfig({
    DATABASE_URL: `${MARIADB}/${DB}`,
    REDIS_URL: REDIS,
    WECOM_CORP_ID: 'wwbenchcorp',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'bench-secret',
    WECOM_TOKEN: 'benchToken123',
    WECOM_ENCODING_AES_KEY: 'a'.repeat(43),
    WECOM_API_BASE: `http://127.0.0.1:${port}/cgi-bin`,
    CRM_QUIET_HOURS: 'off',
    LOG_LEVEL: 'silent',
    ...env,
  });
  return createContainer(config, config.wecom!, createLogger('silent'), { queuePrefix: prefix, defaultMetrics: false });
}

async function drain(c: Container, expected: number, timeoutMs: number): Promise<void> {
  const repo = c.dataSource.getRepository(OutboundMessage);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await repo.count({ where: [{ status: 'sent' }, { status: 'failed' }] });
    if (done >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${done}/${expected} done after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanRedis = (prefix: string) => deleteRedisPrefix(prefix, REDIS);

const resetDatabase = () => freshDatabase(DB);

async function throughput(port: number, hits: Hit[], concurrency: number): Promise<void> {
  await resetDatabase();
  const prefix = `bench-out-${Date.now().toString(36)}`;
  // budget high enough not to be the bottleneck: this measures the worker itself
  const c = await container(port, prefix, { OUTBOUND_CONCURRENCY: String(concurrency), WECOM_API_BUDGET_PER_MINUTE: '1000000' });
  try {
    const t0 = Date.now();
    for (let i = 0; i < MESSAGES; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, MESSAGES - i) }, (_, k) =>
          c.outbound.enqueue({
            channel: 'user',
            touser: `member${(i + k) % MEMBERS}`,
            message: { msgtype: 'text', text: { content: `跟进提醒 ${i + k}` } },
            idempotencyKey: `bench:${i + k}`,
          }),
        ),
      );
    }
    const enqueueSeconds = (Date.now() - t0) / 1000;
    hits.length = 0;
    const t1 = Date.now();
    void c.queues.get('outbound').process(concurrency, createOutboundProcessor(c));
    await drain(c, MESSAGES, 300_000);
    const seconds = (Date.now() - t1) / 1000;
    const perMember = new Map<string, number[]>();
    for (const h of hits) perMember.set(h.key, [...(perMember.get(h.key) ?? []), h.at]);
    const busiest = Math.max(...[...perMember.values()].map((t) => maxInWindow(t, 60_000)));
    console.log(
      `throughput  concurrency ${String(concurrency).padStart(2)}: ${MESSAGES} messages to ${MEMBERS} members in ${seconds.toFixed(1)} s = ` +
        `${(MESSAGES / seconds).toFixed(0)} msgs/s (WeCom latency ${LATENCY_MS} ms; ideal ${(concurrency * 1000) / LATENCY_MS}/s); ` +
        `enqueue ${(MESSAGES / enqueueSeconds).toFixed(0)}/s; busiest member ${busiest}/min (limit 30)`,
    );
  } finally {
    await c.close();
    await cleanRedis(prefix);
  }
}

async function pacing(port: number, hits: Hit[]): Promise<void> {
  await resetDatabase();
  const prefix = `bench-pace-${Date.now().toString(36)}`;
  const c = await container(port, prefix, { OUTBOUND_CONCURRENCY: '8', OUTBOUND_PACING_WINDOW_MS: String(WINDOW_MS) });
  const members = ['alice', 'bob', 'carol'];
  const perMember = 100;
  const robotMessages = 70;
  try {
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < perMember; i++) {
      for (const m of members)
        jobs.push(
          c.outbound.enqueue({ channel: 'user', touser: m, message: { msgtype: 'text', text: { content: `#${i}` } }, idempotencyKey: `pace:${m}:${i}` }),
        );
    }
    for (let i = 0; i < robotMessages; i++) {
      jobs.push(
        c.outbound.enqueue({
          channel: 'robot',
          webhookUrl: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=team1`,
          label: 'team1',
          message: { msgtype: 'text', text: { content: `#${i}` } },
          idempotencyKey: `pace:robot:${i}`,
        }),
      );
    }
    await Promise.all(jobs);
    hits.length = 0;
    const total = members.length * perMember + robotMessages;
    const t0 = Date.now();
    void c.queues.get('outbound').process(8, createOutboundProcessor(c));
    await drain(c, total, 300_000);
    const seconds = (Date.now() - t0) / 1000;

    const report = (key: string, limit: number) => {
      const times = hits
        .filter((h) => h.key === key)
        .map((h) => h.at)
        .sort((a, b) => a - b);
      const max = maxInWindow(times, WINDOW_MS);
      // how soon a slot is reused: message i+limit may only go once message i has left the window
      const gaps = times.slice(limit).map((t, i) => t - times[i]!);
      const minGap = Math.min(...gaps);
      const meanGap = gaps.reduce((x, y) => x + y, 0) / gaps.length;
      console.log(
        `pacing      ${key.padEnd(13)}: ${times.length} sent; most in any ${WINDOW_MS} ms window: ${max} (limit ${limit})${max > limit ? '  EXCEEDED' : ''}; ` +
          `slot reuse after min ${minGap} ms / mean ${meanGap.toFixed(0)} ms (≥ ${WINDOW_MS} required) = ${((WINDOW_MS / meanGap) * 100).toFixed(0)} % of the limit used`,
      );
    };
    console.log(`pacing      ${total} messages drained in ${seconds.toFixed(1)} s (window ${WINDOW_MS} ms stands for WeCom's minute)`);
    for (const m of members) report(`member:${m}`, 30);
    report('robot:team1', 20);
  } finally {
    await c.close();
    await cleanRedis(prefix);
  }
}

/** The corp-wide budget (WECOM_API_BUDGET_PER_MINUTE) across all members, with the shortened window. */
async function budget(port: number, hits: Hit[]): Promise<void> {
  await resetDatabase();
  const prefix = `bench-budget-${Date.now().toString(36)}`;
  const limit = 50;
  const total = 180;
  const c = await container(port, prefix, {
    OUTBOUND_CONCURRENCY: '8',
    OUTBOUND_PACING_WINDOW_MS: String(WINDOW_MS),
    WECOM_API_BUDGET_PER_MINUTE: String(limit),
  });
  try {
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        c.outbound.enqueue({ channel: 'user', touser: `m${i}`, message: { msgtype: 'text', text: { content: `#${i}` } }, idempotencyKey: `budget:${i}` }),
      ),
    );
    hits.length = 0;
    const t0 = Date.now();
    void c.queues.get('outbound').process(8, createOutboundProcessor(c));
    await drain(c, total, 300_000);
    const times = hits.map((h) => h.at).sort((a, b) => a - b);
    const max = maxInWindow(times, WINDOW_MS);
    console.log(
      `budget      ${total} messages to ${total} members with a budget of ${limit} per window: drained in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `most calls in any ${WINDOW_MS} ms window: ${max} (limit ${limit})${max > limit ? '  EXCEEDED' : ''}`,
    );
  } finally {
    await c.close();
    await cleanRedis(prefix);
  }
}

async function main(): Promise<void> {
  const hits: Hit[] = [];
  const server = await fakeWecom(hits);
  const { port } = server.address() as AddressInfo;
  try {
    for (const level of LEVELS) await throughput(port, hits, level);
    await pacing(port, hits);
    await budget(port, hits);
  } finally {
    server.close();
    await dropDatabase(DB);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
