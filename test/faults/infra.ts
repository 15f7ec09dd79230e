import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createConnection as netConnect } from 'node:net';
import { join } from 'node:path';

/**
 * The fault suite's own MariaDB and Redis: a temporary datadir and AOF directory, ports of their own,
 * started as child processes so the suite can kill -9 and restart them without touching the shared
 * servers. Every stop is by the pid this file started.
 */

export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process the suite owns: killed by its own pid, its output appended to a file. */
export class OwnedProcess {
  child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly logFile: string,
    private readonly options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.command, this.args, { cwd: this.options.cwd, env: this.options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once('exit', () => log.end());
    this.child = child;
  }

  /** kill -9 (a crash): no shutdown hook runs. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait (a clean stop); SIGKILL after `graceMs`. */
  async stop(graceMs = 35_000): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, signal);
    await exited;
  }
}

export class PrivateMariaDb {
  readonly url: string;
  private readonly process: OwnedProcess;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.url = `mysql://root@127.0.0.1:${port}`;
    mkdirSync(dir, { recursive: true });
    this.process = new OwnedProcess(
      'mariadb',
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mariadb.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        '--user=root',
        '--skip-log-bin',
        '--default-time-zone=+00:00',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--innodb-buffer-pool-size=96M',
        '--max-connections=300',
      ],
      join(dir, 'mariadb.log'),
    );
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  async init(): Promise<void> {
    execFileSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${join(this.dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'],
      {
        stdio: 'ignore',
      },
    );
  }

  async start(): Promise<void> {
    this.process.start();
    await waitForPort(this.port, 60_000, 'MariaDB');
  }

  /** kill -9: InnoDB recovers from its redo log on the next start, as after a real crash. */
  kill9(): Promise<void> {
    return this.process.kill9();
  }

  stop(): Promise<void> {
    return this.process.stop(30_000);
  }
}

export class PrivateRedis {
  readonly url: string;
  private readonly process: OwnedProcess;

  constructor(
    dir: string,
    readonly port: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.url = `redis://127.0.0.1:${port}`;
    // AOF, fsync every second: what the README asks of a production Redis (the queues and the spool live there).
    this.process = new OwnedProcess(
      'redis',
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
      join(dir, 'redis.log'),
    );
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  async start(): Promise<void> {
    this.process.start();
    await waitForPort(this.port, 20_000, 'Redis');
  }

  /** a clean restart (SIGTERM: Redis flushes its AOF) */
  stop(): Promise<void> {
    return this.process.stop(20_000);
  }

  kill9(): Promise<void> {
    return this.process.kill9();
  }
}
