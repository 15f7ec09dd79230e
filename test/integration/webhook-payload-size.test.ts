import type Koa from 'koa';
import request from 'supertest';
import { INBOUND_PAYLOAD_MAX_BYTES, InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { createWebApp } from '../../src/web';
import { parseCallbackFields } from '../../src/platform/wecom/callback/callback-xml';
import { createTestContainer, deleteRedisPrefix, testDatabaseKind } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

/**
 * Every well-signed callback is stored or refused for good (413), never 503 on every delivery: the
 * size check counts what the payload column holds (its JSON, where a `"` takes two bytes), the same
 * on MariaDB (TEXT: 65,535 bytes) and on the embedded SQLite (this file runs in both jest projects).
 */
describe(`callback payload size on ${testDatabaseKind()}`, () => {
  let container: Container;
  let app: Koa;

  beforeAll(async () => {
    container = await createTestContainer('payload-size');
    app = createWebApp(container);
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const post = (xml: string) => {
    const req = signedCallback(container.wecom, xml);
    return request(app.callback()).post(req.path).send(req.body);
  };
  const rows = () => container.dataSource.getRepository(InboundEvent).find({ order: { id: 'ASC' } });
  const text = (content: string, msgId: string) =>
    textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content, msgId, createTime: 1_764_000_000 });
  /** the byte size of the stored JSON of a text message with this content */
  const storedBytes = (content: string, msgId: string) => Buffer.byteLength(JSON.stringify(parseCallbackFields(text(content, msgId))));

  it('a signed text of 记录跟进 … and 33,000 quotes (33 KB decrypted, 66 KB as JSON) is refused for good with 413, every delivery, storing nothing', async () => {
    const content = `记录跟进 张三 ${'"'.repeat(33_000)}`;
    expect(Buffer.byteLength(text(content, '1'))).toBeLessThan(60 * 1024);
    expect(storedBytes(content, '1')).toBeGreaterThan(INBOUND_PAYLOAD_MAX_BYTES);
    for (let delivery = 0; delivery < 4; delivery += 1) {
      const res = await post(text(content, '7001'));
      expect([res.status, res.body.error]).toEqual([413, 'payload_too_large']);
    }
    expect(await rows()).toHaveLength(0);
  });

  it('a payload exactly as large as the column holds is stored intact; one byte more is 413', async () => {
    const msgId = '7002';
    // Chinese text, quotes and an emoji as salespeople type them, padded to the last byte (an `a` is one byte of JSON).
    const head = '记录跟进 李四 客户说"下周再谈"😀 ';
    const content = head + 'a'.repeat(INBOUND_PAYLOAD_MAX_BYTES - storedBytes(head, msgId));
    expect(storedBytes(content, msgId)).toBe(INBOUND_PAYLOAD_MAX_BYTES);
    expect((await post(text(content, msgId))).status).toBe(200);
    const [row] = await rows();
    expect(row!.payload.Content).toBe(content);

    expect((await post(text(`${content}a`, '7003'))).status).toBe(413);
    expect(await rows()).toHaveLength(1);
  });

  it('a signed message with an absurdly long MsgId is stored once (its key hashed to fit the column), not refused on every delivery', async () => {
    const msgId = '9'.repeat(300);
    expect((await post(text('待办', msgId))).status).toBe(200);
    expect((await post(text('待办', msgId))).status).toBe(200);
    const stored = (await rows()).filter((r) => r.payload.MsgId === msgId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.dedupeKey).toMatch(/^msg:sha256:[0-9a-f]{64}$/);
    expect(stored[0]!.redeliveries).toBe(1);
  });
});
