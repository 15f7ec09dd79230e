import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('digest schedule configuration', () => {
  it('defaults: 18:00 and 18:30 on working days, Monday 09:00 weekly, silent after 7 days', () => {
    expect(loadConfig({}).digests).toEqual({ dailyCron: '0 18 * * 1-5', teamCron: '30 18 * * 1-5', weeklyCron: '0 9 * * 1', silentDays: 7 });
  });

  it('times, weekdays and the weekly day are configurable, and each can be off', () => {
    expect(loadConfig({ CRM_DIGEST_TIME: '17:45', CRM_DIGEST_WEEKDAYS: '1-6', CRM_TEAM_DIGEST_TIME: 'off', CRM_WEEKLY_DIGEST: 'fri 16:30', CRM_SILENT_DAYS: '14' }).digests).toEqual({
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
