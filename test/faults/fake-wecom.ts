import type { Server } from 'node:http';
import Koa from 'koa';
import { onAnswer } from '../../src/modules/sandbox/fake-wecom/fake-wecom.api';
import { fakeWecomRouter } from '../../src/modules/sandbox/fake-wecom/fake-wecom.routes';
import type { WorldOptions } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';

/**
 * The sandbox's fake WeCom, run on its own server: WeCom's real semantics (welcome codes valid 20 s
 * and once, 41051, tokens, errcodes) plus what the fault suite needs, all through the fake's own
 * failure injection (world.faults) — a switch that makes every API answer -1, 45009, HTTP 500 or
 * hang, customers whose lookup hangs until released, added latency — and a record of every welcome
 * attempt and every message delivered, read off the fake's answers.
 */

export type WecomMode = 'healthy' | 'busy' | 'freq_limit' | 'http500' | 'hang';

export interface WelcomeRecord {
  issuedAt: number;
  attempts: number;
  /** times WeCom accepted it (at most once: the code works once) */
  delivered: number;
  deliveredAt?: number;
  /** attempts after it was used, refused with 41051 */
  refusedAsUsed: number;
  lastErrcode?: number;
}

export class RecordingWorld extends FakeWecomWorld {
  readonly welcomes = new Map<string, WelcomeRecord>();
  /** deliveries of app messages to staff, by marker found in their content */
  readonly deliveriesByMarker = new Map<string, number>();
  /** access tokens handed out (the log scan looks for them) */
  readonly issuedTokens: string[] = [];

  constructor(options: WorldOptions) {
    super(options);
    onAnswer(this, ({ call, answer, delivered, reachedArea }) => {
      const body = typeof answer.body === 'object' ? answer.body : undefined;
      if (call.api === 'gettoken' && body?.access_token) this.issuedTokens.push(String(body.access_token));
      // Only attempts WeCom looked at: an injected fault or a refused token answers before the welcome area does.
      if (call.api === 'externalcontact/send_welcome_msg' && reachedArea) this.recordWelcome(String(call.body.welcome_code ?? ''), call.errcode);
      if (call.api === 'message/send' && call.errcode === undefined) this.countMarkers(delivered.filter((item) => item.direction === 'out'));
    });
  }

  override addCustomer(input: { userid: string; state?: string; name?: string }): ReturnType<FakeWecomWorld['addCustomer']> {
    const added = super.addCustomer(input);
    this.welcomes.set(added.welcomeCode, { issuedAt: Date.now(), attempts: 0, delivered: 0, refusedAsUsed: 0 });
    return added;
  }

  private recordWelcome(code: string, errcode: number | undefined): void {
    const record = this.welcomes.get(code);
    if (!record) return;
    record.attempts += 1;
    if (errcode === undefined) {
      record.delivered += 1;
      record.deliveredAt = Date.now();
      return;
    }
    record.lastErrcode = errcode;
    if (record.delivered > 0) record.refusedAsUsed += 1;
  }

  private countMarkers(items: Array<{ card?: unknown; text?: string }>): void {
    for (const item of items) {
      const text = JSON.stringify(item.card ?? item.text ?? '');
      for (const marker of text.match(/PLAINTEXT-K7Q-\d+/g) ?? []) this.deliveriesByMarker.set(marker, (this.deliveriesByMarker.get(marker) ?? 0) + 1);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FaultyWecom {
  mode: WecomMode = 'healthy';
  /** the APIs the mode applies to (`all`, or e.g. only the customer lookup) */
  private sickApis: ReadonlySet<string> | 'all' = 'all';
  /** added to every answer: a slower WeCom keeps more jobs in flight (so a crash catches some mid-call) */
  latencyMs = 0;
  readonly world: RecordingWorld;
  /** externalcontact/get for these customers hangs until `releaseSlow()` */
  readonly slowCustomers = new Set<string>();
  /** how many times each slow customer was asked for (a new ask after a crash means another worker took the job) */
  readonly slowAsks = new Map<string, number>();
  private release: (() => void) | undefined;
  private released = Promise.resolve();
  private healed: (() => void) | undefined;
  private healthyAgain = Promise.resolve();
  private server: Server | undefined;
  readonly calls = new Map<string, number>();

  constructor(options: { corpId: string; corpSecret: string; agentId: string }) {
    this.world = new RecordingWorld({ ...options, teams: [] });
    const faults = this.world.faults;
    faults.add({
      apis: ['externalcontact/get'],
      when: (call) => this.slowCustomers.has(String(call.query.external_userid ?? '')),
      answer: async (call) => {
        const id = String(call.query.external_userid);
        this.slowAsks.set(id, (this.slowAsks.get(id) ?? 0) + 1);
        await this.released;
        return undefined;
      },
    });
    faults.add({ when: (call) => this.latencyMs > 0 && call.api !== 'gettoken', answer: () => sleep(this.latencyMs) });
    faults.add({
      when: (call) => this.mode !== 'healthy' && (this.sickApis === 'all' || this.sickApis.has(call.api)),
      answer: async () => {
        switch (this.mode) {
          case 'busy':
            return { errcode: -1, errmsg: 'system busy' };
          case 'freq_limit':
            return { errcode: 45009, errmsg: 'api freq out of limit' };
          case 'http500':
            return { httpStatus: 500, text: 'Internal Server Error' };
          case 'hang':
            // as WeCom on a bad day: no answer until it recovers (the client's timeout decides)
            await this.healthyAgain;
            return { httpStatus: 500 };
          default:
            return undefined;
        }
      },
    });
  }

  setMode(mode: WecomMode, apis: string[] | 'all' = 'all'): void {
    if (mode === 'hang' && this.mode !== 'hang') this.healthyAgain = new Promise((resolve) => (this.healed = resolve));
    if (mode !== 'hang') this.healed?.();
    this.mode = mode;
    this.sickApis = apis === 'all' ? 'all' : new Set(apis);
  }

  holdSlowCustomers(ids: string[]): void {
    for (const id of ids) this.slowCustomers.add(id);
    this.released = new Promise((resolve) => (this.release = resolve));
  }

  releaseSlow(): void {
    this.slowCustomers.clear();
    this.release?.();
  }

  async listen(port: number): Promise<void> {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      const api = ctx.path.replace(/^.*\/cgi-bin\//, '');
      this.calls.set(api, (this.calls.get(api) ?? 0) + 1);
      await next();
    });
    const router = fakeWecomRouter(this.world);
    app.use(router.routes());
    app.use(router.allowedMethods());
    this.server = app.listen(port, '127.0.0.1');
    await new Promise((resolve) => this.server!.once('listening', resolve));
  }

  close(): void {
    this.releaseSlow();
    this.setMode('healthy');
    this.server?.close();
    this.server?.closeAllConnections();
  }
}
