import { Writable } from 'node:stream';
import Redis from 'ioredis';
import nock from 'nock';
import { createLogger } from '../../src/platform/logger';
import { WecomApiClient, type WecomApiClientOptions } from '../../src/platform/wecom/api/wecom-api.client';
import { WecomApiError } from '../../src/platform/wecom/api/wecom-api.error';
import { deleteRedisPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/test-env';

const HOST = 'https://qyapi.weixin.qq.com';
const BASE = `${HOST}/cgi-bin`;

/** The client against nock (WeCom) and the real Redis (the shared token cache and its lock). */
describe('WecomApiClient', () => {
  let redis: Redis;
  let namespace: string;
  let logLines: string[];

  const makeClient = (overrides: Partial<WecomApiClientOptions> = {}) =>
    new WecomApiClient({
      apiBase: BASE,
      corpId: 'wwcorp',
      agentId: '1000002',
      secret: 'the-app-secret',
      redis,
      namespace,
      retry: { attempts: 3, baseDelayMs: 40, maxDelayMs: 200 },
      logger: createLogger(
        'debug',
        new Writable({
          write: (chunk, _enc, done) => {
            logLines.push(String(chunk));
            done();
          },
        }),
      ),
      ...overrides,
    });

  const tokenReply = (token: string, expiresIn = 7200) => ({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn });

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(() => {
    namespace = uniquePrefix(`wecom-api-${Math.random().toString(36).slice(2, 8)}`);
    logLines = [];
  });
  afterEach(async () => {
    await deleteRedisPrefix(namespace);
  });
  afterAll(async () => {
    redis.disconnect();
  });

  it('fetches the token once for 20 concurrent calls, and every call carries it', async () => {
    const gettoken = nock(HOST).get('/cgi-bin/gettoken').query({ corpid: 'wwcorp', corpsecret: 'the-app-secret' }).delay(30).reply(200, tokenReply('TOKEN-A'));
    const sends = nock(HOST)
      .post('/cgi-bin/message/send', (body) => body.touser === 'zhangsan' && body.agentid === 1000002 && body.msgtype === 'text')
      .query({ access_token: 'TOKEN-A' })
      .times(20)
      .reply(200, { errcode: 0, errmsg: 'ok', msgid: 'm1' });

    const client = makeClient();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.sendMessage({ touser: 'zhangsan' }, { msgtype: 'text', text: { content: '你好' } })),
    );
    expect(results.every((r) => r.msgid === 'm1')).toBe(true);
    expect(gettoken.isDone()).toBe(true);
    expect(sends.isDone()).toBe(true);
  });

  it('fetches the token once across two client instances (two processes), even when they start together', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).delay(50).reply(200, tokenReply('TOKEN-SHARED'));
    const list = nock(HOST)
      .get('/cgi-bin/externalcontact/get_follow_user_list')
      .query({ access_token: 'TOKEN-SHARED' })
      .times(10)
      .reply(200, { errcode: 0, errmsg: 'ok', follow_user: ['a'] });

    const first = makeClient();
    const second = makeClient();
    await Promise.all([...Array.from({ length: 5 }, () => first.getFollowUserList()), ...Array.from({ length: 5 }, () => second.getFollowUserList())]);
    expect(list.isDone()).toBe(true);
    // a second gettoken would find no interceptor and fail the calls above
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refreshes an expired token exactly once (42001) and the calls succeed, even when 5 fail at once', async () => {
    const gettoken = nock(HOST)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, tokenReply('OLD'))
      .get('/cgi-bin/gettoken')
      .query(true)
      .delay(30)
      .reply(200, tokenReply('NEW'));
    nock(HOST)
      .get('/cgi-bin/externalcontact/list')
      .query({ access_token: 'OLD', userid: 'zhangsan' })
      .times(5)
      .reply(200, { errcode: 42001, errmsg: 'access_token expired' });
    const ok = nock(HOST)
      .get('/cgi-bin/externalcontact/list')
      .query({ access_token: 'NEW', userid: 'zhangsan' })
      .times(5)
      .reply(200, { errcode: 0, errmsg: 'ok', external_userid: ['wmA'] });

    const client = makeClient();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.listExternalContacts('zhangsan')));
    expect(results.map((r) => r.external_userid)).toEqual(Array(5).fill(['wmA']));
    expect(gettoken.isDone()).toBe(true);
    expect(ok.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('retries 40001 only once: a second rejection is an error, not a refresh loop', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).times(2).reply(200, tokenReply('T'));
    const calls = nock(HOST).post('/cgi-bin/externalcontact/mark_tag').query(true).times(2).reply(200, { errcode: 40001, errmsg: 'invalid credential' });

    const error = await makeClient()
      .markTag({ userid: 'zhangsan', external_userid: 'wmA', add_tag: ['et1'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WecomApiError);
    expect((error as WecomApiError).errcode).toBe(40001);
    expect(calls.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('backs off on 45009 and then succeeds', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('T'));
    const times: number[] = [];
    nock(HOST)
      .post('/cgi-bin/externalcontact/get_corp_tag_list')
      .query(true)
      .times(2)
      .reply(200, () => {
        times.push(Date.now());
        return times.length === 1 ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: 0, errmsg: 'ok', tag_group: [] };
      });

    const result = await makeClient().getCorpTagList();
    expect(result.tag_group).toEqual([]);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35); // at least the base delay (40 ms), less timer slack
  });

  it('retries network failures and HTTP 5xx, then gives up with a retryable error after the attempts', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('T'));
    nock(HOST)
      .post('/cgi-bin/externalcontact/groupchat/get')
      .query(true)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    nock(HOST).post('/cgi-bin/externalcontact/groupchat/get').query(true).reply(502, 'Bad Gateway');
    nock(HOST)
      .post('/cgi-bin/externalcontact/groupchat/get')
      .query(true)
      .reply(200, { errcode: 0, errmsg: 'ok', group_chat: { chat_id: 'wrX', name: '客户群', owner: 'zhangsan', create_time: 1, member_list: [] } });
    const client = makeClient();
    expect((await client.getGroupChat('wrX')).group_chat.name).toBe('客户群');

    nock(HOST).post('/cgi-bin/externalcontact/groupchat/get').query(true).times(3).reply(200, { errcode: -1, errmsg: 'system busy' });
    const error = (await client.getGroupChat('wrX').catch((e: unknown) => e)) as WecomApiError;
    expect(error).toMatchObject({ errcode: -1, retryable: true, api: 'externalcontact/groupchat/get' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.each([
    [40003, 'invalid userid'],
    [60011, 'no privilege to access/modify contact/party/agent'],
    [84061, 'not external contact'],
    [81013, 'user & party & tag all invalid'],
    [41051, 'externaluser has started chatting'],
  ])('fails at once on permanent errcode %i, keeping the reason', async (errcode, errmsg) => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('T'));
    const call = nock(HOST).post('/cgi-bin/externalcontact/send_welcome_msg').query(true).once().reply(200, { errcode, errmsg });

    const error = (await makeClient()
      .sendWelcomeMsg({ welcome_code: 'CODE', text: { content: '欢迎' } })
      .catch((e: unknown) => e)) as WecomApiError;
    expect(error).toBeInstanceOf(WecomApiError);
    expect(error).toMatchObject({ errcode, errmsg, retryable: false });
    expect(call.isDone()).toBe(true);
  });

  it('refreshes the token before it expires, and shares the new one', async () => {
    nock(HOST)
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, tokenReply('FIRST', 7200))
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, tokenReply('SECOND', 7200));
    nock(HOST).get('/cgi-bin/externalcontact/get_follow_user_list').query({ access_token: 'FIRST' }).reply(200, { errcode: 0, errmsg: 'ok', follow_user: [] });
    const second = nock(HOST)
      .get('/cgi-bin/externalcontact/get_follow_user_list')
      .query({ access_token: 'SECOND' })
      .twice()
      .reply(200, { errcode: 0, errmsg: 'ok', follow_user: [] });

    // "refresh 7199.8 s before expiry": the token is due for refresh 200 ms after it was fetched
    const client = makeClient({ refreshTokenBeforeMs: 7_199_800 });
    await client.getFollowUserList();
    // the subject: the real time passing the refresh point (the token store reads the real clock)
    await new Promise((r) => setTimeout(r, 300));
    await client.getFollowUserList();
    await makeClient({ refreshTokenBeforeMs: 7_199_800 }).getFollowUserList();
    expect(second.isDone()).toBe(true);
  });

  it('fails at once with a bad secret (gettoken 40001) and never logs the token or the secret', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 40001, errmsg: 'invalid credential' });
    const error = (await makeClient()
      .getFollowUserList()
      .catch((e: unknown) => e)) as WecomApiError;
    expect(error).toMatchObject({ api: 'gettoken', errcode: 40001, retryable: false });

    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('SUPER-SECRET-TOKEN'));
    nock(HOST).get('/cgi-bin/externalcontact/get_follow_user_list').query(true).reply(200, { errcode: 42001, errmsg: 'expired' });
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('SUPER-SECRET-TOKEN-2'));
    nock(HOST).get('/cgi-bin/externalcontact/get_follow_user_list').query(true).replyWithError('connect ECONNREFUSED');
    nock(HOST).get('/cgi-bin/externalcontact/get_follow_user_list').query(true).reply(200, { errcode: 0, errmsg: 'ok', follow_user: [] });
    await makeClient().getFollowUserList();
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    expect(logs).not.toContain('SUPER-SECRET-TOKEN');
    expect(logs).not.toContain('the-app-secret');
    expect(String(error.message)).not.toContain('the-app-secret');
  });

  it('does not leak the token when the network layer quotes the URL', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('LEAKY-TOKEN'));
    // no interceptor for the call itself: nock refuses the connection and quotes the full URL
    const error = (await makeClient({ retry: { attempts: 1 } })
      .getFollowUserList()
      .catch((e: unknown) => e)) as WecomApiError;
    expect(error).toMatchObject({ errcode: null, retryable: true });
    expect(error.message).not.toContain('LEAKY-TOKEN');
  });

  it('follows next_cursor through batch/get_by_user pages', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('T'));
    const contact = (id: string) => ({
      external_contact: { external_userid: id, name: id, type: 1 },
      follow_info: { userid: 'zhangsan', createtime: 1, tag_id: [] },
    });
    nock(HOST)
      .post('/cgi-bin/externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], limit: 100 })
      .query(true)
      .reply(200, { errcode: 0, errmsg: 'ok', external_contact_list: [contact('wm1'), contact('wm2')], next_cursor: 'C2' })
      .post('/cgi-bin/externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], cursor: 'C2', limit: 100 })
      .query(true)
      .reply(200, { errcode: 0, errmsg: 'ok', external_contact_list: [contact('wm3')], next_cursor: '' });

    const ids: string[] = [];
    for await (const item of makeClient().iterateCustomersOf(['zhangsan'])) ids.push(item.external_contact.external_userid);
    expect(ids).toEqual(['wm1', 'wm2', 'wm3']);
  });

  it('posts to a group robot by its full webhook URL, without an access token', async () => {
    const robot = nock(HOST)
      .post('/cgi-bin/webhook/send', { msgtype: 'markdown', markdown: { content: '**逾期跟进** 3 位客户' } })
      .query((q) => q.key === 'robot-key-1' && q.access_token === undefined)
      .reply(200, { errcode: 0, errmsg: 'ok' });
    await makeClient().robotSend(`${BASE}/webhook/send?key=robot-key-1`, { msgtype: 'markdown', markdown: { content: '**逾期跟进** 3 位客户' } });
    expect(robot.isDone()).toBe(true);
  });

  it('sends the body as UTF-8 JSON with Chinese kept literal (WeCom rejects \\u escapes)', async () => {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, tokenReply('T'));
    let raw = '';
    let contentType = '';
    nock(HOST)
      .post('/cgi-bin/appchat/send')
      .query(true)
      .reply(200, function (_uri, body) {
        raw = typeof body === 'string' ? body : JSON.stringify(body);
        contentType = String(this.req.headers['content-type']);
        return { errcode: 0, errmsg: 'ok' };
      });
    await makeClient().appChatSend('chat1', { msgtype: 'text', text: { content: '明天上午10点回访' } });
    expect(contentType).toMatch(/^application\/json/);
    expect(raw).toContain('明天上午10点回访');
    expect(raw).not.toContain('\\u');
  });
});
