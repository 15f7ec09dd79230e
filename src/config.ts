import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_CHART_FONT } from './modules/charts/chart-font';

/**
 * The only module that reads the environment. Everything is validated at once so that a
 * misconfigured deployment fails at startup with the full list of problems, not one per restart.
 */

const WECOM_CREDENTIAL_NAMES = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;

const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com/cgi-bin';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(mysql|mariadb):\/\/.+\/[^/?]+/, 'must look like mysql://user:pass@host:3306/db')
      .optional(),
  ),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]{1,32}$/, 'must be 1-32 letters, digits, _ or -')
    .default('wecom-crm'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: optionalString.pipe(z.string().regex(/^\d+$/, 'must be the numeric AgentId').optional()),
  WECOM_SECRET: optionalString,
  WECOM_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1-32 letters or digits')
      .optional(),
  ),
  WECOM_ENCODING_AES_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits')
      .optional(),
  ),
  WECOM_API_BASE: optionalString.pipe(z.url('must be an http(s) URL').optional()),
  CRM_TIMEZONE: z.string().default('Asia/Shanghai').refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  CRM_ADMINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  CRM_QUIET_HOURS: z
    .string()
    .default('21:00-08:00')
    .refine((v) => v === 'off' || (v.split('-').every((p) => clockTime.test(p.trim())) && v.split('-').length === 2), {
      message: 'must be HH:MM-HH:MM (for example 21:00-08:00) or off',
    }),
  ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(128 * 1024),
  WEBHOOK_TIMESTAMP_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(300),
  METRICS_PORT: optionalString.pipe(
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a port number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(65535))
      .optional(),
  ),
  INBOUND_PAYLOAD_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OUTBOUND_BODY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // at least a month: 撤销 and the dedupe of card clicks read recent entries
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(30).max(36500).default(1095),
  INBOUND_PRUNE_CRON: z
    .string()
    .default('15 4 * * *')
    .refine((v) => v === 'off' || v.trim().split(/\s+/).length === 5, { message: 'must be a 5-field cron expression (minute hour day month weekday) or off' }),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(100),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  INBOUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  INBOUND_RETRY_DELAY_MS: z.coerce.number().int().min(1).default(2000),
  STALE_EVENT_AFTER_MS: z.coerce.number().int().min(1000).default(60_000),
  WECOM_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WECOM_API_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  WECOM_API_RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
  WECOM_API_BUDGET_PER_MINUTE: z.coerce.number().int().min(1).default(1000),
  WECOM_WELCOME_BUDGET_SHARE: z.coerce.number().min(0).max(0.9).default(0.3),
  OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  OUTBOUND_MEMBER_PER_MINUTE: z.coerce.number().int().min(1).max(30, 'WeCom silently drops app messages beyond 30 a minute per member').default(30),
  OUTBOUND_ROBOT_PER_MINUTE: z.coerce.number().int().min(1).max(20, 'WeCom allows a group robot 20 messages a minute').default(20),
  OUTBOUND_APPCHAT_PER_MINUTE: z.coerce.number().int().min(1).max(200, 'WeCom drops app group chat messages beyond 200 a minute per member').default(20),
  OUTBOUND_PACING_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  OUTBOUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  OUTBOUND_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5000),
  CRM_CHANNEL_RULES_FILE: z.string().default('templates/channel-rules.json'),
  CRM_TEAMS_FILE: z.string().default('templates/teams.json'),
  CRM_RECONCILE_CRON: z
    .string()
    .default('30 3 * * *')
    .refine((v) => v === 'off' || v.trim().split(/\s+/).length === 5, { message: 'must be a 5-field cron expression (minute hour day month weekday) or off' }),
  CRM_STAFF_SYNC_CRON: z
    .string()
    .default('0 3 * * *')
    .refine((v) => v === 'off' || v.trim().split(/\s+/).length === 5, { message: 'must be a 5-field cron expression (minute hour day month weekday) or off' }),
  CRM_DIGEST_TIME: z
    .string()
    .default('18:00')
    .refine((v) => v === 'off' || clockTime.test(v), { message: 'must be HH:MM (for example 18:00) or off' }),
  CRM_TEAM_DIGEST_TIME: z
    .string()
    .default('18:30')
    .refine((v) => v === 'off' || clockTime.test(v), { message: 'must be HH:MM (for example 18:30) or off' }),
  CRM_DIGEST_WEEKDAYS: z
    .string()
    .regex(/^[0-7](-[0-7])?(,[0-7](-[0-7])?)*$/, 'must be cron weekdays such as 1-5 (Monday to Friday) or 1-6')
    .default('1-5'),
  CRM_WEEKLY_DIGEST: z
    .string()
    .default('MON 09:00')
    .refine((v) => v === 'off' || /^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):[0-5]\d$/i.test(v), {
      message: 'must be a weekday and a time such as MON 09:00, or off',
    }),
  CRM_SILENT_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  CRM_OPPORTUNITY_DUE_TIME: z
    .string()
    .default('09:00')
    .refine((v) => v === 'off' || clockTime.test(v), { message: 'must be HH:MM (for example 09:00) or off' }),
  CRM_STALE_OPPORTUNITY_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  CRM_CHARTS: z.enum(['on', 'off']).default('on'),
  CRM_CHART_FONT: z.string().min(1).default(DEFAULT_CHART_FONT),
  CRM_SOPS_FILE: z.string().default('templates/sops.json'),
  CRM_SOP_SCAN_CRON: z
    .string()
    .default('0 9 * * *')
    .refine((v) => v === 'off' || v.trim().split(/\s+/).length === 5, { message: 'must be a 5-field cron expression (minute hour day month weekday) or off' }),
  CRM_OVERDUE_AFTER_MINUTES: z.coerce
    .number()
    .positive('must be a number of minutes above 0')
    .max(7 * 24 * 60)
    .default(120),
  WECOM_BOT_ID: optionalString.pipe(z.string().max(128).optional()),
  WECOM_BOT_SECRET: optionalString.pipe(z.string().max(256).optional()),
  WECOM_BOT_WS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^wss?:\/\/[^\s]+$/, 'must be a ws:// or wss:// URL')
      .optional(),
  ),
  // the smart bot's messages to one chat (group or single): paced like a group robot unless told otherwise
  WECOM_BOT_CHAT_PER_MINUTE: z.coerce.number().int().min(1).max(60).default(20),
  // how long the bot's lease lives without renewal: a dead holder is replaced within about this long
  WECOM_BOT_LEASE_MS: z.coerce.number().int().min(1000).max(60_000).default(5000),
  MIGRATE_ON_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export interface WecomCredentials {
  corpId: string;
  agentId: string;
  secret: string;
  token: string;
  encodingAesKey: string;
}

export interface Config {
  port: number;
  /** mysql://… for production; undefined means the embedded SQLite file under dataDir. */
  databaseUrl: string | undefined;
  /** connections per process (MySQL/MariaDB) */
  databasePoolSize: number;
  redisUrl: string;
  /** Redis key prefix of every queue, so several installs can share one Redis. */
  queuePrefix: string;
  /** true when no WeCom credentials are configured: local, generated callback credentials. */
  sandbox: boolean;
  /** undefined in sandbox mode until the sandbox credentials are generated (see sandbox-credentials.ts). */
  wecom: WecomCredentials | undefined;
  wecomApiBase: string;
  timezone: string;
  admins: string[];
  quietHours: { start: string; end: string } | undefined;
  adminToken: string | undefined;
  logLevel: string;
  dataDir: string;
  webhookBodyLimit: number;
  /** a callback signed more than this many seconds from now is refused (a replay); 0 = not checked */
  webhookTimestampWindowSeconds: number;
  /** serve /metrics on this port (every role) instead of the webhook's */
  metricsPort: number | undefined;
  /** processed events lose their payload after `payloadDays` (their row and dedupe key stay); the prune runs on `cron` (CRM time zone; undefined = off) */
  inboundRetention: { payloadDays: number; cron: string | undefined };
  /** finished outbound messages lose their body after `outboundBodyDays`, audit entries are deleted after `auditDays`; by the same daily job as the payloads (its cron is `inboundRetention.cron`) */
  retention: { outboundBodyDays: number; auditDays: number };
  workerConcurrency: number;
  /** attempts per inbound event, with exponential backoff from retryDelayMs (2 s, 6 s, 14 s, …). */
  inboundRetry: { attempts: number; delayMs: number };
  /** an unfinished event untouched this long whose job is gone is re-enqueued by the sweeper. */
  staleEventAfterMs: number;
  migrateOnStart: boolean;
  /** customer capture: channel rules (渠道活码), teams, and the nightly reconciliation (cron in the CRM time zone, or undefined when off) */
  capture: { channelRulesFile: string; teamsFile: string; reconcileCron: string | undefined; staffSyncCron: string | undefined };
  /** digests: 5-field crons in the CRM time zone (undefined when off), and when a customer counts as silent */
  digests: { dailyCron: string | undefined; teamCron: string | undefined; weeklyCron: string | undefined; silentDays: number };
  /**
   * SOPs: the definitions file, the daily silent-customer scan (cron in the CRM time zone, or undefined when off), and when an
   * open reminder escalates to the team group
   */
  sop: { file: string; silentScanCron: string | undefined; overdueAfterMs: number };
  /**
   * opportunities: when the close-date cards go out (cron in the CRM time zone on the digest weekdays, undefined when off),
   * and after how many days without a change an open one is named in the personal digest
   */
  pipeline: { dueCron: string | undefined; staleDays: number };
  /**
   * chart images in the weekly team digest and 报表 图 (CRM_CHARTS), drawn with this CJK font file:
   * without it they are off (one warning at start) and the digests go out as text
   */
  charts: { enabled: boolean; fontFile: string };
  /**
   * the smart bot (智能机器人) over its long connection: undefined when WECOM_BOT_ID / WECOM_BOT_SECRET
   * are unset (no bot; everything works as without it). `wsUrl` undefined: the SDK's default endpoint.
   */
  bot: { botId: string; secret: string; wsUrl: string | undefined; leaseMs: number } | undefined;
  /** the WeCom server API client */
  wecomApi: { timeoutMs: number; retryAttempts: number; retryBaseMs: number };
  /** the outbound queue: pacing limits are per `windowMs` (a minute, except in tests) */
  outbound: {
    concurrency: number;
    windowMs: number;
    memberPerWindow: number;
    robotPerWindow: number;
    appChatPerWindow: number;
    apiBudgetPerWindow: number;
    /** the share of the welcome path's APIs' budgets (externalcontact/get, send_welcome_msg) only welcomes may use */
    welcomeBudgetShare: number;
    /** the smart bot's messages per chat (WECOM_BOT_CHAT_PER_MINUTE) */
    botChatPerWindow: number;
    maxAttempts: number;
    retryBaseMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` (process.env by default) and returns the typed config, or throws ConfigError with every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const value = env[name];
      problems.push(`${name}: ${issue.message}${describeValue(name, value)}`);
    }
  }

  const present = WECOM_CREDENTIAL_NAMES.filter((n) => (env[n] ?? '').trim() !== '');
  const sandbox = present.length === 0;
  if (!sandbox && present.length < WECOM_CREDENTIAL_NAMES.length) {
    const missing = WECOM_CREDENTIAL_NAMES.filter((n) => !present.includes(n));
    problems.push(
      `${missing.join(', ')}: required because ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set ` +
        '(set all five WeCom credentials, or none for the local sandbox)',
    );
  }
  const botId = (env.WECOM_BOT_ID ?? '').trim();
  const botSecret = (env.WECOM_BOT_SECRET ?? '').trim();
  if ((botId === '') !== (botSecret === '')) {
    problems.push(
      `${botId ? 'WECOM_BOT_SECRET' : 'WECOM_BOT_ID'}: required because ${botId ? 'WECOM_BOT_ID' : 'WECOM_BOT_SECRET'} is set (set both for the smart bot, or neither)`,
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  const [quietStart, quietEnd] = e.CRM_QUIET_HOURS === 'off' ? [] : e.CRM_QUIET_HOURS.split('-').map((s) => s.trim());
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    sandbox,
    wecom: sandbox
      ? undefined
      : {
          corpId: e.WECOM_CORP_ID!,
          agentId: e.WECOM_AGENT_ID!,
          secret: e.WECOM_SECRET!,
          token: e.WECOM_TOKEN!,
          encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
        },
    wecomApiBase: e.WECOM_API_BASE ?? (sandbox ? `http://127.0.0.1:${e.PORT}/sandbox/cgi-bin` : DEFAULT_WECOM_API_BASE),
    timezone: e.CRM_TIMEZONE,
    admins: e.CRM_ADMINS,
    quietHours: quietStart && quietEnd ? { start: quietStart, end: quietEnd } : undefined,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    webhookBodyLimit: e.WEBHOOK_BODY_LIMIT,
    webhookTimestampWindowSeconds: e.WEBHOOK_TIMESTAMP_WINDOW_SECONDS,
    metricsPort: e.METRICS_PORT,
    inboundRetention: { payloadDays: e.INBOUND_PAYLOAD_RETENTION_DAYS, cron: e.INBOUND_PRUNE_CRON === 'off' ? undefined : e.INBOUND_PRUNE_CRON },
    retention: { outboundBodyDays: e.OUTBOUND_BODY_RETENTION_DAYS, auditDays: e.AUDIT_RETENTION_DAYS },
    workerConcurrency: e.WORKER_CONCURRENCY,
    inboundRetry: { attempts: e.INBOUND_MAX_ATTEMPTS, delayMs: e.INBOUND_RETRY_DELAY_MS },
    staleEventAfterMs: e.STALE_EVENT_AFTER_MS,
    migrateOnStart: e.MIGRATE_ON_START,
    capture: {
      channelRulesFile: e.CRM_CHANNEL_RULES_FILE,
      teamsFile: e.CRM_TEAMS_FILE,
      reconcileCron: e.CRM_RECONCILE_CRON === 'off' ? undefined : e.CRM_RECONCILE_CRON,
      staffSyncCron: e.CRM_STAFF_SYNC_CRON === 'off' ? undefined : e.CRM_STAFF_SYNC_CRON,
    },
    digests: {
      dailyCron: clockCron(e.CRM_DIGEST_TIME, e.CRM_DIGEST_WEEKDAYS),
      teamCron: clockCron(e.CRM_TEAM_DIGEST_TIME, e.CRM_DIGEST_WEEKDAYS),
      weeklyCron:
        e.CRM_WEEKLY_DIGEST === 'off'
          ? undefined
          : clockCron(e.CRM_WEEKLY_DIGEST.split(' ')[1]!, String(WEEKDAYS.indexOf(e.CRM_WEEKLY_DIGEST.split(' ')[0]!.toUpperCase()))),
      silentDays: e.CRM_SILENT_DAYS,
    },
    pipeline: { dueCron: clockCron(e.CRM_OPPORTUNITY_DUE_TIME, e.CRM_DIGEST_WEEKDAYS), staleDays: e.CRM_STALE_OPPORTUNITY_DAYS },
    charts: { enabled: e.CRM_CHARTS === 'on', fontFile: e.CRM_CHART_FONT },
    sop: {
      file: e.CRM_SOPS_FILE,
      silentScanCron: e.CRM_SOP_SCAN_CRON === 'off' ? undefined : e.CRM_SOP_SCAN_CRON,
      overdueAfterMs: Math.round(e.CRM_OVERDUE_AFTER_MINUTES * 60_000),
    },
    bot:
      e.WECOM_BOT_ID && e.WECOM_BOT_SECRET
        ? { botId: e.WECOM_BOT_ID, secret: e.WECOM_BOT_SECRET, wsUrl: e.WECOM_BOT_WS_URL, leaseMs: e.WECOM_BOT_LEASE_MS }
        : undefined,
    wecomApi: { timeoutMs: e.WECOM_API_TIMEOUT_MS, retryAttempts: e.WECOM_API_RETRY_ATTEMPTS, retryBaseMs: e.WECOM_API_RETRY_BASE_MS },
    outbound: {
      concurrency: e.OUTBOUND_CONCURRENCY,
      windowMs: e.OUTBOUND_PACING_WINDOW_MS,
      memberPerWindow: e.OUTBOUND_MEMBER_PER_MINUTE,
      robotPerWindow: e.OUTBOUND_ROBOT_PER_MINUTE,
      appChatPerWindow: e.OUTBOUND_APPCHAT_PER_MINUTE,
      apiBudgetPerWindow: e.WECOM_API_BUDGET_PER_MINUTE,
      welcomeBudgetShare: e.WECOM_WELCOME_BUDGET_SHARE,
      botChatPerWindow: e.WECOM_BOT_CHAT_PER_MINUTE,
      maxAttempts: e.OUTBOUND_MAX_ATTEMPTS,
      retryBaseMs: e.OUTBOUND_RETRY_BASE_MS,
    },
  };
}

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** "18:00" on weekdays "1-5" → "0 18 * * 1-5"; "off" → undefined. */
function clockCron(time: string, weekdays: string): string | undefined {
  if (time === 'off') return undefined;
  const [hour, minute] = time.split(':').map(Number);
  return `${minute} ${hour} * * ${weekdays}`;
}

const SECRET_NAMES = new Set(['WECOM_BOT_SECRET', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'ADMIN_TOKEN', 'DATABASE_URL']);

/** Shows what was given so the operator can spot the typo — except for secrets, where only the length is safe to show. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (SECRET_NAMES.has(name)) return ` (got ${value.length} characters)`;
  return ` (got "${value}")`;
}

/** Loads `.env` from the working directory when present, without overriding variables already set. */
export function loadDotEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
