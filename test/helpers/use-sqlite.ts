/** Jest's `sqlite` project: the integration and e2e suites on the embedded SQLite of `npm start` (see test-env.ts). */
process.env.TEST_DATABASE = 'sqlite';
