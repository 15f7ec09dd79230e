import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * The smart bot's long connection (智能机器人 长连接) as WeCom plays it, for the sandbox and the
 * tests: a WebSocket endpoint speaking the frames of `@wecom/aibot-node-sdk` — `aibot_subscribe`
 * (bot id + secret), `ping`, the callbacks it pushes (`aibot_msg_callback`, `aibot_event_callback`),
 * and the answers it takes (`aibot_send_msg`, `aibot_respond_update_msg`, `aibot_respond_msg`), each
 * acknowledged with `{ headers: { req_id }, errcode, errmsg }`. What WeCom enforces, it enforces:
 * one connection per bot (a second one closes the first with `disconnected_event`), a card update
 * only within 5 s of its click and once, a task_id once per bot, 20 messages a minute per chat,
 * and the size of a markdown message.
 */

/** The errcodes the fake answers with (WeCom's general ones; the long connection publishes no table of its own). */
export const AIBOT_ERRCODES = {
  /** wrong bot id or secret */
  invalidCredential: 40001,
  /** a bad chatid, msgtype, req_id, or a task_id used before */
  invalidParameter: 40058,
  /** a markdown over 4096 bytes */
  contentTooLong: 45002,
  /** over 20 messages a minute to one chat */
  frequencyLimit: 45009,
} as const;

/** WeCom updates a card within 5 s of its click, and only once per click. */
export const UPDATE_WINDOW_MS = 5000;
export const CHAT_MESSAGES_PER_MINUTE = 20;
const MARKDOWN_MAX_BYTES = 4096;

export interface AibotMessage {
  seq: number;
  at: number;
  chatid: string;
  msgtype: string;
  /** markdown content */
  text?: string;
  card?: Record<string, unknown>;
  /** how many times the card was updated in place */
  updates: number;
  /** `reply`: answered on a callback's req_id (aibot_respond_msg); `send`: pushed (aibot_send_msg) */
  via: 'send' | 'reply';
}

interface Sent {
  frame: Record<string, unknown>;
  at: number;
  kind: 'message' | 'click';
  /** a click's task_id, and whether its update was used */
  taskId?: string;
  updated?: boolean;
}

export interface FakeAibotOptions {
  botId: string;
  secret: string;
  /** chats the bot is in: group chatids (a member's userid is their single chat) */
  groups?: string[];
  now?: () => number;
  /** WeCom's minute for the 20 messages a chat may get (tests shorten it, as OUTBOUND_PACING_WINDOW_MS shortens ours) */
  chatWindowMs?: number;
  /** a message the bot delivered (the sandbox page draws it) */
  onDelivered?: (message: AibotMessage) => void;
}

export class FakeAibot {
  readonly server: WebSocketServer;
  private readonly now: () => number;
  private readonly groups: Set<string>;
  private current: WebSocket | undefined;
  private readonly authed = new Set<WebSocket>();
  private seq = 0;
  /** frames pushed to the bot, by req_id (a reply or update names one) */
  private readonly sent = new Map<string, Sent>();
  private readonly taskIds = new Set<string>();
  private readonly perChat = new Map<string, number[]>();
  /** every message delivered to a chat, in order */
  readonly messages: AibotMessage[] = [];
  /** what happened on the wire, for tests: subscriptions, kicks, refusals */
  readonly log: Array<{ at: number; what: string; errcode?: number }> = [];
  /** authenticated connections ever, and at most at once */
  stats = { subscribed: 0, maxAtOnce: 0, kicked: 0, open: 0 };
  /** the next answers to these commands fail (tests): an errcode, or `drop` to close the connection before answering */
  private readonly faults: Array<{ cmd: string; fault: number | 'drop' }> = [];

  constructor(private readonly options: FakeAibotOptions) {
    this.now = options.now ?? Date.now;
    this.groups = new Set(options.groups ?? []);
    this.server = new WebSocketServer({ noServer: true });
    this.server.on('connection', (ws) => this.accept(ws));
  }

  /** Listens on its own port (tests): resolves with the ws:// URL. */
  listen(port = 0): Promise<string> {
    return new Promise((resolve) => {
      const standalone = new WebSocketServer({ port, host: '127.0.0.1' }, () => {
        const address = standalone.address() as { port: number };
        resolve(`ws://127.0.0.1:${address.port}`);
      });
      standalone.on('connection', (ws) => this.accept(ws));
      this.closers.push(() => new Promise<void>((r) => standalone.close(() => r())));
    });
  }

  /** Serves the endpoint on an HTTP server's upgrade at `path` (the sandbox: `/sandbox/aibot`). */
  attach(http: Server, path: string): void {
    // An upgraded socket is no longer the HTTP server's: closing the server closes the long connections too,
    // or it would wait for them for ever.
    const close = http.close.bind(http);
    http.close = ((callback?: (error?: Error) => void) => {
      for (const ws of this.sockets) ws.terminate();
      return close(callback);
    }) as typeof http.close;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith(path)) return;
      this.server.handleUpgrade(req, socket, head, (ws) => this.server.emit('connection', ws, req));
    });
  }

  private readonly closers: Array<() => Promise<void>> = [];

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await Promise.all(this.closers.map((c) => c()));
    this.server.close();
  }

  addGroup(chatid: string): void {
    this.groups.add(chatid);
  }

  /** The next `cmd` from the bot fails with this errcode, or (`drop`) its connection closes before the answer. */
  failNext(cmd: string, fault: number | 'drop'): void {
    this.faults.push({ cmd, fault });
  }

  get connected(): boolean {
    return this.current !== undefined;
  }

  private readonly sockets = new Set<WebSocket>();

  private accept(ws: WebSocket): void {
    let authenticated = false;
    this.sockets.add(ws);
    this.stats.open += 1;
    ws.on('close', () => {
      this.stats.open -= 1;
      this.sockets.delete(ws);
      this.authed.delete(ws);
      if (this.current === ws) this.current = undefined;
    });
    ws.on('message', (data) => {
      let frame: { cmd?: string; headers?: { req_id?: string }; body?: Record<string, unknown> };
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      const reqId = String(frame.headers?.req_id ?? '');
      const answer = (errcode: number, errmsg: string, body?: Record<string, unknown>) => {
        if (errcode !== 0) this.log.push({ at: this.now(), what: `${frame.cmd} refused: ${errmsg}`, errcode });
        ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg, ...(body ? { body } : {}) }));
      };
      if (frame.cmd === 'aibot_subscribe') {
        const body = frame.body ?? {};
        if (body.bot_id !== this.options.botId || body.secret !== this.options.secret) {
          return answer(AIBOT_ERRCODES.invalidCredential, 'invalid bot_id or secret');
        }
        authenticated = true;
        const previous = this.current;
        if (previous && previous !== ws) this.authed.add(previous);
        this.current = ws;
        this.stats.subscribed += 1;
        if (previous && previous !== ws) {
          // WeCom keeps one connection per bot: the older one is told, then closed.
          this.stats.kicked += 1;
          this.log.push({ at: this.now(), what: 'a second connection: the first was closed (disconnected_event)' });
          previous.send(JSON.stringify(this.eventFrame({ eventtype: 'disconnected_event' }, { userid: 'sys' })));
          previous.close();
          this.authed.delete(previous);
        }
        this.authed.add(ws);
        // counted before the older one goes: two processes connecting at once show as 2
        this.stats.maxAtOnce = Math.max(this.stats.maxAtOnce, this.authed.size);
        this.log.push({ at: this.now(), what: 'subscribed' });
        return answer(0, 'ok');
      }
      if (!authenticated) return answer(AIBOT_ERRCODES.invalidCredential, 'not subscribed: send aibot_subscribe first');
      if (frame.cmd === 'ping') return answer(0, 'ok');
      const fault = this.takeFault(String(frame.cmd));
      if (fault === 'drop') {
        ws.terminate();
        return;
      }
      if (fault !== undefined) return answer(fault, 'injected failure');
      const outcome = this.handle(String(frame.cmd), reqId, frame.body ?? {});
      answer(outcome.errcode, outcome.errmsg);
    });
  }

  private takeFault(cmd: string): number | 'drop' | undefined {
    const i = this.faults.findIndex((f) => f.cmd === cmd);
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]!.fault;
  }

  private handle(cmd: string, reqId: string, body: Record<string, unknown>): { errcode: number; errmsg: string } {
    switch (cmd) {
      case 'aibot_send_msg':
        return this.deliver(String(body.chatid ?? ''), body, 'send');
      case 'aibot_respond_msg': {
        const callback = this.sent.get(reqId);
        if (callback?.kind !== 'message') return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'invalid req_id' };
        const b = callback.frame.body as { chatid?: string; from?: { userid?: string } };
        return this.deliver(b.chatid || String(b.from?.userid ?? ''), body, 'reply');
      }
      case 'aibot_respond_update_msg':
        return this.update(reqId, body);
      default:
        return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: `unknown cmd ${cmd}` };
    }
  }

  private knownChat(chatid: string): boolean {
    // a single chat is a member's userid (any member here); a group must have the bot in it
    return this.groups.has(chatid) || (/^[A-Za-z0-9_.@-]{1,64}$/.test(chatid) && !chatid.startsWith('wr'));
  }

  private deliver(chatid: string, body: Record<string, unknown>, via: AibotMessage['via']): { errcode: number; errmsg: string } {
    if (!chatid || !this.knownChat(chatid)) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: `invalid chatid ${chatid}` };
    const msgtype = String(body.msgtype ?? '');
    const message: AibotMessage = { seq: ++this.seq, at: this.now(), chatid, msgtype, updates: 0, via };
    if (msgtype === 'markdown') {
      const content = String((body.markdown as { content?: unknown } | undefined)?.content ?? '');
      if (!content) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'markdown.content is empty' };
      if (Buffer.byteLength(content) > MARKDOWN_MAX_BYTES) return { errcode: AIBOT_ERRCODES.contentTooLong, errmsg: 'content exceed max length' };
      message.text = content;
    } else if (msgtype === 'template_card') {
      const card = body.template_card as Record<string, unknown> | undefined;
      const taskId = String(card?.task_id ?? '');
      if (!card?.card_type) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'template_card.card_type missing' };
      if (taskId) {
        if (!/^[A-Za-z0-9_\-@]{1,128}$/.test(taskId)) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'invalid task_id' };
        if (this.taskIds.has(taskId)) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'task_id used before' };
      }
      if (card.card_type !== 'text_notice' && !taskId) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'task_id required for an interactive card' };
      if (taskId) this.taskIds.add(taskId);
      message.card = card;
    } else {
      return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: `invalid msgtype ${msgtype}` };
    }
    // 20 a minute per chat, counted as WeCom counts: on arrival
    const now = this.now();
    const recent = (this.perChat.get(chatid) ?? []).filter((t) => now - t < (this.options.chatWindowMs ?? 60_000));
    if (recent.length >= CHAT_MESSAGES_PER_MINUTE) return { errcode: AIBOT_ERRCODES.frequencyLimit, errmsg: 'api freq out of limit' };
    recent.push(now);
    this.perChat.set(chatid, recent);
    this.messages.push(message);
    this.options.onDelivered?.(message);
    return { errcode: 0, errmsg: 'ok' };
  }

  private update(reqId: string, body: Record<string, unknown>): { errcode: number; errmsg: string } {
    const click = this.sent.get(reqId);
    if (click?.kind !== 'click') return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'invalid req_id' };
    if (this.now() - click.at > UPDATE_WINDOW_MS) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'req_id expired: update within 5 s of the click' };
    if (click.updated) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'req_id used: a click updates its card once' };
    const card = body.template_card as Record<string, unknown> | undefined;
    if (body.response_type !== 'update_template_card' || !card) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'template_card missing' };
    if (card.task_id !== click.taskId) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'task_id does not match the clicked card' };
    const message = [...this.messages].reverse().find((m) => m.card?.task_id === click.taskId);
    if (!message) return { errcode: AIBOT_ERRCODES.invalidParameter, errmsg: 'no such card' };
    click.updated = true;
    message.card = card;
    message.updates += 1;
    message.at = this.now();
    this.options.onDelivered?.(message);
    return { errcode: 0, errmsg: 'ok' };
  }

  private eventFrame(event: Record<string, unknown>, from: { userid: string }, chat?: { chatid: string }): Record<string, unknown> {
    return {
      cmd: 'aibot_event_callback',
      headers: { req_id: randomUUID().replace(/-/g, '') },
      body: {
        msgid: randomUUID().replace(/-/g, ''),
        create_time: Math.floor(this.now() / 1000),
        aibotid: this.options.botId,
        ...(chat ? { chatid: chat.chatid, chattype: 'group' } : { chattype: 'single' }),
        from,
        msgtype: 'event',
        event,
      },
    };
  }

  private push(frame: Record<string, unknown>, kind: Sent['kind'], taskId?: string): Record<string, unknown> {
    if (!this.current) throw new Error('the bot is not connected');
    const reqId = String((frame.headers as { req_id: string }).req_id);
    this.sent.set(reqId, { frame, at: this.now(), kind, taskId });
    this.current.send(JSON.stringify(frame));
    return frame;
  }

  /**
   * A member writes to the bot: in a group (`chatid`) the text is what follows the @-mention, as
   * WeCom hands it over ("@CRM助手 待办" → the bot gets "@CRM助手 待办"); without one, the single chat.
   */
  say(from: string, content: string, chatid?: string): Record<string, unknown> {
    return this.push(
      {
        cmd: 'aibot_msg_callback',
        headers: { req_id: randomUUID().replace(/-/g, '') },
        body: {
          msgid: randomUUID().replace(/-/g, ''),
          aibotid: this.options.botId,
          ...(chatid ? { chatid, chattype: 'group' } : { chattype: 'single' }),
          from: { userid: from },
          create_time: Math.floor(this.now() / 1000),
          msgtype: 'text',
          text: { content },
        },
      },
      'message',
    );
  }

  /** A member clicks a button of a card the bot sent (`template_card_event`, in the shape of WeCom's docs). */
  click(from: string, taskId: string, eventKey: string, chatid?: string, selected: Record<string, string> = {}): Record<string, unknown> {
    const message = [...this.messages].reverse().find((m) => m.card?.task_id === taskId);
    const picked = Object.entries(selected).map(([question_key, id]) => ({ question_key, option_ids: { option_id: [id] } }));
    const frame = this.eventFrame(
      {
        eventtype: 'template_card_event',
        template_card_event: {
          card_type: String(message?.card?.card_type ?? 'button_interaction'),
          event_key: eventKey,
          task_id: taskId,
          ...(picked.length ? { selected_items: { selected_item: picked } } : {}),
        },
      },
      { userid: from },
      chatid ? { chatid } : undefined,
    );
    return this.push(frame, 'click', taskId);
  }

  /** The same frame again (WeCom redelivering it): same msgid, same req_id. */
  redeliver(frame: Record<string, unknown>): void {
    if (!this.current) throw new Error('the bot is not connected');
    this.current.send(JSON.stringify(frame));
  }

  /** The messages in one chat. */
  chat(chatid: string): AibotMessage[] {
    return this.messages.filter((m) => m.chatid === chatid);
  }
}
