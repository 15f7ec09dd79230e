import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dropDatabase as dropTestDatabase, ensureTestDatabase } from '../helpers/test-env';

/** What every benchmark needs: a throwaway database, the compiled app as real processes, their memory. */

export const ROOT = resolve(__dirname, '../..');
export const BENCH_MARIADB = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
export const BENCH_REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Creates (or re-creates) a utf8mb4 database and returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await dropTestDatabase(name, BENCH_MARIADB);
  return ensureTestDatabase(name, BENCH_MARIADB);
}

export const dropDatabase = (name: string): Promise<void> => dropTestDatabase(name, BENCH_MARIADB);

/**
 * `npm run seed -- <args>` into `databaseUrl`, as `npm run seed` runs it: `ts-node --swc`, which
 * transpiles without type-checking (type-checking through `ts-node/register` failed from a fresh
 * clone on typeorm's deep type imports, and costs seconds). Returns the seed's JSON summary line.
 */
export function runSeed(databaseUrl: string, args: Record<string, string | number>): string {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const seeded = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--swc', 'src/cli/seed.ts', ...argv], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
  return seeded.stdout.trim();
}

/** Starts `node dist/src/main.js <role>` (build first: `npm run build`). */
export function startCompiledApp(role: 'web' | 'worker' | 'all', env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each app process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, 'dist/src/main.js', ...(role === 'all' ? [] : [role])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code) => code && console.error(`${role} process exited with ${code}`));
  return child;
}

/** Resident and peak resident memory of a process, in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

export async function waitUntilOk(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** The WeCom app the benchmarks pretend to be (any valid Token / 43-character key / corp id). */
export const BENCH_KEYS = { token: 'benchToken123', encodingAesKey: 'b'.repeat(43), corpId: 'wwbenchcorp' };

/** The environment of the compiled app under test: its database, its own queue prefix, the bench WeCom app. */
export function appEnv(options: { port: number; databaseUrl: string; queuePrefix: string; wecomApiBase?: string }): Record<string, string> {
  return {
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: BENCH_REDIS,
    QUEUE_PREFIX: options.queuePrefix,
    WECOM_CORP_ID: BENCH_KEYS.corpId,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'bench-secret',
    WECOM_TOKEN: BENCH_KEYS.token,
    WECOM_ENCODING_AES_KEY: BENCH_KEYS.encodingAesKey,
    ...(options.wecomApiBase ? { WECOM_API_BASE: options.wecomApiBase } : {}),
    LOG_LEVEL: 'warn',
  };
}
