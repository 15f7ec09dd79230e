import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OwnedProcess, sleep } from './infra';

export const ROOT = resolve(__dirname, '../..');

/** The compiled product as operators run it: one web process and two workers (`node dist/src/main.js web|worker`). */
export class AppProcesses {
  readonly web: OwnedProcess;
  readonly workers: OwnedProcess[];

  constructor(
    readonly logDir: string,
    readonly env: Record<string, string>,
    readonly port: number,
  ) {
    const processEnv = (extra: Record<string, string> = {}) => ({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TZ: 'UTC',
      ...env,
      ...extra,
    });
    const main = join(ROOT, 'dist/src/main.js');
    this.web = new OwnedProcess('web', process.execPath, [main, 'web'], join(logDir, 'web.log'), { cwd: ROOT, env: processEnv() });
    this.workers = ['a', 'b'].map(
      (id) =>
        new OwnedProcess(`worker-${id}`, process.execPath, ['--max-old-space-size=192', main, 'worker'], join(logDir, `worker-${id}.log`), {
          cwd: ROOT,
          env: processEnv(),
        }),
    );
  }

  get logFiles(): string[] {
    return [join(this.logDir, 'web.log'), ...this.workers.map((_, i) => join(this.logDir, `worker-${'ab'[i]}.log`))];
  }

  async startWeb(): Promise<void> {
    this.web.start();
    await this.waitReady();
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`the web process did not become ready within ${timeoutMs} ms`);
  }

  startWorkers(): void {
    for (const worker of this.workers) worker.start();
  }

  async stopAll(): Promise<void> {
    await Promise.all([this.web, ...this.workers].map((p) => p.stop()));
  }

  /** RSS of the web process in MB */
  webRssMb(): number {
    const pid = this.web.pid;
    if (!pid) return NaN;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      return NaN;
    }
  }
}
