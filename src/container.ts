import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config, WecomCredentials } from './config';
import { openDatabase } from './platform/db/database';
import { readInstanceId } from './platform/db/instance-id';
import { EventHandlerRegistry } from './platform/events/event-handler.registry';
import { CallbackIntake } from './platform/events/callback-intake';
import { CallbackSpool } from './platform/events/callback-spool';
import { EventRecorder } from './platform/events/event-recorder';
import type { ReadinessCheck } from './platform/http/health.route';
import type { Logger } from './platform/logger';
import { configWarnings } from './config-warnings';
import { createMetrics, type Metrics, registerConfigWarnings, registerQueueDepth, registerSpoolDepth } from './platform/metrics';
import { createInboundProducer, type InboundProducer } from './platform/events/inbound.producer';
import { createBudgetPacer } from './platform/outbound/outbound-pacing';
import { createOutboundDelivery } from './platform/outbound/outbound.processor';
import { OutboundService } from './platform/outbound/outbound.service';
import { RedisRateLimiter } from './platform/outbound/rate-limiter';
import { createQueueSet, type QueueSet, withTimeout } from './platform/queue/queues';
import { createReminderScheduler } from './modules/reminders';
import type { BotServices } from '../bots/core/bot-services';
import { loadChannelRules, loadTeamsFile } from './modules/capture';
import { RedisConversationStore } from './modules/chat';
import { CustomerDirectory } from './modules/customers';
import { DigestService } from './modules/digests';
import { CustomerTimeline } from './modules/customers';
import { DoNotContactService } from './modules/customers';
import { FollowUpService } from './modules/follow-ups';
import { closeOpenOpportunities, ForecastService, ForecastTargets, OpportunityService } from './modules/pipeline';
import { ReminderService } from './modules/reminders';
import { StageService } from './modules/customers';
import { TagService } from './modules/customers';
import type { ReminderScheduler } from './modules/reminders';
import { UndoService } from './modules/follow-ups';
import { corpTagSync } from './modules/customers';
import { createHandoverService } from './modules/handover';
import { WecomApiClient } from './platform/wecom/api/wecom-api.client';
import { ChartService, chartImages, chartsAvailable } from './modules/charts';
import type { ImageSource } from './platform/outbound/outbound.types';
import { BotLink } from './platform/wecom/bot/bot-link';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

/** The composition root: every long-lived object is built here, once, and handed to whoever needs it. */
export interface Container {
  config: Config;
  wecom: WecomCredentials;
  logger: Logger;
  metrics: Metrics;
  dataSource: DataSource;
  queues: QueueSet;
  producer: InboundProducer;
  recorder: EventRecorder;
  /** where a verified callback goes: the database, or the Redis spool while the database is down */
  intake: CallbackIntake;
  spool: CallbackSpool;
  handlers: EventHandlerRegistry;
  readiness: ReadinessCheck[];
  /** WeCom's server API (shared access token, corp-wide budget) */
  wecomApi: WecomApiClient;
  /** pacing shared by every process, in Redis */
  rateLimiter: RedisRateLimiter;
  /** the domain services the chat commands and event handlers use */
  services: BotServices;
  reminderScheduler: ReminderScheduler;
  /** every message to WeCom goes through here */
  outbound: OutboundService;
  /** draws the charts image messages carry; absent when charts are off (CRM_CHARTS=off, or the chart font is missing) */
  images?: ImageSource;
  /** the smart bot's long connection (WECOM_BOT_ID): started by a worker, which then competes for its lease */
  bot: BotLink | undefined;
  /** the clock of everything that decides by the time of day (quiet hours, due and overdue times); tests control it */
  now: () => number;
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** overrides config.queuePrefix; tests use one per test file. */
  queuePrefix?: string;
  defaultMetrics?: boolean;
  /** the clock (default: the real one) */
  now?: () => number;
  /**
   * the clock of the numbered lists' expiry (default: the real one; list times are compared with
   * the receipt times of messages, which are real): a test opens a list in the past with it
   */
  conversationClock?: () => Date;
}

export async function createContainer(config: Config, wecom: WecomCredentials, logger: Logger, options: ContainerOptions = {}): Promise<Container> {
  const dataSource = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    runMigrations: config.migrateOnStart,
    poolSize: config.databasePoolSize,
  });
  const queues = createQueueSet({ redisUrl: config.redisUrl, prefix: options.queuePrefix ?? config.queuePrefix, instanceId: await readInstanceId(dataSource) });
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
  registerQueueDepth(metrics, queues);
  registerConfigWarnings(
    metrics,
    configWarnings(config).map((w) => w.code),
  );
  const producer = createInboundProducer(queues, config.inboundRetry);
  const handlers = new EventHandlerRegistry();
  const inbound = queues.get('inbound');
  const readiness: ReadinessCheck[] = [
    { name: 'database', check: async () => void (await withTimeout(dataSource.query('SELECT 1'), 1000, 'database ping')) },
    { name: 'redis', check: async () => void (await withTimeout(inbound.client.ping(), 1000, 'redis ping')) },
  ];

  // Token cache and rate limits: fail fast when Redis is away (Bull's connections wait forever).
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined);
  const rateLimiter = new RedisRateLimiter(redis, { namespace: queues.prefix, graceMs: Math.max(2000, config.outbound.windowMs / 2) });
  const wecomApi = new WecomApiClient({
    apiBase: config.wecomApiBase,
    corpId: wecom.corpId,
    agentId: wecom.agentId,
    secret: wecom.secret,
    redis,
    namespace: queues.prefix,
    logger,
    timeoutMs: config.wecomApi.timeoutMs,
    retry: { attempts: config.wecomApi.retryAttempts, baseDelayMs: config.wecomApi.retryBaseMs },
    pacer: createBudgetPacer(rateLimiter, config.outbound),
  });
  // The spool's own connection fails at once when Redis is away (no offline queue): the webhook must
  // know within its 5 s whether a callback landed, and answer 503 when it did not.
  const spoolRedis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1500, connectTimeout: 2000 });
  spoolRedis.on('error', () => undefined);
  // Give it a moment to connect, so the first callbacks after a start are queued at once rather
  // than a quarter second later; a Redis that is down at start does not hold the start up.
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, 2000);
    spoolRedis.once('ready', done);
  });
  const spool = new CallbackSpool(spoolRedis, queues.prefix);
  registerSpoolDepth(metrics, () => spool.length());
  const recorder = new EventRecorder(dataSource);
  const intake = new CallbackIntake({ recorder, producer, spool, metrics, logger });
  const now = options.now ?? Date.now;
  // Charts only with their font: without it they would draw boxes for every Chinese character.
  const images = chartsAvailable(config.charts) ? chartImages(config.charts.fontFile) : undefined;
  // The smart bot: every process can say who holds its connection; only a started worker competes for it.
  const bot = config.bot
    ? new BotLink(
        config.bot,
        {
          redis,
          namespace: queues.prefix,
          recorder,
          producer,
          spool,
          keys: { token: wecom.token, encodingAesKey: wecom.encodingAesKey, corpId: wecom.corpId },
          logger,
          metrics,
        },
        `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      )
    : undefined;
  if (bot) {
    readiness.push({
      name: 'bot',
      informational: true,
      check: async () => {
        const { state, holder } = await withTimeout(bot.describe(), 1000, 'bot state');
        return holder ? `${state} (held by ${holder})` : state;
      },
    });
  }
  // sendNow delivers from the calling process (handlers and processors run in worker processes; the web process never calls it).
  const outbound = new OutboundService({
    dataSource,
    queues,
    logger,
    metrics,
    config,
    now,
    delivery: (rest) => createOutboundDelivery({ dataSource, wecomApi, rateLimiter, logger, metrics, config, outbound: rest, now, images, bot }),
  });
  const reminderScheduler = createReminderScheduler(queues, now);
  const reminders = new ReminderService(dataSource, reminderScheduler);
  // Stage and tag changes start no SOP here: a worker builds its own stage and tag services on its SOP engine (modules/index.ts).
  const tags = new TagService(dataSource, corpTagSync(wecomApi));
  // Channel display names for cards, timelines and digests (the rules file is validated here too).
  const channels = loadChannelRules(config.capture.channelRulesFile);
  // targets read when asked: an edited teams file counts at the next 预测 (and chart)
  const targets = () => new ForecastTargets(loadTeamsFile(config.capture.teamsFile));
  const services: BotServices = {
    customers: new CustomerDirectory(dataSource),
    followUps: new FollowUpService(dataSource, reminders),
    reminders,
    stages: new StageService(dataSource, undefined, { closeOpen: closeOpenOpportunities }),
    opportunities: new OpportunityService(dataSource),
    // targets read when asked: an edited teams file counts at the next 预测
    forecast: new ForecastService(dataSource, { timezone: config.timezone, targets }),
    charts: images ? new ChartService(dataSource, { timezone: config.timezone, targets }) : undefined,
    tags,
    undo: new UndoService(dataSource, reminderScheduler, tags),
    digest: new DigestService(dataSource, { timezone: config.timezone, silentDays: config.digests.silentDays, channels }),
    // a pending numbered list names this database's customers
    conversations: new RedisConversationStore(redis, queues.keyPrefix, { clock: options.conversationClock }),
    timeline: new CustomerTimeline(dataSource, channels, config.timezone),
    doNotContact: new DoNotContactService(dataSource),
    channels,
    handover: createHandoverService({ dataSource, api: wecomApi, queues, outbound, config, now: () => new Date(now()) }),
  };

  return {
    config,
    wecom,
    logger,
    metrics,
    dataSource,
    queues,
    producer,
    recorder,
    intake,
    spool,
    handlers,
    readiness,
    wecomApi,
    rateLimiter,
    outbound,
    images,
    services,
    reminderScheduler,
    bot,
    now,
    async close() {
      intake.close();
      await bot?.stop();
      await queues.close();
      redis.disconnect();
      spoolRedis.disconnect();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
