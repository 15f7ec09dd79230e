import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { Customer, CustomerRelation, Staff } from '../../entities';
import { openDatabase } from '../../src/platform/db/database';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { deleteRedisPrefix } from '../helpers/test-env';
import {
  appEnv,
  BENCH_KEYS,
  BENCH_REDIS as REDIS,
  benchDatabase,
  benchPort,
  dropDatabase,
  freshDatabase,
  memoryMb,
  percentile as pct,
  startCompiledApp,
  waitUntilOk,
} from './bench-env';

/**
 * `npm run bench:commands`: from callback receipt to the reply's message/send call, over 1,000
 * commands from 50 salespeople, with WeCom faked on 127.0.0.1 answering after 50 ms. The compiled
 * app runs as one web and one worker process on the real MariaDB + Redis.
 * Load: open loop, commands sent at a fixed rate (BENCH_RATE per second, default 25), round-robin
 * over the salespeople, so each gets 20 commands in ~40 s — under WeCom's 30 app messages a minute
 * per member, which the outbound queue enforces (exceeding it would measure the pacing wait).
 * Goal (issue 5): p50 < 300 ms, p99 < 1 s.
 */
const DB = benchDatabase('wecom_crm_bench_commands');
const SALESPEOPLE = 50;
/** commands per salesperson (BENCH_PER_SALESPERSON; 1 for a run of seconds) */
const PER_SALESPERSON = Number(process.env.BENCH_PER_SALESPERSON ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 25);
const WECOM_LATENCY_MS = 50;
const keys = BENCH_KEYS;

const staffId = (s: number) => `sales${String(s).padStart(2, '0')}`;
const customerName = (s: number, k: number) => `客户${String(s).padStart(2, '0')}-${String(k).padStart(2, '0')}`;

/** A realistic mix; every command names its own customer, so its reply can be matched by that name. */
function commandFor(s: number, k: number): string {
  const name = customerName(s, k);
  switch (k % 10) {
    case 1:
    case 5:
      return `查客户 ${name}`;
    case 3:
      return `阶段 ${name} 商机`;
    case 7:
      return `提醒 明天下午3点 ${name} 发报价`;
    default:
      return `记录跟进 ${name} 电话沟通了报价，下周二再联系`;
  }
}

interface Reply {
  touser: string;
  text: string;
  at: number;
}

function fakeWecom(replies: Reply[]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = (json: unknown) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(json));
      };
      if (req.url?.startsWith('/cgi-bin/gettoken')) return answer({ errcode: 0, errmsg: 'ok', access_token: 'T', expires_in: 7200 });
      if (req.url?.startsWith('/cgi-bin/message/send')) {
        const parsed = JSON.parse(body) as { touser: string };
        replies.push({ touser: parsed.touser, text: body, at: Date.now() });
        setTimeout(() => answer({ errcode: 0, errmsg: 'ok', msgid: `m${replies.length}` }), WECOM_LATENCY_MS);
        return;
      }
      setTimeout(() => answer({ errcode: 0, errmsg: 'ok' }), WECOM_LATENCY_MS);
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

function signed(from: string, content: string, msgId: string): { path: string; body: string } {
  const xml =
    `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
  const s = sealCallback(keys, xml);
  return {
    path: `/wecom/callback?msg_signature=${s.msgSignature}&timestamp=${s.timestamp}&nonce=${s.nonce}`,
    body: `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${s.ciphertext}]]></Encrypt></xml>`,
  };
}

async function seed(databaseUrl: string): Promise<void> {
  const dataSource = await openDatabase({ databaseUrl, dataDir: 'unused', runMigrations: true });
  try {
    for (let s = 1; s <= SALESPEOPLE; s++) {
      await dataSource.getRepository(Staff).save({ userid: staffId(s), wecomUserid: staffId(s), name: `销售${s}` });
      const customers = await dataSource
        .getRepository(Customer)
        .save(Array.from({ length: PER_SALESPERSON }, (_, i) => ({ name: customerName(s, i + 1), externalUserid: `wm${s}x${i + 1}` })));
      await dataSource.getRepository(CustomerRelation).save(customers.map((c) => ({ customerId: c.id, staffUserid: staffId(s), addedAt: new Date() })));
    }
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB);
  const prefix = `bench-cmd-${Date.now().toString(36)}`;
  const replies: Reply[] = [];
  const wecom = await fakeWecom(replies);
  const children: ChildProcess[] = [];
  try {
    await seed(databaseUrl);
    const port = benchPort(23_200);
    const env = {
      ...appEnv({ port, databaseUrl, queuePrefix: prefix, wecomApiBase: `http://127.0.0.1:${(wecom.address() as { port: number }).port}/cgi-bin` }),
      // WeCom's newer published per-API limit; the default budget (1,000/min) would pace this burst.
      WECOM_API_BUDGET_PER_MINUTE: '10000',
      CRM_QUIET_HOURS: 'off',
    };
    const web = startCompiledApp('web', env);
    const worker = startCompiledApp('worker', env);
    children.push(web, worker);
    await waitUntilOk(`http://127.0.0.1:${port}/readyz`);
    await new Promise((r) => setTimeout(r, 1000)); // let the worker connect

    const commands: Array<{ from: string; name: string; content: string; sentAt: number }> = [];
    for (let k = 1; k <= PER_SALESPERSON; k++) {
      for (let s = 1; s <= SALESPEOPLE; s++) commands.push({ from: staffId(s), name: customerName(s, k), content: commandFor(s, k), sentAt: 0 });
    }
    const started = Date.now();
    const inFlight: Array<Promise<unknown>> = [];
    let msgId = 8_000_000_000_000_000_000n;
    for (const [i, command] of commands.entries()) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const req = signed(command.from, command.content, String((msgId += 1n)));
      command.sentAt = Date.now();
      inFlight.push(
        fetch(`http://127.0.0.1:${port}${req.path}`, { method: 'POST', body: req.body }).then((res) => {
          if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        }),
      );
    }
    await Promise.all(inFlight);
    const sendSeconds = (Date.now() - started) / 1000;

    const deadline = Date.now() + 60_000;
    while (replies.length < commands.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const latencies: number[] = [];
    let unmatched = 0;
    for (const command of commands) {
      const reply = replies.find((r) => r.touser === command.from && r.text.includes(command.name));
      if (!reply) unmatched += 1;
      else latencies.push(reply.at - command.sentAt);
    }
    latencies.sort((a, b) => a - b);
    const summary = {
      commands: commands.length,
      salespeople: SALESPEOPLE,
      rate: RATE,
      sendSeconds: Math.round(sendSeconds * 10) / 10,
      replies: replies.length,
      unmatched,
      p50ms: pct(latencies, 0.5),
      p90ms: pct(latencies, 0.9),
      p99ms: pct(latencies, 0.99),
      maxMs: latencies[latencies.length - 1],
      webRssMb: memoryMb(web.pid!).rss,
      workerRssMb: memoryMb(worker.pid!).rss,
    };
    console.log(
      `${summary.commands} commands from ${SALESPEOPLE} salespeople at ${RATE}/s (open loop), WeCom latency ${WECOM_LATENCY_MS} ms\n` +
        `callback → reply message/send: p50 ${summary.p50ms} ms, p90 ${summary.p90ms} ms, p99 ${summary.p99ms} ms, max ${summary.maxMs} ms\n` +
        `replies ${summary.replies}, unmatched ${unmatched}; RSS web ${summary.webRssMb} MB, worker ${summary.workerRssMb} MB`,
    );
    console.log(JSON.stringify(summary));
    if (unmatched > 0) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    wecom.close();
    await deleteRedisPrefix(prefix, REDIS);
    await dropDatabase(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
