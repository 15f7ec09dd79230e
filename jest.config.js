/**
 * Jest runs TypeScript through swc (fast, no type check); `npm test` type-checks with tsc first.
 *
 * Three projects: `unit` (no database), and the integration and e2e suites twice, on `mariadb` (the
 * production database) and on `sqlite` (the embedded default of `npm start`). One database only:
 * `npx jest --selectProjects sqlite test/integration/bot-commands.test.ts`.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/no-network.ts'],
};

const withDatabase = ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'];

/**
 * Files about MariaDB itself, which SQLite has no counterpart for: the outage tests cut a TCP proxy
 * in front of the MariaDB server; the worker-crash test runs a web and worker processes on one
 * database, which the embedded SQLite (one process) is not for. (Single tests of that kind inside other files use
 * `mariadbOnlyTest` from test/helpers/test-env.ts and say "(MariaDB only)" in their names.)
 */
const mariadbOnly = [
  '<rootDir>/test/integration/webhook-outage.test.ts',
  '<rootDir>/test/integration/bot-outage.test.ts',
  '<rootDir>/test/e2e/worker-crash.test.ts',
  '<rootDir>/test/e2e/bot-takeover.test.ts',
];

/** Files that use no database (Redis, the WeCom client, the fake WeCom): run once, in the mariadb project. */
const noDatabase = ['conversation-store', 'json-transport', 'promote-delayed-jobs', 'rate-limiter', 'sandbox-fake-wecom', 'wecom-api-client'].map(
  (n) => `<rootDir>/test/integration/${n}.test.ts`,
);

/** The sandbox page and `npm run simulate` as a newcomer meets them, on npm start's SQLite: run once, in the sqlite project. */
const sandboxOnSqlite = [
  '<rootDir>/test/e2e/sandbox-browser.test.ts',
  '<rootDir>/test/e2e/simulate-cli.test.ts',
  '<rootDir>/test/e2e/simulate-card-select.test.ts',
];

module.exports = {
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 30000,
  // Integration tests share one database and one Redis db per jest worker.
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'mariadb',
      testMatch: withDatabase,
      testPathIgnorePatterns: sandboxOnSqlite,
      setupFiles: ['<rootDir>/test/helpers/use-mariadb.ts'],
    },
    {
      ...shared,
      displayName: 'sqlite',
      testMatch: withDatabase,
      testPathIgnorePatterns: [...mariadbOnly, ...noDatabase],
      setupFiles: ['<rootDir>/test/helpers/use-sqlite.ts'],
    },
  ],
};
