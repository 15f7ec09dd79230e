import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { CallbackDeliveryError } from './callback-events';
import type { MessageTrace } from './message-trace';
import type { SandboxView } from './sandbox-view';
import { ACTIONS, SimulationError, type Simulator } from './simulator';

export const CONTROL_PATH = '/sandbox/api';

export interface ControlRouteDeps {
  simulator: Simulator;
  view(user: string): Promise<SandboxView>;
  /** the world's change counter, so that an unchanged view costs no database query */
  seq(): number;
  /** what became of a typed message (its event and replies), by the MsgId `type` answered with */
  trace(msgId: string): Promise<MessageTrace>;
  /** the picture of an image message in the chat (a data URL), by its chat position */
  image(seq: number): string | undefined;
}

/**
 * The sandbox's control API, used by the page and by `npm run simulate`:
 * `GET /sandbox/api/view?user=…&since=…` (the page's poll; `{ seq, unchanged: true }` when nothing
 * moved since `since`), `GET /sandbox/api/actions` (what can be simulated),
 * `GET /sandbox/api/trace?msgId=…` (what became of a typed message: its event and its replies),
 * `GET /sandbox/api/images/<seq>` (the picture of an image message: a chart), and
 * `POST /sandbox/api/actions/<name>` with the parameters as JSON. Bad input: 400 with a Chinese message.
 */
export function controlRouter(deps: ControlRouteDeps): Router {
  const router = new Router({ prefix: CONTROL_PATH });

  router.get('/view', async (ctx) => {
    const since = Number(ctx.query.since);
    ctx.set('cache-control', 'no-store');
    if (Number.isInteger(since) && since === deps.seq()) {
      ctx.body = { seq: since, unchanged: true };
      return;
    }
    ctx.body = await deps.view(String(ctx.query.user ?? ''));
  });

  router.get('/trace', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = await deps.trace(String(ctx.query.msgId ?? ''));
  });

  // A picture the page draws (a chart): served by URL so the view's poll stays small.
  router.get('/images/:seq', (ctx) => {
    const found = /^data:(image\/(?:png|jpeg));base64,(.*)$/.exec(deps.image(Number(ctx.params.seq)) ?? '');
    if (!found) return fail(ctx, 404, '没有这张图片');
    ctx.set('cache-control', 'private, max-age=86400');
    ctx.type = found[1]!;
    ctx.body = Buffer.from(found[2]!, 'base64');
  });

  router.get('/actions', (ctx) => {
    ctx.body = Object.entries(ACTIONS).map(([name, action]) => ({ name, summary: action.summary, params: Object.keys(action.params.shape) }));
  });

  router.post('/actions/:name', async (ctx) => {
    try {
      ctx.body = { ok: true, ...(await deps.simulator.run(ctx.params.name!, await readJson(ctx))) };
    } catch (error) {
      if (error instanceof SimulationError) return fail(ctx, 400, error.message);
      // The app's own webhook refused the event: show why (this is what a developer needs to see).
      if (error instanceof CallbackDeliveryError) return fail(ctx, 502, error.message);
      throw error;
    }
  });
  return router;
}

function fail(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { ok: false, error: message };
}

async function readJson(ctx: Context): Promise<unknown> {
  const text = await getRawBody(ctx.req, { limit: '64kb', encoding: 'utf8' });
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SimulationError('请求体不是合法的 JSON');
  }
}
