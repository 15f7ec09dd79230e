import { parseCallbackFields } from '../../src/platform/wecom/callback/callback-xml';
import { describeInboundEvent } from '../../src/platform/wecom/callback/inbound-event';

const addEvent = (external: string, extra = '') =>
  parseCallbackFields(
    `<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType>` +
      `<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>zhangsan</UserID>` +
      `<ExternalUserID>${external}</ExternalUserID><State>ad-2026</State>${extra}</xml>`,
  );

describe('inbound event descriptor', () => {
  it('keys a message by its MsgId and names its kind', () => {
    const d = describeInboundEvent(
      parseCallbackFields(
        '<xml><FromUserName>zhangsan</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>4561255354251345929</MsgId></xml>',
      ),
    );
    expect(d).toEqual({ dedupeKey: 'msg:4561255354251345929', kind: 'text', fromUser: 'zhangsan', createTime: '1' });
  });

  it('tells apart two customers added to the same salesperson in the same second', () => {
    const a = describeInboundEvent(addEvent('wmAAA'));
    const b = describeInboundEvent(addEvent('wmBBB'));
    expect(a.kind).toBe('change_external_contact/add_external_contact');
    expect(a.dedupeKey).not.toBe(b.dedupeKey);
  });

  it('gives a redelivery the same key, whatever the element order or the AgentID', () => {
    const first = describeInboundEvent(addEvent('wmAAA'));
    const reordered = parseCallbackFields(
      `<xml><ExternalUserID>wmAAA</ExternalUserID><State>ad-2026</State><UserID>zhangsan</UserID><ChangeType>add_external_contact</ChangeType>` +
        `<Event>change_external_contact</Event><MsgType>event</MsgType><CreateTime>1700000000</CreateTime><FromUserName>sys</FromUserName><ToUserName>ww1</ToUserName><AgentID>9</AgentID></xml>`,
    );
    expect(describeInboundEvent(reordered).dedupeKey).toBe(first.dedupeKey);
  });

  it('tells apart two clicks on one card by their ResponseCode', () => {
    const click = (code: string) =>
      describeInboundEvent(
        parseCallbackFields(
          `<xml><FromUserName>zhangsan</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event>` +
            `<EventKey>done</EventKey><TaskId>r-1</TaskId><ResponseCode>${code}</ResponseCode></xml>`,
        ),
      );
    expect(click('A').kind).toBe('template_card_event');
    expect(click('A').dedupeKey).not.toBe(click('B').dedupeKey);
    expect(click('A').dedupeKey).toBe(click('A').dedupeKey);
  });
});
