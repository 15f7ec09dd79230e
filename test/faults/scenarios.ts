import { readFileSync } from 'node:fs';
import type { Pool } from 'mysql2/promise';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';
import type { AppProcesses } from './app';
import type { FaultyWecom, WecomMode } from './fake-wecom';
import { type PrivateMariaDb, type PrivateRedis, sleep } from './infra';
import { Health, type Ledger, type ScenarioRow, type TrackedEvent } from './ledger';
import type { Traffic } from './traffic';
import type { Delivery, WecomSender } from './sender';

export interface Suite {
  app: AppProcesses;
  mariadb: PrivateMariaDb;
  redis: PrivateRedis;
  wecom: FaultyWecom;
  traffic: Traffic;
  ledger: Ledger;
  sender: WecomSender;
  db: () => Promise<Pool>;
  keys: { token: string; encodingAesKey: string; corpId: string };
  staff: string[];
  /** customers each salesperson has (recorded in setup), for their commands */
  customersOf: Map<string, string[]>;
  /** per-scenario event count (FAULTS_EVENTS) */
  size: number;
}

export type Scenario = (suite: Suite) => Promise<ScenarioRow | ScenarioRow[]>;

let rotation = 0;
/** adds and commands interleaved, spread over every salesperson */
function mix(suite: Suite, adds: number, commands: number): TrackedEvent[] {
  const events: TrackedEvent[] = [];
  for (let i = 0; i < Math.max(adds, commands); i += 1) {
    const staff = suite.staff[rotation++ % suite.staff.length]!;
    if (i < adds) events.push(suite.traffic.add(staff));
    if (i < commands) {
      const names = suite.customersOf.get(staff)!;
      events.push(suite.traffic.command(staff, names[i % names.length]!));
    }
  }
  return events;
}

/** Sends `events` spread evenly over `durationMs` (WeCom-like: each one retried on a non-200). */
async function stream(suite: Suite, events: TrackedEvent[], durationMs: number): Promise<void> {
  const gap = durationMs / Math.max(1, events.length);
  const sends: Promise<void>[] = [];
  for (const event of events) {
    sends.push(suite.traffic.deliver(event));
    await sleep(gap);
  }
  await Promise.all(sends);
}

const half = (n: number) => Math.max(1, Math.round(n / 2));

export const baseline: Scenario = async (suite) => {
  const started = Date.now();
  const events = mix(suite, half(suite.size), half(suite.size));
  await suite.traffic.send(events, 16);
  await suite.ledger.settle(events, 60_000);
  return suite.ledger.evaluate('no fault (baseline burst)', events, new Health(), started);
};

export const redelivery: Scenario = async (suite) => {
  const started = Date.now();
  const events = mix(suite, half(suite.size), half(suite.size));
  // Every event four times: two deliveries at once, then two more a little later.
  await Promise.all(
    events.map(async (event, i) => {
      await sleep((i % 20) * 50);
      suite.traffic.happen(event);
      const delivery: Delivery = { attempts: [] };
      const note = (status: Delivery['attempts'][number]['status']) => {
        delivery.attempts.push({ at: Date.now(), status });
        if (status === 200) delivery.ackedAt ??= Date.now();
      };
      await Promise.all([suite.sender.once(event.plaintext).then(note), suite.sender.once(event.plaintext).then(note)]);
      await sleep(500 + (i % 5) * 400);
      note(await suite.sender.once(event.plaintext));
      await sleep(300);
      note(await suite.sender.once(event.plaintext));
      event.delivery = delivery;
    }),
  );
  await suite.ledger.settle(events, 60_000);
  return suite.ledger.evaluate('redelivery ×4, two at once', events, new Health(), started);
};

export const workerKilledTwice: Scenario = async (suite) => {
  const started = Date.now();
  const events = mix(suite, suite.size, half(suite.size));
  const [a] = suite.app.workers;
  // WeCom answering in 300 ms: several welcomes are mid-call whenever the worker dies.
  suite.wecom.latencyMs = 300;
  const sending = stream(suite, events, 8000);
  await sleep(2000);
  await a!.kill9();
  await sleep(1500);
  a!.start();
  await sleep(1500);
  await a!.kill9();
  await sleep(1500);
  a!.start();
  await sending;
  suite.wecom.latencyMs = 0;
  await suite.ledger.settle(events, 120_000);
  // One worker stayed alive throughout: every welcome was due.
  return suite.ledger.evaluate('worker kill -9 twice mid-burst', events, new Health(), started);
};

export const jobThroughTwoCrashes: Scenario = async (suite) => {
  const started = Date.now();
  const health = new Health();
  const events = mix(suite, Math.max(4, Math.round(suite.size / 4)), 0).map((e) => suite.traffic.happen(e));
  const ids = events.map((e) => e.externalUserid!);
  suite.wecom.holdSlowCustomers(ids);
  health.begin(); // their lookups hang: no welcome can go out until released
  await suite.traffic.send(events, 16);
  const asked = (n: number) => ids.every((id) => (suite.wecom.slowAsks.get(id) ?? 0) >= n);
  const notes: string[] = [];
  const waitAsked = async (n: number, timeoutMs: number): Promise<number | undefined> => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (asked(n)) return Date.now() - t0;
      await sleep(250);
    }
    return undefined;
  };
  await waitAsked(1, 20_000);
  for (const crash of [1, 2]) {
    await Promise.all(suite.app.workers.map((w) => w.kill9()));
    await sleep(500);
    suite.app.startWorkers();
    if (crash === 1) {
      const tookMs = await waitAsked(2, 75_000);
      notes.push(tookMs === undefined ? 'jobs not taken over within 75 s of the crash' : `jobs taken over ${Math.round(tookMs / 1000)} s after the crash`);
    }
  }
  await sleep(1000);
  suite.wecom.releaseSlow();
  health.end();
  await suite.ledger.settle(events, 60_000);
  return suite.ledger.evaluate('a job through two crashes', events, health, started, notes);
};

export const redisRestart: Scenario = async (suite) => {
  const started = Date.now();
  const health = new Health();
  const events = mix(suite, half(suite.size), half(suite.size));
  const sending = stream(suite, events, 8000);
  await sleep(2000);
  health.begin();
  await suite.redis.stop();
  await sleep(3000);
  await suite.redis.start();
  await sleep(1000);
  health.end();
  await sending;
  await suite.ledger.settle(events, 90_000);
  return suite.ledger.evaluate('Redis restart mid-burst (3 s)', events, health, started);
};

async function spooledTotal(suite: Suite): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${suite.app.port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    return Number(/^wecom_callbacks_spooled_total (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return NaN;
  }
}

export const mariadbDown: Scenario = async (suite) => {
  const started = Date.now();
  const health = new Health();
  const outageMs = Number(process.env.FAULTS_DB_OUTAGE_MS ?? 60_000);
  const events = mix(suite, half(suite.size), half(suite.size));
  const spooledBefore = await spooledTotal(suite);
  health.begin();
  await suite.mariadb.kill9();
  await stream(suite, events, outageMs - 2000);
  await suite.mariadb.start();
  await suite.app.waitReady();
  health.end();
  const spooled = (await spooledTotal(suite)) - spooledBefore;
  await suite.ledger.settle(events, 150_000);
  return suite.ledger.evaluate(`MariaDB down ${Math.round(outageMs / 1000)} s (kill -9)`, events, health, started, [
    `${spooled} callbacks spooled in Redis while it was down`,
  ]);
};

export const bothDown: Scenario = async (suite) => {
  const started = Date.now();
  const health = new Health();
  const events = mix(suite, Math.round(suite.size / 4), Math.round(suite.size / 4));
  health.begin();
  await Promise.all([suite.mariadb.kill9(), suite.redis.stop()]);
  const sending = stream(suite, events, 3000);
  await sleep(4000);
  await Promise.all([suite.mariadb.start(), suite.redis.start()]);
  await suite.app.waitReady();
  health.end();
  await sending;
  const refused = events.filter((e) => e.delivery?.attempts.some((a) => a.status === 503)).length;
  await suite.ledger.settle(events, 120_000);
  return suite.ledger.evaluate('MariaDB and Redis down 4 s', events, health, started, [`${refused} events answered 503 at first, stored on WeCom's retry`]);
};

const MODES: Array<[WecomMode, string]> = [
  ['busy', '-1 (system busy)'],
  ['freq_limit', '45009 (frequency limit)'],
  ['http500', 'HTTP 500'],
  ['hang', 'hanging'],
];
const LOOKUP = 'externalcontact/get';
/** how a row names the cause of a sick WeCom (not only "welcome code expired") */
const WECOM_CAUSE = /-1|45009|500|time(d)? ?out|busy|freq|abort/i;

/**
 * WeCom failing in each mode, then recovering. First the customer lookup alone (every add needs it,
 * the welcome itself still works): every welcome is still due. Then all of WeCom for longer than a
 * welcome code lives: no welcome of that time can go, and each row must say why (WeCom's answer, not
 * only "expired").
 */
export const sickWecom: Scenario = async (suite) => {
  const rows: ScenarioRow[] = [];
  const sickFor = async (label: string, mode: WecomMode, apis: string[] | 'all', ms: number, options: { allDue: boolean }) => {
    const started = Date.now();
    const health = new Health();
    if (!options.allDue) health.begin();
    suite.wecom.setMode(mode, apis);
    const during = mix(suite, Math.round(suite.size / 5), Math.round(suite.size / 8));
    await stream(suite, during, ms);
    suite.wecom.setMode('healthy');
    health.end();
    const after = mix(suite, Math.round(suite.size / 12), Math.round(suite.size / 12));
    await suite.traffic.send(after, 8);
    const events = [...during, ...after];
    await suite.ledger.settle(events, 90_000);
    rows.push(await suite.ledger.evaluate(label, events, health, started, [], { cause: WECOM_CAUSE }));
  };
  for (const [mode, name] of MODES) await sickFor(`WeCom customer lookup ${name} 15 s, then recovering`, mode, [LOOKUP], 15_000, { allDue: true });
  await sickFor('all of WeCom -1 for 25 s, then recovering', 'busy', 'all', 25_000, { allDue: false });
  return rows;
};

/** Bodies no WeCom sends: cheap to refuse, never a 5xx, never stored, no growth of the web process. */
export const hostileInput: Scenario = async (suite) => {
  const started = Date.now();
  const statuses = new Map<string, number>();
  const count = (status: number | string) => statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
  const path = () => signedCallback(suite.keys, textMessageXml({ corpId: suite.keys.corpId, from: 'fsales01', content: '待办', msgId: '1' })).path;
  const nested = `<xml>${'<a>'.repeat(10_000)}<Encrypt>QUJDRA==</Encrypt>${'</a>'.repeat(10_000)}</xml>`;
  const doctype = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>';
  const big = Buffer.alloc(900 * 1024, 'A');
  const rssBefore = suite.app.webRssMb();
  let requests = 0;
  for (let i = 0; i < 50; i += 1) {
    for (const body of [nested, doctype]) {
      count(await suite.sender.raw(path(), body));
      requests += 1;
    }
  }
  for (let i = 0; i < 200; i += 1) {
    count(await suite.sender.raw(path(), big));
    requests += 1;
  }
  // signed, but a replay of a 2020 request
  const replayXml = textMessageXml({ corpId: suite.keys.corpId, from: 'fsales01', content: '待办 PLAINTEXT-K7Q-replay', msgId: '6100000000000000001' });
  for (let i = 0; i < 10; i += 1) {
    const sealed = sealCallback(suite.keys, replayXml, String(Date.UTC(2020, 0, 15) / 1000));
    count(
      await suite.sender.raw(
        `/wecom/callback?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
        `<xml><Encrypt><![CDATA[${sealed.ciphertext}]]></Encrypt></xml>`,
      ),
    );
    requests += 1;
  }
  // signed and fresh, but larger than the payload column once stored (33 KB of quotes → 66 KB of JSON): refused for good on every delivery
  const bombXml = textMessageXml({ corpId: suite.keys.corpId, from: 'fsales01', content: `记录跟进 张三 ${'"'.repeat(33_000)}`, msgId: '6100000000000000002' });
  const bomb = await suite.sender.deliver(bombXml);
  for (const a of bomb.attempts) count(a.status);
  requests += bomb.attempts.length;
  await sleep(500);
  const rssAfter = suite.app.webRssMb();
  // What the web process logged meanwhile: one warn line per kind of refusal (rate-limited), no error, no stack.
  const logged = readFileSync(suite.app.logFiles[0]!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; time: string; msg: string; err?: { stack?: string } })
    .filter((l) => Date.parse(l.time) >= started);
  const rejectedLines = logged.filter((l) => l.msg === 'request rejected').length;
  const errorLines = logged.filter((l) => l.level >= 50 || l.err?.stack).length;
  const [stored] = await (await suite.db()).query(
    "SELECT COUNT(*) AS n FROM inbound_events WHERE dedupe_key IN ('msg:6100000000000000001', 'msg:6100000000000000002')",
  );
  const storedHostile = Number((stored as Array<{ n: number }>)[0]!.n);
  const fivexx = [...statuses].filter(([s]) => /^5|timeout|refused/.test(s)).reduce((n, [, c]) => n + c, 0);
  const ok = fivexx === 0 && storedHostile === 0 && rssAfter - rssBefore < 60 && errorLines === 0 && rejectedLines <= 10;
  return {
    scenario: 'hostile input (nested tags, DOCTYPE, 900 KB ×200, 2020 replay, quote bomb)',
    eventsIn: requests,
    lost: 0,
    doubled: 0,
    welcomesDue: 0,
    welcomesSent: 0,
    welcomesDoubled: 0,
    wrongRow: 0,
    noReason: 0,
    seconds: Math.round((Date.now() - started) / 1000),
    notes: [
      `answers ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`,
      `web RSS ${rssBefore} → ${rssAfter} MB`,
      `${storedHostile} stored`,
      `${fivexx} 5xx/timeouts`,
      `${rejectedLines} "request rejected" log lines, ${errorLines} errors or stacks`,
    ],
    ok,
  };
};
