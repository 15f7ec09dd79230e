import type Koa from 'koa';
import { loadChannelRules } from '../capture';
import type { DataSource } from 'typeorm';
import type { Config, WecomCredentials } from '../../config';
import type { Logger } from '../../platform/logger';
import { promoteDelayedJobs, type QueueSet } from '../../platform/queue/queues';
import { controlRouter } from './control.routes';
import { fakeWecomRouter } from './fake-wecom/fake-wecom.routes';
import { loadWorldSnapshot, persistWorld } from './fake-wecom/fake-wecom.store';
import { traceMessage } from './trace-message';
import { FakeWecomWorld } from './fake-wecom/fake-wecom.world';
import { pageRouter } from './page.routes';
import { sandboxTeams } from './sandbox-setup';
import { buildView } from './sandbox-view';
import { Simulator } from './simulator';
import { mountSandboxBot } from './sandbox-bot';

/**
 * Queues whose delayed jobs wait for a time the product set for a customer: reminders, their overdue
 * checks, and SOP steps. Not retries, pacing or quiet hours (inbound, outbound), nor the
 * repeatable schedules of maintenance (reconciliation, digests).
 */
const CUSTOMER_TIME_QUEUES: ReadonlySet<string> = new Set(['reminders', 'sop', 'overdue']);

/** "Fire due reminders and SOP steps now": every delayed job of those queues runs at once. */
export async function fireDelayedWorkNow(queues: QueueSet): Promise<number> {
  let fired = 0;
  for (const queue of queues.all().filter((q) => CUSTOMER_TIME_QUEUES.has(q.name))) fired += await promoteDelayedJobs(queue);
  return fired;
}

/**
 * Mounts the sandbox on the web app: the fake WeCom API (where WECOM_API_BASE points in sandbox
 * mode), the control API and the page at /sandbox. Only in sandbox mode: with real WeCom credentials
 * this refuses, so a production install can never answer for WeCom.
 */
export interface SandboxDeps {
  config: Config;
  /** the generated sandbox credentials: the fake signs callbacks with them and accepts only them */
  wecom: WecomCredentials;
  dataSource: DataSource;
  /** for 立即触发到期提醒 (fire due work now) */
  queues: QueueSet;
  logger: Logger;
}

export function mountSandbox(app: Koa, deps: SandboxDeps): FakeWecomWorld {
  const { config, wecom, dataSource, queues, logger } = deps;
  if (!config.sandbox) throw new Error('the sandbox is only mounted when no WeCom credentials are configured');
  const world = new FakeWecomWorld({
    corpId: wecom.corpId,
    corpSecret: wecom.secret,
    agentId: wecom.agentId,
    teams: sandboxTeams(config),
    snapshot: loadWorldSnapshot(config.dataDir),
  });
  persistWorld(world, config.dataDir);
  const simulator = new Simulator({
    world,
    keys: { corpId: wecom.corpId, token: wecom.token, encodingAesKey: wecom.encodingAesKey, agentId: wecom.agentId },
    callbackUrl: `http://127.0.0.1:${config.port}/wecom/callback`,
    fireDue: () => fireDelayedWorkNow(queues),
  });
  const rules = loadChannelRules(config.capture.channelRulesFile);
  // The smart bot's long connection, when WECOM_BOT_ID asks for it.
  const bot = mountSandboxBot(app, config, world) !== undefined;
  if (bot) logger.info({ path: '/sandbox/aibot' }, 'sandbox plays the smart bot (智能机器人): @客户助手 in the team group');
  const control = controlRouter({
    simulator,
    seq: () => world.seq,
    view: (user) => buildView({ world, dataSource, rules, timezone: config.timezone, quietHours: config.quietHours, bot }, user),
    trace: (msgId) => traceMessage(dataSource, msgId),
    image: (seq) => world.chat.find((c) => c.seq === seq)?.image,
  });
  for (const router of [fakeWecomRouter(world), control, pageRouter()]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  logger.info({ page: `http://127.0.0.1:${config.port}/sandbox` }, 'sandbox page ready: open it in a browser to try the product');
  return world;
}
