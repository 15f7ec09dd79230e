import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { INSTANCE_TABLE } from '../../src/platform/db/instance-id';
import { createQueueSet, type QueueSet } from '../../src/platform/queue/queues';
import { createReminderScheduler } from '../../src/modules/reminders/reminder.scheduler';
import { createSopScheduler } from '../../src/modules/sop/sop.scheduler';
import { deleteRedisPrefix } from '../helpers/test-env';
import {
  appEnv,
  BENCH_MARIADB as MARIADB,
  BENCH_REDIS as REDIS,
  benchDatabase,
  benchPort,
  freshDatabase,
  memoryMb,
  percentile as pct,
  startCompiledApp,
  waitUntilOk,
} from './bench-env';

/**
 * `npm run bench:reminders [items] [windowSeconds]`: 100,000 items due within the next 10 minutes —
 * half reminders (delayed jobs on `reminders`), half SOP steps (delayed jobs on `sop`) — stored in
 * MariaDB and scheduled in Redis, then fired by the compiled worker through the outbound queue to a
 * local fake WeCom (message/send answering after 20 ms). For every item: when its message reached
 * WeCom versus its due time (lateness p50/p99), whether it arrived twice or never; and the worker's
 * RSS. Goal: p99 lateness < 2 s, none missed or doubled, RSS < 300 MB. BENCH_WORKERS=n runs n worker processes.
 */
const DB = benchDatabase('wecom_crm_bench_reminders');
const ITEMS = Number(process.argv[2] ?? process.env.BENCH_ITEMS ?? 100_000);
const WINDOW_S = Number(process.argv[3] ?? process.env.BENCH_WINDOW_S ?? 600);
/** the first item is due this long after scheduling ends, so none is due before the worker runs */
const LEAD_S = 20;
/** WeCom allows 30 app messages a minute per member: enough salespeople that pacing never binds */
const SALESPEOPLE = Math.max(50, Math.ceil(ITEMS / (WINDOW_S / 60) / 10));
const WECOM_LATENCY_MS = 20;
const GRACE_S = 60;
/** worker processes (horizontal scaling: each takes jobs from the same queues); RSS is reported per process */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

type Kind = 'reminder' | 'step';
const itemKey = (kind: Kind, id: number) => `${kind}:${id}`;

/** Records when each item's message arrived; identifies it by the reminder card's task_id or the SOP step's customer. */
function fakeWecom(arrivals: Map<string, number[]>): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const at = Date.now();
      const api = new URL(req.url ?? '/', 'http://x').pathname.replace('/cgi-bin/', '');
      const answer = (json: unknown) => setTimeout(() => res.end(JSON.stringify(json)), api === 'gettoken' ? 0 : WECOM_LATENCY_MS);
      if (api === 'gettoken') return answer({ errcode: 0, errmsg: 'ok', access_token: 'T', expires_in: 7200 });
      if (api === 'message/send') {
        const task = /"task_id":"rem-(\d+)-/.exec(body);
        const step = /客户：bench(\d+)/.exec(body);
        const key = task ? itemKey('reminder', Number(task[1])) : step ? itemKey('step', Number(step[1])) : 'other';
        arrivals.set(key, [...(arrivals.get(key) ?? []), at]);
        return answer({ errcode: 0, errmsg: 'ok', msgid: `m${at}` });
      }
      return answer({ errcode: 0, errmsg: 'ok' });
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** Multi-row INSERTs in chunks (100,000 single inserts would take minutes). */
async function insertRows(db: Connection, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows.slice(i, i + 5000)]);
  }
}

const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB);
  const prefix = `bench-reminders-${Date.now().toString(36)}`;
  const arrivals = new Map<string, number[]>();
  const wecom = await fakeWecom(arrivals);
  const dir = mkdtempSync(join(tmpdir(), 'bench-sops-'));
  const rulesFile = join(dir, 'channel-rules.json');
  writeFileSync(rulesFile, JSON.stringify({ rules: [], default: {} }));
  const sopFile = join(dir, 'sops.json');
  writeFileSync(
    sopFile,
    JSON.stringify({
      sops: [
        {
          name: 'bench',
          title: '压测',
          trigger: { type: 'tag_added', tag: 'bench' },
          steps: [{ key: 'ping', offset: '+0', audience: 'owner', message: '跟进 {name}' }],
        },
      ],
    }),
  );
  const children: ChildProcess[] = [];
  let queues: QueueSet | undefined;
  try {
    const port = benchPort(23_400);
    const env = {
      ...appEnv({ port, databaseUrl, queuePrefix: prefix, wecomApiBase: `http://127.0.0.1:${(wecom.address() as { port: number }).port}/cgi-bin` }),
      WECOM_API_BUDGET_PER_MINUTE: '100000',
      OUTBOUND_CONCURRENCY: process.env.OUTBOUND_CONCURRENCY ?? '16',
      CRM_QUIET_HOURS: 'off',
      CRM_RECONCILE_CRON: 'off',
      CRM_SOP_SCAN_CRON: 'off',
      CRM_SOPS_FILE: sopFile,
      CRM_CHANNEL_RULES_FILE: rulesFile,
    };
    const web = startCompiledApp('web', env);
    children.push(web);
    await waitUntilOk(`http://127.0.0.1:${port}/readyz`); // the web process migrates the fresh database

    // The rows: salespeople, one customer per SOP step (its name identifies the step), reminders, runs, steps.
    const db = await createConnection({ uri: databaseUrl });
    // The app's queues live under the database's instance id (src/db/instance-id.ts): schedule where its workers look.
    const [instance] = (await db.query(`SELECT instance_id AS id FROM ${INSTANCE_TABLE} WHERE id = 1`)) as unknown as [Array<{ id: string }>];
    queues = createQueueSet({ redisUrl: REDIS, prefix, instanceId: instance[0]?.id ?? '' });
    const reminders = Math.ceil(ITEMS / 2);
    const steps = ITEMS - reminders;
    const staff = (i: number) => `bench${String(i % SALESPEOPLE).padStart(4, '0')}`;
    await insertRows(
      db,
      'staff',
      ['userid', 'wecom_userid', 'name'],
      Array.from({ length: SALESPEOPLE }, (_, i) => [staff(i), staff(i), `销售${i}`]),
    );
    await insertRows(
      db,
      'customers',
      ['id', 'name', 'external_userid'],
      Array.from({ length: steps }, (_, i) => [i + 1, `bench${i + 1}`, `wmBench${i + 1}`]),
    );
    await insertRows(
      db,
      'customer_relations',
      ['customer_id', 'staff_userid', 'status'],
      Array.from({ length: steps }, (_, i) => [i + 1, staff(i), 'active']),
    );
    await insertRows(
      db,
      'sop_runs',
      ['id', 'sop_name', 'customer_id', 'staff_userid', 'trigger_type', 'run_key', 'status', 'started_at'],
      Array.from({ length: steps }, (_, i) => [i + 1, 'bench', i + 1, staff(i), 'tag_added', `bench:${i + 1}`, 'active', sqlTime(Date.now())]),
    );
    console.log(`${SALESPEOPLE} salespeople, ${steps} customers with an SOP run written; scheduling ${ITEMS} items due over ${WINDOW_S} s…`);

    // Due times on whole seconds (the DB keeps seconds), spread evenly over the window, starting LEAD_S after scheduling.
    const scheduleStart = Date.now();
    const estimatedScheduling = 10_000 + ITEMS * 0.5; // generous: the first due time must be after scheduling ends
    const firstDue = Math.ceil((scheduleStart + estimatedScheduling + LEAD_S * 1000) / 1000) * 1000;
    const dueOf = (n: number) => firstDue + Math.floor((n * WINDOW_S) / ITEMS) * 1000;
    const due = new Map<string, number>();
    const reminderRows = Array.from({ length: reminders }, (_, i) => {
      due.set(itemKey('reminder', i + 1), dueOf(2 * i));
      return [i + 1, staff(i), '回访', sqlTime(dueOf(2 * i)), 'pending', `bench:${i + 1}`];
    });
    await insertRows(db, 'reminders', ['id', 'staff_userid', 'content', 'due_at', 'status', 'source_key'], reminderRows);
    const stepRows = Array.from({ length: steps }, (_, i) => {
      due.set(itemKey('step', i + 1), dueOf(2 * i + 1));
      return [i + 1, i + 1, 'ping', 0, sqlTime(dueOf(2 * i + 1)), 'pending'];
    });
    await insertRows(db, 'sop_step_runs', ['id', 'run_id', 'step_key', 'step_index', 'due_at', 'status'], stepRows);

    // The product's own schedulers put the delayed jobs in Redis.
    const reminderScheduler = createReminderScheduler(queues);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < reminders) {
          const i = next++;
          await reminderScheduler.schedule(i + 1, new Date(dueOf(2 * i)));
        }
      }),
    );
    await createSopScheduler(queues).scheduleSteps(Array.from({ length: steps }, (_, i) => ({ id: i + 1, dueAt: new Date(dueOf(2 * i + 1)) })));
    const scheduledAt = Date.now();
    console.log(`scheduled in ${((scheduledAt - scheduleStart) / 1000).toFixed(1)} s; first due ${((firstDue - scheduledAt) / 1000).toFixed(1)} s from now`);
    if (scheduledAt > firstDue) console.log('WARNING: scheduling ended after the first due time; early items count as late');

    // Workers run as the README recommends deploying them (a capped heap: Node otherwise lets garbage
    // pile up to ~350 MB before collecting); BENCH_WORKER_NODE_OPTIONS='' measures the default.
    const workerEnv = { ...env, NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=192' };
    const workers = Array.from({ length: WORKERS }, () => startCompiledApp('worker', workerEnv));
    children.push(...workers);
    const rss = () => Math.max(...workers.map((w) => memoryMb(w.pid!).rss));
    let peakRss = 0;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rss());
      } catch {
        // exited
      }
    }, 1000);

    // Wait until everything arrived, or nothing arrived for GRACE_S after the last due time (a backlog
    // that still drains is late, not missed).
    const lastDue = dueOf(ITEMS - 1);
    let lastReport = 0;
    let lastProgress = Date.now();
    let lastArrived = 0;
    for (;;) {
      const arrived = [...arrivals.keys()].filter((k) => k !== 'other').length;
      if (arrived !== lastArrived) [lastArrived, lastProgress] = [arrived, Date.now()];
      if (arrived >= ITEMS && Date.now() > lastDue + 5000) break;
      if (Date.now() > lastDue && Date.now() - lastProgress > GRACE_S * 1000) break;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        // where a backlog builds up: firing (reminders, sop) or sending (outbound)
        const waiting = await Promise.all((['reminders', 'sop', 'outbound'] as const).map(async (q) => `${q} ${await queues!.get(q).getWaitingCount()}`));
        console.log(`  ${arrived}/${ITEMS} arrived; waiting: ${waiting.join(', ')}; worker RSS ${rss()} MB`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 3000)); // a late duplicate would show up now
    clearInterval(sampler);
    const finalRss = { rss: rss(), peak: Math.max(...workers.map((w) => memoryMb(w.pid!).peak)) };

    const lateness: number[] = [];
    let missed = 0;
    let doubled = 0;
    for (const [key, dueAt] of due) {
      const times = arrivals.get(key) ?? [];
      if (times.length === 0) missed += 1;
      if (times.length > 1) doubled += 1;
      if (times.length > 0) lateness.push(times[0]! - dueAt);
    }
    lateness.sort((a, b) => a - b);
    const [[dbState]] = (await db.query(
      "SELECT (SELECT COUNT(*) FROM reminders WHERE status = 'sent') AS remindersSent, (SELECT COUNT(*) FROM sop_step_runs WHERE status = 'sent') AS stepsSent, (SELECT COUNT(*) FROM outbound_messages WHERE status = 'sent') AS outboundSent",
    )) as unknown as [[Record<string, number>]];
    await db.end();
    const summary = {
      items: ITEMS,
      reminders,
      sopSteps: steps,
      windowSeconds: WINDOW_S,
      salespeople: SALESPEOPLE,
      workers: WORKERS,
      p50ms: pct(lateness, 0.5),
      p90ms: pct(lateness, 0.9),
      p99ms: pct(lateness, 0.99),
      maxMs: lateness[lateness.length - 1],
      early: lateness.filter((l) => l < -1000).length,
      missed,
      doubled,
      workerRssMb: finalRss.rss,
      workerPeakRssMb: Math.max(peakRss, finalRss.peak),
      db: Object.fromEntries(Object.entries(dbState).map(([k, v]) => [k, Number(v)])),
    };
    console.log(
      `${ITEMS} items (${reminders} reminders, ${steps} SOP steps) due over ${WINDOW_S} s, WeCom latency ${WECOM_LATENCY_MS} ms\n` +
        `lateness (due → message at WeCom): p50 ${summary.p50ms} ms, p90 ${summary.p90ms} ms, p99 ${summary.p99ms} ms, max ${summary.maxMs} ms\n` +
        `missed ${missed}, doubled ${doubled}; worker RSS ${summary.workerRssMb} MB (peak ${summary.workerPeakRssMb} MB${WORKERS > 1 ? `, largest of ${WORKERS} workers` : ''})`,
    );
    console.log(JSON.stringify(summary));
    if (missed > 0 || doubled > 0) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await queues?.close();
    wecom.close();
    await deleteRedisPrefix(prefix, REDIS);
    const root = await createConnection({ uri: MARIADB });
    await root.query(`DROP DATABASE IF EXISTS ${DB}`);
    await root.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
