import type { MessageTrace } from './message-trace';
import type { SandboxView } from './sandbox-view';

/**
 * The control API of a running sandbox (control.routes.ts) over HTTP: what `npm run simulate` uses
 * to drive any instance, and what tests use to drive one like a script would.
 */
export class SandboxClientError extends Error {
  override readonly name = 'SandboxClientError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export class SandboxClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  async action(name: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.post(`/sandbox/api/actions/${encodeURIComponent(name)}`, params);
  }

  private post(path: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  }

  /** A member @-mentions the smart bot in their team's group (the sandbox plays the bot: WECOM_BOT_ID=sandbox). */
  async botSay(userid: string, content: string): Promise<Record<string, unknown>> {
    return this.post('/sandbox/api/bot/say', { userid, content });
  }

  /** A member clicks a button of one of the bot's cards in the group (`card`: its number in the view). */
  async botClick(userid: string, card: number, key: string, selected: Record<string, string[]> = {}): Promise<Record<string, unknown>> {
    return this.post('/sandbox/api/bot/click', { userid, card, key, selected });
  }

  async view(user = ''): Promise<SandboxView> {
    return (await this.request(`/sandbox/api/view?user=${encodeURIComponent(user)}`)) as unknown as SandboxView;
  }

  async trace(msgId: string): Promise<MessageTrace> {
    return (await this.request(`/sandbox/api/trace?msgId=${encodeURIComponent(msgId)}`)) as unknown as MessageTrace;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new SandboxClientError(`连不上 ${this.base}（${(error as Error).message}）。服务启动了吗？没有配置企业微信时 npm start 就是沙盒模式。`, null);
    }
    if (response.status === 404) throw new SandboxClientError(`${this.base} 没有沙盒（/sandbox 返回 404）：它配置了真实的企业微信，或者不是 wecom-crm。`, 404);
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || body.ok === false) throw new SandboxClientError(String(body.error ?? `HTTP ${response.status}`), response.status);
    return body;
  }
}
