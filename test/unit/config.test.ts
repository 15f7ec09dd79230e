import { configWarnings } from '../../src/config-warnings';
import { chartsAvailable, DEFAULT_CHART_FONT } from '../../src/modules/charts/chart-font';
import { ConfigError, loadConfig } from '../../src/config';

const realApp = {
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's3cr3t-value',
  WECOM_TOKEN: 'QDG6eK',
  WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts in sandbox mode with sensible defaults when nothing is configured', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      sandbox: true,
      wecom: undefined,
      port: 3000,
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: undefined,
      timezone: 'Asia/Shanghai',
      admins: [],
      quietHours: { start: '21:00', end: '08:00' },
      wecomApiBase: 'http://127.0.0.1:3000/sandbox/cgi-bin',
    });
  });

  it('uses the real WeCom API and the given credentials when all five are set', () => {
    const config = loadConfig({ ...realApp, CRM_ADMINS: 'ZhangSan, lisi ,', CRM_QUIET_HOURS: 'off' });
    expect(config.sandbox).toBe(false);
    expect(config.wecom).toEqual({
      corpId: realApp.WECOM_CORP_ID,
      agentId: '1000002',
      secret: realApp.WECOM_SECRET,
      token: realApp.WECOM_TOKEN,
      encodingAesKey: realApp.WECOM_ENCODING_AES_KEY,
    });
    expect(config.wecomApiBase).toBe('https://qyapi.weixin.qq.com/cgi-bin');
    expect(config.admins).toEqual(['zhangsan', 'lisi']);
    expect(config.quietHours).toBeUndefined();
  });

  it('lists every problem at once, and never echoes a secret', () => {
    const problems = problemsOf({
      ...realApp,
      WECOM_ENCODING_AES_KEY: 'tooShortKeyButVerySecret',
      WECOM_AGENT_ID: 'abc',
      PORT: 'eighty',
      CRM_TIMEZONE: 'Mars/Olympus',
      REDIS_URL: 'localhost:6379',
      DATABASE_URL: 'postgres://x',
      CRM_QUIET_HOURS: '9pm-8am',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits \(got 24 characters\)/);
    expect(problems.join('\n')).not.toContain('tooShortKeyButVerySecret');
    for (const name of ['WECOM_AGENT_ID', 'PORT', 'CRM_TIMEZONE', 'REDIS_URL', 'DATABASE_URL', 'CRM_QUIET_HOURS']) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('refuses a half-configured WeCom app instead of silently falling back to the sandbox', () => {
    const problems = problemsOf({ WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 'abc' });
    expect(problems).toEqual([
      'WECOM_AGENT_ID, WECOM_SECRET, WECOM_ENCODING_AES_KEY: required because WECOM_CORP_ID, WECOM_TOKEN are set (set all five WeCom credentials, or none for the local sandbox)',
    ]);
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ WECOM_CORP_ID: '  ', DATABASE_URL: '' })).toMatchObject({ sandbox: true, databaseUrl: undefined });
  });
});

describe('digest schedule configuration', () => {
  it('defaults: 18:00 and 18:30 on working days, Monday 09:00 weekly, silent after 7 days', () => {
    expect(loadConfig({}).digests).toEqual({ dailyCron: '0 18 * * 1-5', teamCron: '30 18 * * 1-5', weeklyCron: '0 9 * * 1', silentDays: 7 });
  });

  it('times, weekdays and the weekly day are configurable, and each can be off', () => {
    expect(
      loadConfig({ CRM_DIGEST_TIME: '17:45', CRM_DIGEST_WEEKDAYS: '1-6', CRM_TEAM_DIGEST_TIME: 'off', CRM_WEEKLY_DIGEST: 'fri 16:30', CRM_SILENT_DAYS: '14' })
        .digests,
    ).toEqual({
      dailyCron: '45 17 * * 1-6',
      teamCron: undefined,
      weeklyCron: '30 16 * * 5',
      silentDays: 14,
    });
    expect(loadConfig({ CRM_WEEKLY_DIGEST: 'off', CRM_DIGEST_TIME: 'off' }).digests).toMatchObject({ dailyCron: undefined, weeklyCron: undefined });
  });

  it('a bad value is reported with what was typed', () => {
    const problems = problemsOf({ CRM_DIGEST_TIME: '6pm', CRM_WEEKLY_DIGEST: 'Monday', CRM_DIGEST_WEEKDAYS: 'weekdays', CRM_SILENT_DAYS: '0' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'CRM_DIGEST_TIME: must be HH:MM (for example 18:00) or off (got "6pm")',
        'CRM_WEEKLY_DIGEST: must be a weekday and a time such as MON 09:00, or off (got "Monday")',
        expect.stringContaining('CRM_DIGEST_WEEKDAYS: must be cron weekdays'),
        expect.stringContaining('CRM_SILENT_DAYS'),
      ]),
    );
  });
});

describe('webhook hardening, retention and metrics configuration', () => {
  it('defaults: 128 KB bodies, a 300 s replay window, payloads kept 30 days and pruned at 04:15, /metrics on the webhook port', () => {
    expect(loadConfig({})).toMatchObject({
      webhookBodyLimit: 131_072,
      webhookTimestampWindowSeconds: 300,
      inboundRetention: { payloadDays: 30, cron: '15 4 * * *' },
      metricsPort: undefined,
    });
  });

  it('each is configurable; the window and the prune can be off', () => {
    expect(
      loadConfig({ WEBHOOK_TIMESTAMP_WINDOW_SECONDS: '0', INBOUND_PRUNE_CRON: 'off', INBOUND_PAYLOAD_RETENTION_DAYS: '7', METRICS_PORT: '9464' }),
    ).toMatchObject({
      webhookTimestampWindowSeconds: 0,
      inboundRetention: { payloadDays: 7, cron: undefined },
      metricsPort: 9464,
    });
  });

  it('bad values are reported with their names', () => {
    const problems = problemsOf({
      METRICS_PORT: 'nine',
      INBOUND_PAYLOAD_RETENTION_DAYS: '0',
      INBOUND_PRUNE_CRON: 'daily',
      WEBHOOK_TIMESTAMP_WINDOW_SECONDS: '-5',
    });
    for (const name of ['METRICS_PORT', 'INBOUND_PAYLOAD_RETENTION_DAYS', 'INBOUND_PRUNE_CRON', 'WEBHOOK_TIMESTAMP_WINDOW_SECONDS']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });
});

describe('charts setting', () => {
  const codes = (env: Record<string, string>) => configWarnings(loadConfig({ CRM_ADMINS: 'boss', ...env })).map((w) => w.code);

  it('draws charts with the Debian CJK font by default, and says nothing while the font is there', () => {
    expect(loadConfig({}).charts).toEqual({ enabled: true, fontFile: DEFAULT_CHART_FONT });
    expect(codes({})).toEqual([]);
  });

  it('turns charts off with one clear warning when the font is missing, never drawing boxes', () => {
    const warnings = configWarnings(loadConfig({ CRM_ADMINS: 'boss', CRM_CHART_FONT: '/nonexistent/font.ttc' }));
    expect(warnings.map((w) => w.code)).toEqual(['no_chart_font']);
    expect(warnings[0]!.message).toContain('apt-get install fonts-wqy-microhei');
    expect(chartsAvailable(loadConfig({ CRM_CHART_FONT: '/nonexistent/font.ttc' }).charts)).toBe(false);
  });

  it('CRM_CHARTS=off is off without a warning; anything else than on/off is refused', () => {
    expect(codes({ CRM_CHARTS: 'off', CRM_CHART_FONT: '/nonexistent/font.ttc' })).toEqual([]);
    expect(problemsOf({ CRM_CHARTS: 'yes' }).some((p) => p.startsWith('CRM_CHARTS'))).toBe(true);
  });
});
