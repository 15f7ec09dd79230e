import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool } from 'mysql2/promise';
import { AppProcesses, ROOT } from './app';
import { FaultyWecom } from './fake-wecom';
import { portOpen, PrivateMariaDb, PrivateRedis } from './infra';
import { Health, Ledger, type ScenarioRow } from './ledger';
import { Traffic } from './traffic';
import { scanLogs } from './log-scan';
import * as scenarios from './scenarios';
import { WecomSender } from './sender';

/**
 * `npm run test:faults`: the compiled web and two workers against a MariaDB and a Redis (AOF) of the
 * suite's own, a fake WeCom with WeCom's semantics and a sender that behaves like WeCom; faults are
 * injected one scenario at a time and each prints events in / lost / doubled and welcomes due / sent /
 * doubled. Exit code 1 when any scenario misses the goal: nothing lost or doubled, every welcome
 * whose code was still valid sent once, every failure with its reason on its row, nothing secret or
 * personal in the logs. FAULTS_ONLY=name,name runs some; FAULTS_EVENTS sets the burst size;
 * FAULTS_PORT_BASE=n puts the web, fake WeCom, MariaDB and Redis on n … n+3 (two suites side by side).
 */

const PORT_BASE = process.env.FAULTS_PORT_BASE ? Number(process.env.FAULTS_PORT_BASE) : undefined;
const PORTS =
  PORT_BASE === undefined
    ? { web: 3220, wecom: 3221, mariadb: 3407, redis: 6391 }
    : { web: PORT_BASE, wecom: PORT_BASE + 1, mariadb: PORT_BASE + 2, redis: PORT_BASE + 3 };
const SCENARIOS: Array<[string, scenarios.Scenario]> = [
  ['baseline', scenarios.baseline],
  ['redelivery', scenarios.redelivery],
  ['worker-kill', scenarios.workerKilledTwice],
  ['two-crashes', scenarios.jobThroughTwoCrashes],
  ['redis-restart', scenarios.redisRestart],
  ['mariadb-down', scenarios.mariadbDown],
  ['both-down', scenarios.bothDown],
  ['sick-wecom', scenarios.sickWecom],
  ['hostile', scenarios.hostileInput],
];

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) throw new Error('build first: npm run build');
  for (const [name, port] of Object.entries(PORTS))
    if (await portOpen(port)) throw new Error(`port ${port} (${name}) is in use: is another fault suite running?`);
  const only = process.env.FAULTS_ONLY?.split(',').filter(Boolean);
  const size = Number(process.env.FAULTS_EVENTS ?? 80);
  const dir = mkdtempSync(join(tmpdir(), 'wecom-crm-faults-'));
  const t0 = Date.now();
  const say = (text: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

  const mariadb = new PrivateMariaDb(join(dir, 'mariadb'), PORTS.mariadb);
  const redis = new PrivateRedis(join(dir, 'redis'), PORTS.redis);
  const keys = {
    token: `faults${randomBytes(8).toString('hex')}`,
    encodingAesKey: randomBytes(40)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .padEnd(43, 'x')
      .slice(0, 43),
    corpId: 'wwfaultsuite',
  };
  const secret = `fault-secret-${randomBytes(12).toString('hex')}`;
  const wecom = new FaultyWecom({ corpId: keys.corpId, corpSecret: secret, agentId: '1000002' });
  const staff = Array.from({ length: 12 }, (_, i) => `fsales${String(i + 1).padStart(2, '0')}`);
  for (const userid of staff) wecom.world.staff.push({ userid, name: `销售${userid.slice(-2)}`, position: '销售' });
  let pool: Pool | undefined;
  let app: AppProcesses | undefined;
  const rows: ScenarioRow[] = [];
  try {
    say(`private MariaDB on ${PORTS.mariadb}, Redis (AOF) on ${PORTS.redis}, fake WeCom on ${PORTS.wecom}, web on ${PORTS.web}; files in ${dir}`);
    await mariadb.init();
    await Promise.all([mariadb.start(), redis.start(), wecom.listen(PORTS.wecom)]);
    pool = createPool({ uri: `${mariadb.url}/mysql`, connectionLimit: 4, connectTimeout: 2000 });
    await pool.query('CREATE DATABASE wecom_faults CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await pool.end();
    pool = createPool({ uri: `${mariadb.url}/wecom_faults`, connectionLimit: 4, connectTimeout: 2000 });

    // No SOPs and only the default welcome: the suite measures events, writes and welcomes, not pacing of SOP pushes.
    writeFileSync(join(dir, 'sops.json'), JSON.stringify({ sops: [] }));
    writeFileSync(join(dir, 'channel-rules.json'), JSON.stringify({ rules: [], default: { welcome: '您好{name}，我是{staff}，很高兴为您服务！' } }));
    app = new AppProcesses(
      dir,
      {
        PORT: String(PORTS.web),
        DATABASE_URL: `${mariadb.url}/wecom_faults`,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: 'faults',
        WECOM_CORP_ID: keys.corpId,
        WECOM_AGENT_ID: '1000002',
        WECOM_SECRET: secret,
        WECOM_TOKEN: keys.token,
        WECOM_ENCODING_AES_KEY: keys.encodingAesKey,
        WECOM_API_BASE: `http://127.0.0.1:${PORTS.wecom}/sandbox/cgi-bin`,
        LOG_LEVEL: 'debug',
        CRM_QUIET_HOURS: 'off',
        CRM_RECONCILE_CRON: 'off',
        CRM_DIGEST_TIME: 'off',
        CRM_TEAM_DIGEST_TIME: 'off',
        CRM_WEEKLY_DIGEST: 'off',
        CRM_SOP_SCAN_CRON: 'off',
        CRM_SOPS_FILE: join(dir, 'sops.json'),
        CRM_CHANNEL_RULES_FILE: join(dir, 'channel-rules.json'),
        INBOUND_RETRY_DELAY_MS: '1000',
        STALE_EVENT_AFTER_MS: '20000',
      },
      PORTS.web,
    );
    await app.startWeb();
    app.startWorkers();
    say(`web pid ${app.web.pid}, workers ${app.workers.map((w) => w.pid).join(', ')}, MariaDB pid ${mariadb.pid}, Redis pid ${redis.pid}`);

    const db = async () => pool!;
    const sender = new WecomSender(`http://127.0.0.1:${PORTS.web}`, keys);
    const traffic = new Traffic(wecom.world, keys.corpId, sender);
    const ledger = new Ledger(db, wecom.world);
    // Every salesperson gets two customers first: the commands of every scenario name them.
    const customersOf = new Map<string, string[]>();
    const seed = staff.flatMap((s) => [traffic.add(s), traffic.add(s)]);
    for (const e of seed) customersOf.set(e.staff, [...(customersOf.get(e.staff) ?? []), e.name]);
    await new Promise((r) => setTimeout(r, 2000)); // the workers' start-up (tag dictionary, schedules)
    await traffic.send(seed, 8);
    await ledger.settle(seed, 60_000);
    const seeded = await ledger.evaluate('seed', seed, new Health(), Date.now());
    if (seeded.lost > 0) throw new Error(`seeding the customers failed: ${seeded.notes.join('; ')}`);
    say(`${seed.length} customers recorded for ${staff.length} salespeople`);

    const suite: scenarios.Suite = { app, mariadb, redis, wecom, traffic, ledger, sender, db, keys, staff, customersOf, size };
    for (const [name, run] of SCENARIOS) {
      if (only && !only.includes(name)) continue;
      say(`scenario ${name} …`);
      const result = await run(suite);
      for (const row of Array.isArray(result) ? result : [result]) {
        rows.push(row);
        say(
          `${row.ok ? 'ok  ' : 'MISS'} ${row.scenario}: in ${row.eventsIn}, lost ${row.lost}, doubled ${row.doubled}, welcomes ${row.welcomesSent}/${row.welcomesDue} due${row.notes.length ? ` — ${row.notes.join('; ')}` : ''}`,
        );
      }
    }

    await app.stopAll();
    const scan = scanLogs(app.logFiles, [
      { what: 'the callback token', value: keys.token },
      { what: 'the AES key', value: keys.encodingAesKey },
      { what: 'the app secret', value: secret },
      ...wecom.world.issuedTokens.map((t) => ({ what: 'an access token', value: t })),
      ...traffic.namesUsed.map((n) => ({ what: 'a customer name', value: n })),
    ]);
    rows.push({
      scenario: 'log scan: secrets and plaintext in every log line above',
      eventsIn: scan.lines,
      lost: 0,
      doubled: 0,
      welcomesDue: 0,
      welcomesSent: 0,
      welcomesDoubled: 0,
      wrongRow: 0,
      noReason: 0,
      seconds: 0,
      notes: scan.hits.size ? [...scan.hits].map(([what, n]) => `${n} lines with ${what}`) : ['nothing found'],
      ok: scan.hits.size === 0,
    });
  } finally {
    await app?.stopAll().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    wecom.close();
    await Promise.all([mariadb.stop().catch(() => undefined), redis.stop().catch(() => undefined)]);
    printTable(rows, (Date.now() - t0) / 1000);
    if (process.env.FAULTS_KEEP) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

function printTable(rows: ScenarioRow[], seconds: number): void {
  const header = ['scenario', 'events in', 'lost', 'doubled', 'welcomes due', 'sent', 'wel. doubled', 'wrong row', 'no reason', 's', 'goal'];
  const body = rows.map((r) =>
    [
      r.scenario,
      r.eventsIn,
      r.lost,
      r.doubled,
      r.welcomesDue,
      r.welcomesSent,
      r.welcomesDoubled,
      r.wrongRow,
      r.noReason,
      r.seconds,
      r.ok ? 'met' : 'MISSED',
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
  for (const r of rows) if (r.notes.length) process.stdout.write(`  ${r.scenario}: ${r.notes.join('; ')}\n`);
  process.stdout.write(`fault suite: ${rows.filter((r) => r.ok).length}/${rows.length} scenarios met the goal in ${Math.round(seconds)} s\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
