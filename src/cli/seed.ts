import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDotEnvFile } from '../config';
import dayjs from '../platform/dayjs';
import { openDatabase } from '../platform/db/database';
import { writeSeed } from './seed-writer';

/**
 * `npm run seed -- --customers 5000 --staff 20 --teams 3 --days 30 --seed 42 [--opportunities 3000] [--end 2026-11-30]`:
 * fills an empty database (DATABASE_URL) with a deterministic data set ending with the day `--end`
 * (default today in CRM_TIMEZONE). The same arguments always give the same rows. Opportunities default
 * to 0.6 per customer, spread evenly over them.
 */
async function seed(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '5000' },
      staff: { type: 'string', default: '20' },
      teams: { type: 'string', default: '3' },
      days: { type: 'string', default: '30' },
      seed: { type: 'string', default: '42' },
      opportunities: { type: 'string' },
      end: { type: 'string' },
    },
  });
  const number = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got ${values[name]})`);
    return n;
  };
  loadDotEnvFile();
  const config = loadConfig();
  const endDay = values.end ? dayjs.tz(values.end, 'YYYY-MM-DD', config.timezone) : dayjs().tz(config.timezone).startOf('day');
  if (!endDay.isValid()) throw new Error(`--end must be a date such as 2026-11-30 (got ${values.end})`);
  const options = {
    customers: number('customers', 1),
    staff: number('staff', 1),
    teams: number('teams', 1),
    days: number('days', 1),
    seed: number('seed', 0),
    ...(values.opportunities === undefined ? {} : { opportunities: number('opportunities', 0) }),
    end: endDay.add(1, 'day').toDate(),
  };
  const dataSource = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, runMigrations: true });
  try {
    const started = Date.now();
    const counts = await writeSeed(dataSource, options);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ ...counts, staff: options.staff, teams: options.teams, through: endDay.format('YYYY-MM-DD'), seconds })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

seed().catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
