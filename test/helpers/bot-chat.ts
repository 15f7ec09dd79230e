import type Koa from 'koa';
import request from 'supertest';
import type { Container } from '../../src/container';
import { messageText, type WecomCall } from './fake-wecom';
import { waitFor } from './test-env';
import { signedCallback, textMessageXml } from './wecom-callbacks';

let nextMsgId = 8_100_000_000_000_000_000n;

/**
 * A salesperson typing to the app: a signed text callback to the real webhook, then the bot's reply
 * as WeCom delivers it (the next `message/send` to `from` that WeCom accepted, as text; one it
 * refused, e.g. over a size limit, never reaches the salesperson). Each call uses a new MsgId.
 */
export async function say(container: Container, app: Koa, calls: WecomCall[], from: string, content: string): Promise<string> {
  const delivered = () => calls.filter((c) => c.api === 'message/send' && c.errcode === undefined);
  const before = delivered().length;
  const req = signedCallback(container.wecom, textMessageXml({ corpId: container.wecom.corpId, from, content, msgId: String((nextMsgId += 1n)) }));
  const res = await request(app.callback()).post(req.path).send(req.body);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  const sends = await waitFor(
    async () => delivered(),
    (s) => s.length > before,
    15_000,
    `a reply to "${content}"`,
  );
  const reply = sends[before]!.body;
  if (String(reply.touser).toLowerCase() !== from.toLowerCase()) throw new Error(`reply went to ${String(reply.touser)}, not ${from}`);
  return messageText(reply);
}
