import type { Server } from 'node:http';
import Koa from 'koa';
import { fakeWecomRouter } from '../../src/modules/sandbox/fake-wecom.routes';
import { FakeWecomWorld, WecomFault } from '../../src/modules/sandbox/fake-wecom.world';
import type * as T from '../../src/platform/wecom/api/wecom-api.types';

/**
 * The sandbox's fake WeCom, run on its own: WeCom's real semantics (welcome codes valid 20 s and
 * once, 41051, tokens, errcodes) plus what the fault suite needs — a switch that makes every API
 * answer -1, 45009, HTTP 500 or hang, customers whose lookup hangs until released, and a record of
 * every welcome attempt and every message delivered.
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

  override addCustomer(input: { userid: string; state?: string; name?: string }): ReturnType<FakeWecomWorld['addCustomer']> {
    const added = super.addCustomer(input);
    this.welcomes.set(added.welcomeCode, { issuedAt: Date.now(), attempts: 0, delivered: 0, refusedAsUsed: 0 });
    return added;
  }

  override issueToken(corpid: string | undefined, corpsecret: string | undefined): { access_token: string; expires_in: number } {
    const issued = super.issueToken(corpid, corpsecret);
    this.issuedTokens.push(issued.access_token);
    return issued;
  }

  override sendWelcome(request: T.SendWelcomeMsgRequest): void {
    const record = this.welcomes.get(String(request.welcome_code ?? ''));
    if (record) record.attempts += 1;
    try {
      super.sendWelcome(request);
      if (record) {
        record.delivered += 1;
        record.deliveredAt = Date.now();
      }
    } catch (error) {
      if (record && error instanceof WecomFault) {
        record.lastErrcode = error.errcode;
        if (record.delivered > 0) record.refusedAsUsed += 1;
      }
      throw error;
    }
  }

  override sendAppMessage(body: Record<string, unknown>): T.MessageSendResponse {
    const before = this.seq;
    const answer = super.sendAppMessage(body);
    for (const item of this.chat) {
      if (item.seq <= before || item.direction !== 'out') continue;
      const text = JSON.stringify(item.card ?? item.text ?? '');
      for (const marker of text.match(/PLAINTEXT-K7Q-\d+/g) ?? []) this.deliveriesByMarker.set(marker, (this.deliveriesByMarker.get(marker) ?? 0) + 1);
    }
    return answer;
  }
}

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
      if (api === 'externalcontact/get') {
        const id = String(ctx.query.external_userid ?? '');
        if (this.slowCustomers.has(id)) {
          this.slowAsks.set(id, (this.slowAsks.get(id) ?? 0) + 1);
          await this.released;
        }
      }
      if (this.latencyMs > 0 && api !== 'gettoken') await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const sick = this.sickApis === 'all' || this.sickApis.has(api);
      switch (sick ? this.mode : 'healthy') {
        case 'busy':
          ctx.body = { errcode: -1, errmsg: 'system busy' };
          return;
        case 'freq_limit':
          ctx.body = { errcode: 45009, errmsg: 'api freq out of limit' };
          return;
        case 'http500':
          ctx.status = 500;
          ctx.body = 'Internal Server Error';
          return;
        case 'hang':
          // as WeCom on a bad day: no answer until it recovers (the client's timeout decides)
          await this.healthyAgain;
          ctx.status = 500;
          return;
        default:
          await next();
      }
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
