import { randomBytes } from 'node:crypto';
import { openSealedBotFrame, sealBotFrame } from '../../src/platform/wecom/bot/sealed-bot-frame';
import { CallbackRejected } from '../../src/platform/wecom/callback/verified-callback';

const keys = {
  token: 'spooltoken',
  encodingAesKey: randomBytes(32).toString('base64').replace(/=+$/, '').slice(0, 43),
  corpId: 'wwspooltest',
};
const frame = {
  cmd: 'aibot_msg_callback',
  headers: { req_id: 'req-1' },
  body: { msgid: 'msg-1', chattype: 'single', from: { userid: 'zhangwei' }, msgtype: 'text', text: { content: '待办' }, create_time: 1_764_000_000 },
};

describe('a smart-bot frame sealed for the spool', () => {
  it('keeps nothing readable and opens to what is stored of the frame', () => {
    const sealed = sealBotFrame(keys, frame);
    expect(JSON.stringify(sealed)).not.toMatch(/zhangwei|待办|msg-1|aibot/);
    const opened = openSealedBotFrame(keys, sealed, new Date(1_764_000_001_000));
    expect(opened.descriptor).toMatchObject({ dedupeKey: 'aibot:msg-1', kind: 'aibot/text', fromUser: 'zhangwei' });
    expect(opened.fields).toMatchObject({ Content: '待办', ReqId: 'req-1', CreateTime: '1764000000' });
  });

  it('is refused when its signature does not verify (another token) or it holds no frame', () => {
    const sealed = sealBotFrame(keys, frame);
    expect(() => openSealedBotFrame({ ...keys, token: 'another' }, sealed, new Date())).toThrow(CallbackRejected);
    const heartbeat = sealBotFrame(keys, { cmd: 'ping', headers: { req_id: 'r' } });
    expect(() => openSealedBotFrame(keys, heartbeat, new Date())).toThrow(/neither a message nor an event/);
  });
});
