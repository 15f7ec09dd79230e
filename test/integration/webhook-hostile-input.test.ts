import { request as httpRequest, type Server } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { createWebApp } from '../../src/web';
import { captureLogs } from '../helpers/log-capture';
import { createTestContainer, deleteRedisPrefix, truncateAll } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

/**
 * Hostile input is cheap: nothing is parsed before the signature is checked, every parser error is a
 * 400, a body far larger than any callback is refused before it is read, a replayed request (an old
 * signed timestamp) is refused, and a flood of one kind of bad request is one warn line, no stack.
 */
describe('POST /wecom/callback under hostile input', () => {
  const logs = captureLogs('info');
  let container: Container;
  let app: Koa;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    container = await createTestContainer('hostile', {}, { logger: logs.logger });
    app = createWebApp(container);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  });

  beforeEach(async () => {
    await truncateAll(container.dataSource);
    logs.clear();
  });

  afterAll(async () => {
    server.close();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const keys = () => container.wecom;
  const signedText = (msgId: string, timestamp?: string) =>
    signedCallback(keys(), textMessageXml({ corpId: keys().corpId, from: 'zhangsan', content: '待办', msgId }), { timestamp });
  const post = (req: { path: string; body: string }) => request(app.callback()).post(req.path).set('Content-Type', 'text/xml').send(req.body);
  const rows = () => container.dataSource.getRepository(InboundEvent).count();
  const rejectedLines = () => logs.lines().filter((l) => l.msg === 'request rejected');

  it('unsigned bodies of 10,000 nested tags or with a DOCTYPE never reach the XML parser: 4xx, one warn line per kind, no stack, no error', async () => {
    const validate = jest.spyOn(XMLValidator, 'validate');
    const parse = jest.spyOn(XMLParser.prototype, 'parse');
    try {
      const path = signedText('1').path;
      const nested = `<xml>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</xml>`;
      const nestedWithEncrypt = `<xml>${'<a>'.repeat(10_000)}<Encrypt>QUJDRA==</Encrypt>${'</a>'.repeat(10_000)}</xml>`;
      const doctype = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>';
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        for (const body of [nested, nestedWithEncrypt, doctype]) statuses.push((await post({ path, body })).status);
      }
      expect(new Set(statuses)).toEqual(new Set([400, 401]));
      expect(validate).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      validate.mockRestore();
      parse.mockRestore();
    }
    expect(await rows()).toBe(0);
    expect(logs.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(logs.text()).not.toMatch(/"stack"|\\n\s+at /);
    // 30 bad requests of two kinds: one line for each kind
    expect(
      rejectedLines()
        .map((l) => l.code)
        .sort(),
    ).toEqual(['bad_signature', 'malformed_body']);
  });

  it('a signed payload the parser refuses (10,000 nested tags, a DOCTYPE, broken XML) is a 400, never a 500', async () => {
    for (const plaintext of [
      `<xml>${'<a>'.repeat(10_000)}x${'</a>'.repeat(10_000)}</xml>`,
      '<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><MsgType>text</MsgType><Content>&b;</Content></xml>',
      '<xml><MsgType>text</MsgType><Content>x</xml>',
    ]) {
      const res = await post(signedCallback(keys(), plaintext));
      expect([res.status, res.body.error]).toEqual([400, 'malformed_payload']);
    }
    expect(await rows()).toBe(0);
    expect(logs.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('a body far above a real callback is answered 413 before it is read: the answer comes while the client is still sending', async () => {
    const path = signedText('2').path;
    // Content-Length of 900 KB announced, 1 KB sent: a server that reads it all would wait for ever.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Length': String(900 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024, 'A'));
      setTimeout(() => {
        req.destroy();
        reject(new Error('no answer while the body was still being sent'));
      }, 3000).unref();
    });
    expect(status).toBe(413);

    // Chunked, so no length to go by: refused once the limit is passed, not at the end.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined); // the server closes the connection on us: expected
      for (let i = 0; i < 200; i += 1) req.write(Buffer.alloc(1024, 'A'));
      setTimeout(() => {
        req.destroy();
        reject(new Error('no answer to a chunked 200 KB body'));
      }, 3000).unref();
    });
    expect(chunked).toBe(413);
    expect(await rows()).toBe(0);
  });

  it('a request signed with a 2020 timestamp (a replay) is refused, counted, and stores nothing; a fresh one is stored', async () => {
    const replay = await post(signedText('3', String(Date.UTC(2020, 5, 1) / 1000)));
    expect([replay.status, replay.body.error]).toEqual([401, 'stale_timestamp']);
    const future = await post(signedText('4', String(Math.floor(Date.now() / 1000) + 3600)));
    expect([future.status, future.body.error]).toEqual([401, 'stale_timestamp']);
    const garbage = await post({ ...signedText('5'), path: signedText('5').path.replace(/timestamp=\d+/, 'timestamp=yesterday') });
    expect([garbage.status, garbage.body.error]).toEqual([400, 'bad_timestamp']);
    expect(await rows()).toBe(0);

    // A retry a few minutes after WeCom first signed it is inside the default window (300 s).
    expect((await post(signedText('6', String(Math.floor(Date.now() / 1000) - 200)))).status).toBe(200);
    expect(await rows()).toBe(1);
    const metrics = await request(app.callback()).get('/metrics');
    expect(metrics.text).toMatch(/wecom_callbacks_rejected_total\{reason="stale_timestamp"\} 2/);
  });
});
