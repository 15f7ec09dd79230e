import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { In } from 'typeorm';
import { OutboundMessage } from '../../entities';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { DIGEST_JOBS } from '../../src/modules/digests/digest.jobs';
import { digestsModule } from '../../src/modules/digests/digests.module';
import { bindWork } from '../../src/platform/queue/job-registry';
import { createLogger } from '../../src/platform/logger';
import { createOutboundProcessor } from '../../src/platform/outbound/outbound.processor';
import { deleteRedisPrefix } from '../helpers/test-env';
import { appEnv, BENCH_REDIS, dropDatabase, freshDatabase, memoryMb, runSeed } from './bench-env';

/**
 * `npm run bench:digests`: the evening run at scale. Seeds BENCH_STAFF salespeople (default 200) and
 * BENCH_CUSTOMERS customers (default 100,000) with `npm run seed` into a throwaway database, then runs
 * the daily personal digest and the team digest as the scheduler would (a job on the maintenance
 * queue), with the outbound queue sending to a fake WeCom on 127.0.0.1 that answers after 50 ms.
 * Reports the time to build and enqueue every digest, the time until WeCom received the last one,
 * and this process's memory. Goal: the whole run under a minute. Stops by itself.
 */

const DB = 'wecom_crm_bench_digests';
const STAFF = Number(process.env.BENCH_STAFF ?? 200);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const TZ = 'Asia/Shanghai';

function fakeWecom(received: { count: number; lastAt: number }): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        if (req.url?.includes('/gettoken')) return void res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'BENCH', expires_in: 7200 }));
        received.count += 1;
        received.lastAt = Date.now();
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', msgid: `m${received.count}` }));
      }, LATENCY_MS),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Job options for a run "scheduled" at `ms` (Bull reads `timestamp`, missing from its typings, as the job's time). */
function runAt(jobId: string, ms: number): { jobId: string } {
  const options = { jobId, timestamp: ms };
  return options;
}

async function waitForJob(container: Container, jobId: string): Promise<void> {
  for (;;) {
    const job = await container.queues.get('maintenance').getJob(jobId);
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed') return;
    if (state === 'failed') throw new Error(`${jobId} failed: ${job?.failedReason}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB);
  const today = dayjs().tz(TZ).startOf('day');
  console.log(`seeding ${CUSTOMERS} customers, ${STAFF} salespeople, ${TEAMS} teams, 30 days through ${today.format('YYYY-MM-DD')} …`);
  const seedStarted = Date.now();
  const seeded = runSeed(databaseUrl, { customers: CUSTOMERS, staff: STAFF, teams: TEAMS, days: 30, seed: 42, end: today.format('YYYY-MM-DD') });
  console.log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s: ${seeded}`);

  const received = { count: 0, lastAt: 0 };
  const server = await fakeWecom(received);
  const port = (server.address() as AddressInfo).port;
  const prefix = `bench-digests-${Date.now().toString(36)}`;
  const config = loadConfig({
    ...appEnv({ port: 0, databaseUrl, queuePrefix: prefix, wecomApiBase: `http://127.0.0.1:${port}/cgi-bin` }),
    CRM_QUIET_HOURS: 'off',
    // no schedules: the bench adds the jobs itself, "due" at 18:00 today
    CRM_DIGEST_TIME: 'off',
    CRM_TEAM_DIGEST_TIME: 'off',
    CRM_WEEKLY_DIGEST: 'off',
    LOG_LEVEL: 'silent',
  });
  const container = await createContainer(config, config.wecom!, createLogger('silent'), { queuePrefix: prefix, defaultMetrics: false });
  try {
    // the seeded teams' robots point at qyapi: send them to the fake instead
    await container.dataSource.query("UPDATE teams SET robot_webhook_url = REPLACE(robot_webhook_url, 'https://qyapi.weixin.qq.com', ?)", [
      `http://127.0.0.1:${port}`,
    ]);
    await bindWork(container, [digestsModule({ digest: container.services.digest, outbound: container.outbound, logger: container.logger, config })]).start();
    void container.queues.get('outbound').process(config.outbound.concurrency, createOutboundProcessor(container));
    const before = memoryMb(process.pid);
    const at = today.hour(18).toDate();

    // The aggregate queries alone (no sending), to see where the run's time goes.
    const q0 = Date.now();
    await container.services.digest.personalForEveryone(at);
    const personalQueries = Date.now() - q0;
    const [firstTeam] = await container.services.digest.teamsWithGroup();
    const q1 = Date.now();
    await container.services.digest.teamDaily(firstTeam!, at);
    const teamQueries = Date.now() - q1;

    const t0 = Date.now();
    await container.queues.get('maintenance').add(DIGEST_JOBS.daily, {}, runAt('bench-daily', at.getTime()));
    await waitForJob(container, 'bench-daily');
    const built = Date.now() - t0;
    const outbound = container.dataSource.getRepository(OutboundMessage);
    const personal = await outbound.count({ where: { channel: 'user' } });
    await container.queues.get('maintenance').add(DIGEST_JOBS.team, {}, runAt('bench-team', at.getTime() + 1800_000));
    await waitForJob(container, 'bench-team');
    const builtAll = Date.now() - t0;
    const total = await outbound.count();
    while ((await outbound.count({ where: { status: In(['sent', 'failed']) } })) < total) await new Promise((r) => setTimeout(r, 50));
    const delivered = received.lastAt - t0;
    const failed = await outbound.count({ where: { status: 'failed' } });
    const after = memoryMb(process.pid);

    // the same run again: every message is a duplicate and WeCom hears nothing more
    const heard = received.count;
    await container.queues.get('maintenance').add(DIGEST_JOBS.daily, {}, runAt('bench-daily-again', at.getTime()));
    await waitForJob(container, 'bench-daily-again');
    await new Promise((r) => setTimeout(r, 1000));

    console.log(`aggregate queries alone: every salesperson's figures ${personalQueries} ms; one team's digest ${teamQueries} ms`);
    console.log(`personal digests: ${personal} of ${STAFF} salespeople had news; built and enqueued in ${(built / 1000).toFixed(1)} s`);
    console.log(`team digests: ${total - personal} teams; all digests built and enqueued after ${(builtAll / 1000).toFixed(1)} s`);
    console.log(
      `WeCom (fake, ${LATENCY_MS} ms per call, outbound concurrency ${config.outbound.concurrency}) received the last of ${total} after ${(delivered / 1000).toFixed(1)} s; failed ${failed}  (goal: < 60 s)`,
    );
    console.log(`rerun of the daily job: ${received.count - heard} more messages sent (expected 0)`);
    console.log(`RSS of the worker process: ${before.rss} MB before the run, ${after.rss} MB after, peak ${after.peak} MB`);
  } finally {
    await container.close();
    server.close();
    await deleteRedisPrefix(prefix, BENCH_REDIS);
    await dropDatabase(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
