import type { Server } from 'node:http';
import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Config } from '../../config';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';
import { type AibotMessage, FakeAibot } from './fake-wecom/aibot.area';
import type { ChatItem } from './fake-wecom/fake-wecom.state';
import type { FakeWecomWorld } from './fake-wecom/fake-wecom.world';
import { SANDBOX_BOT_PATH, sandboxBotUrl } from './sandbox-setup';

/**
 * The sandbox playing the smart bot (智能机器人): the fake long connection on the app's own port
 * (`/sandbox/aibot`, where WECOM_BOT_WS_URL points in sandbox mode), its messages mirrored into the
 * page's team group, and two control routes for the page: a member @-mentions the bot in the group
 * (`POST /sandbox/api/bot/say`) and clicks a button of one of its cards (`POST /sandbox/api/bot/click`).
 * Only when the bot is asked for (WECOM_BOT_ID / WECOM_BOT_SECRET set in sandbox mode).
 */
export function mountSandboxBot(app: Koa, config: Config, world: FakeWecomWorld): FakeAibot | undefined {
  if (!config.bot || config.bot.wsUrl !== sandboxBotUrl(config.port)) return undefined;
  const groups = world.teams.map((t) => t.botChatId).filter((c): c is string => Boolean(c));
  const mirrored = new Map<number, ChatItem>();
  const fake = new FakeAibot({
    botId: config.bot.botId,
    secret: config.bot.secret,
    groups,
    onDelivered: (message: AibotMessage) => {
      const seen = mirrored.get(message.seq);
      if (seen) {
        // updated in place: the same item, redrawn for everyone in the group
        seen.card = structuredClone(message.card) as TemplateCard;
        seen.updatedAt = message.at;
        world.touch();
        return;
      }
      const item = world.deliver({ kind: 'bot', chatid: message.chatid }, 'out', {
        msgtype: message.msgtype,
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.card ? { card: message.card as TemplateCard } : {}),
      });
      mirrored.set(message.seq, item);
    },
  });
  // Koa creates its server in listen(): the long connection is served on that server's upgrades.
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  app.listen = ((...args: unknown[]) => {
    const server = listen(...args);
    fake.attach(server, SANDBOX_BOT_PATH);
    return server;
  }) as typeof app.listen;

  const router = new Router({ prefix: '/sandbox/api/bot' });
  const read = async (ctx: Koa.Context): Promise<Record<string, unknown>> => {
    try {
      return JSON.parse((await getRawBody(ctx.req, { limit: '64kb', encoding: 'utf8' })) || '{}');
    } catch {
      return {};
    }
  };
  const fail = (ctx: Koa.Context, message: string) => {
    ctx.status = 400;
    ctx.body = { ok: false, error: message };
  };
  router.post('/say', async (ctx) => {
    const body = await read(ctx);
    const userid = String(body.userid ?? '');
    const team = world.teamOf(userid);
    const content = String(body.content ?? '').trim();
    if (!team?.botChatId || !content) return fail(ctx, '请选一位有团队群的销售，并写上要发的内容，例如：@客户助手 报表');
    if (!fake.connected) return fail(ctx, '智能机器人还没连上（worker 还在启动？），稍等几秒再发');
    const text = content.startsWith('@') ? content : `@客户助手 ${content}`;
    world.deliver({ kind: 'bot', chatid: team.botChatId }, 'in', { msgtype: 'text', text });
    fake.say(userid, text, team.botChatId);
    ctx.body = { ok: true };
  });
  router.post('/click', async (ctx) => {
    const body = await read(ctx);
    const userid = String(body.userid ?? '');
    const item = world.chat.find((c) => c.seq === Number(body.card) && c.conversation.kind === 'bot');
    const taskId = item?.card?.task_id;
    if (!item || !taskId || item.conversation.kind !== 'bot') return fail(ctx, '没有这张卡片');
    if (!fake.connected) return fail(ctx, '智能机器人还没连上，稍等几秒再点');
    const selected = Object.fromEntries(
      Object.entries((body.selected ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
    );
    fake.click(userid, String(taskId), String(body.key ?? ''), item.conversation.chatid, selected);
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return fake;
}
