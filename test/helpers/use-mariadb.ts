/** Jest's `mariadb` project: the integration and e2e suites on the MariaDB server (see test-env.ts). */
process.env.TEST_DATABASE = 'mariadb';
