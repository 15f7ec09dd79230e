import nock from 'nock';

/**
 * Loaded after the test framework in every test file: no test reaches the network. Loopback stays
 * open for the app under test, MariaDB and Redis; WeCom is faked with nock scopes in each test.
 */
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
