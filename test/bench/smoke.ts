import { spawnSync } from 'node:child_process';
import { ROOT } from './bench-env';

/**
 * `npm run bench:smoke`: every `bench:*` once at a small size, as CI runs them, so none can rot: each
 * must build, start its processes, measure, and exit 0 (each fails on its own guarantees: callbacks
 * stored and queued once, every welcome within 20 s and once, no reminder missed or doubled, …).
 * The figures of a smoke run mean nothing; the full sizes are in the README. Stops at the first failure.
 */
const SMOKE: Array<{ script: string; env: Record<string, string> }> = [
  { script: 'bench:webhook', env: { BENCH_CONCURRENCY: '1,8', BENCH_REQUESTS: '200' } },
  { script: 'bench:capture', env: { BENCH_EVENTS: '100' } },
  { script: 'bench:commands', env: { BENCH_PER_SALESPERSON: '1', BENCH_RATE: '50' } },
  { script: 'bench:outbound', env: { BENCH_MESSAGES: '200', BENCH_MEMBERS: '100', BENCH_CONCURRENCY: '8', BENCH_WINDOW_MS: '1000' } },
  { script: 'bench:reminders', env: { BENCH_ITEMS: '200', BENCH_WINDOW_S: '5' } },
  { script: 'bench:digests', env: { BENCH_STAFF: '5', BENCH_CUSTOMERS: '300', BENCH_TEAMS: '1' } },
  { script: 'bench:pipeline', env: { BENCH_SIZE: 'small' } },
];

const only = process.env.BENCH_SMOKE_ONLY?.split(',');
const started = Date.now();
for (const { script, env } of SMOKE) {
  if (only && !only.includes(script)) continue;
  const t0 = Date.now();
  console.log(
    `== ${script} (${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')})`,
  );
  const run = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (run.status !== 0) {
    console.error(`== ${script} FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`);
    process.exit(1);
  }
  console.log(`== ${script} ok in ${seconds} s`);
}
console.log(`bench:smoke: every benchmark ran in ${((Date.now() - started) / 1000).toFixed(0)} s`);
