import request from 'supertest';
import type Koa from 'koa';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { createWebApp } from '../../src/web';
import vectors from '../fixtures/wecom-test-vectors.json';
import { createTestContainer, deleteRedisPrefix } from '../helpers/test-env';

/** The official WeCom samples (PROTOCOL.md §3) go through the real route, database and queue. */
describe('official WeCom vectors through /wecom/callback', () => {
  let container: Container;
  let app: Koa;

  beforeAll(async () => {
    // The official samples were signed in 2014: the replay window is off for them.
    container = await createTestContainer('vectors', { WEBHOOK_TIMESTAMP_WINDOW_SECONDS: '0' });
    app = createWebApp(container);
  });

  afterAll(async () => {
    const prefix = container.queues.prefix;
    await container.close();
    await deleteRedisPrefix(prefix);
  });

  const get = vectors.find((v) => v.name.startsWith('B1'))!;
  const post = vectors.find((v) => v.name.startsWith('B2'))!;

  it('GET answers the decrypted echostr as the bare body (URL-encoded as WeCom sends it)', async () => {
    const url =
      `/wecom/callback?msg_signature=${get.msg_signature}&timestamp=${get.timestamp}&nonce=${get.nonce}` + `&echostr=${encodeURIComponent(get.encrypt)}`;
    const res = await request(app.callback()).get(url);
    expect(res.status).toBe(200);
    expect(res.text).toBe(get.expected_plaintext);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('GET with a wrong signature is 401 and reveals nothing', async () => {
    const url = `/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=${get.timestamp}&nonce=${get.nonce}&echostr=${encodeURIComponent(get.encrypt)}`;
    const res = await request(app.callback()).get(url);
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(get.expected_plaintext);
  });

  it('POST of the official text message is stored once with its 64-bit MsgId intact and enqueued', async () => {
    const body = `<xml><ToUserName><![CDATA[${post.receiveid}]]></ToUserName><Encrypt><![CDATA[${post.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
    const url = `/wecom/callback?msg_signature=${post.msg_signature}&timestamp=${post.timestamp}&nonce=${post.nonce}`;
    const res = await request(app.callback()).post(url).set('Content-Type', 'text/xml').send(body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');

    const rows = await container.dataSource.getRepository(InboundEvent).find();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dedupeKey: 'msg:4561255354251345929', kind: 'text', fromUser: 'mycreate', status: 'received' });
    expect(rows[0]!.payload).toMatchObject({ MsgId: '4561255354251345929', Content: 'hello', AgentID: '218' });
    const job = await container.queues.get('inbound').getJob(`event-${rows[0]!.id}`);
    expect(job?.data).toEqual({ eventId: rows[0]!.id });
  });
});
