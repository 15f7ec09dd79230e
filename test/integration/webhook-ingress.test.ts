import { request as httpRequest } from 'node:http';
import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { createWebApp } from '../../src/web';
import { createTestContainer, deleteRedisPrefix, truncateAll } from '../helpers/test-env';
import { externalContactXml, signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

describe('POST /wecom/callback: store once, enqueue once, refuse bad input', () => {
  let container: Container;
  let app: Koa;
  let keys: { token: string; encodingAesKey: string; corpId: string };

  beforeAll(async () => {
    container = await createTestContainer('ingress');
    app = createWebApp(container);
    keys = { token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId };
  });

  beforeEach(async () => {
    await truncateAll(container.dataSource);
    await container.queues.get('inbound').empty();
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const events = () => container.dataSource.getRepository(InboundEvent).find({ order: { id: 'ASC' } });
  const jobCount = async () => (await container.queues.get('inbound').getJobs(['waiting', 'delayed', 'active'])).length;
  const post = (req: { path: string; body: string }) => request(app.callback()).post(req.path).set('Content-Type', 'text/xml').send(req.body);
  const addEvent = (externalUserId: string, createTime = 1_763_800_000) =>
    externalContactXml({
      corpId: keys.corpId,
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId,
      createTime,
      state: 'ad-2026',
      welcomeCode: 'WELCOME1',
    });

  it('a redelivered callback (new nonce, new ciphertext) creates no second row and no second job', async () => {
    const xml = addEvent('wmCustomerA');
    expect((await post(signedCallback(keys, xml, { nonce: '111' }))).status).toBe(200);
    expect((await post(signedCallback(keys, xml, { nonce: '222' }))).status).toBe(200);
    expect((await post(signedCallback(keys, xml, { nonce: '333' }))).status).toBe(200);

    const rows = await events();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'change_external_contact/add_external_contact', fromUser: 'sys', redeliveries: 2, status: 'received' });
    expect(rows[0]!.payload).toMatchObject({ ExternalUserID: 'wmCustomerA', WelcomeCode: 'WELCOME1', State: 'ad-2026' });
    expect(await jobCount()).toBe(1);
  });

  it('twenty simultaneous deliveries of one event store one row and one job', async () => {
    const xml = addEvent('wmRace');
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(signedCallback(keys, xml, { nonce: String(1000 + i) }))));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await events()).toHaveLength(1);
    expect(await jobCount()).toBe(1);
  });

  it('two customers added to the same salesperson in the same second are two events', async () => {
    await post(signedCallback(keys, addEvent('wmFirst', 1_763_800_123)));
    await post(signedCallback(keys, addEvent('wmSecond', 1_763_800_123)));
    const rows = await events();
    expect(rows.map((r) => r.payload.ExternalUserID)).toEqual(['wmFirst', 'wmSecond']);
    expect(await jobCount()).toBe(2);
  });

  it('a redelivery of an event already processed is acknowledged and not queued again', async () => {
    const xml = textMessageXml({ corpId: keys.corpId, from: 'zhangsan', content: '待办', msgId: '9223372036854775807' });
    await post(signedCallback(keys, xml));
    const [row] = await events();
    await container.dataSource.getRepository(InboundEvent).update({ id: row!.id }, { status: 'done' });
    await container.queues.get('inbound').empty();

    const again = await post(signedCallback(keys, xml));
    expect(again.status).toBe(200);
    expect(await jobCount()).toBe(0);
    expect(await events()).toHaveLength(1);
  });

  it('stores Chinese content and emoji intact (utf8mb4)', async () => {
    const xml = textMessageXml({ corpId: keys.corpId, from: 'zhangsan', content: '记录跟进 张三 电话沟通了报价😀，下周二再联系', msgId: '77' });
    await post(signedCallback(keys, xml));
    expect((await events())[0]!.payload.Content).toBe('记录跟进 张三 电话沟通了报价😀，下周二再联系');
  });

  describe('bad input gets a clear status and stores nothing', () => {
    const valid = () => signedCallback(keys, addEvent('wmBad'));

    it.each([
      [
        'wrong signature',
        401,
        'bad_signature',
        () => ({ ...valid(), path: valid().path.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'f'.repeat(40)}`) }),
      ],
      ['missing signature', 400, 'missing_parameter', () => ({ ...valid(), path: valid().path.replace(/msg_signature=[0-9a-f]+&/, '') })],
      ['a body that is not XML', 400, 'malformed_body', () => ({ ...valid(), body: 'hello, I am not XML' })],
      ['XML without Encrypt', 400, 'malformed_body', () => ({ ...valid(), body: '<xml><ToUserName>x</ToUserName></xml>' })],
    ])('%s → %i', async (_label, status, code, build) => {
      const res = await post(build());
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(code);
      expect(res.body.requestId).toEqual(expect.any(String));
      expect(await events()).toHaveLength(0);
    });

    it("another corp's correctly signed payload → 400", async () => {
      const sealed = sealCallback({ ...keys, corpId: 'wwSomeoneElse' }, addEvent('wmOther'));
      const path = `/wecom/callback?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;
      const res = await post({ path, body: `<xml><Encrypt><![CDATA[${sealed.ciphertext}]]></Encrypt></xml>` });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('wrong_receiver');
      expect(await events()).toHaveLength(0);
    });

    it('a signed payload whose plaintext is not XML → 400', async () => {
      const res = await post(signedCallback(keys, 'this is not xml'));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('malformed_payload');
      expect(await events()).toHaveLength(0);
    });

    it('a body over 1 MB → 413, with or without Content-Length', async () => {
      const huge = Buffer.alloc(2 * 1024 * 1024, 'A');
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as { port: number };
        expect(await postRaw(port, valid().path, huge, { 'Content-Length': String(huge.length) })).toBe(413);
        expect(await postRaw(port, valid().path, huge, { 'Transfer-Encoding': 'chunked' })).toBe(413);
      } finally {
        server.close();
      }
      expect(await events()).toHaveLength(0);
    });

    it('GET without echostr → 400', async () => {
      const res = await request(app.callback()).get('/wecom/callback?msg_signature=a&timestamp=1&nonce=2');
      expect(res.status).toBe(400);
    });
  });

  it('counts received events by kind in /metrics', async () => {
    await post(signedCallback(keys, addEvent('wmMetrics')));
    const res = await request(app.callback()).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/wecom_events_received_total\{kind="change_external_contact\/add_external_contact",duplicate="false"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/wecom\/callback"/);
    expect(res.text).toMatch(/queue_jobs\{queue="inbound",state="waiting"\} 1/);
  });
});

/** Streams a body and resolves with the status as soon as the server answers (it may answer before reading it all). */
function postRaw(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}
