import { CallbackXmlError, parseCallbackFields, parseEnvelope } from '../../src/wecom/callback-xml';

describe('callback XML', () => {
  it('reads the envelope by name, in any order, with whitespace between elements', () => {
    const body = '<xml>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n  <AgentID><![CDATA[218]]></AgentID>\n <ToUserName><![CDATA[wx1]]></ToUserName></xml>';
    expect(parseEnvelope(body)).toEqual({ encrypt: 'abc+/=', toUserName: 'wx1', agentId: '218' });
  });

  it.each([
    ['not XML', '{"Encrypt":"abc"}'],
    ['no Encrypt', '<xml><ToUserName>wx1</ToUserName></xml>'],
    ['empty Encrypt', '<xml><Encrypt></Encrypt></xml>'],
    ['unclosed tags', '<xml><Encrypt>abc</xml>'],
    ['another root', '<other><Encrypt>abc</Encrypt></other>'],
    ['empty body', ''],
  ])('refuses %s', (_label, body) => {
    expect(() => parseEnvelope(body)).toThrow(CallbackXmlError);
  });

  it('keeps every value a string: 64-bit MsgId, leading zeros, numbers', () => {
    const fields = parseCallbackFields(
      '<xml><MsgId>4561255354251345929</MsgId><State>0010</State><CreateTime>1409659813</CreateTime><AgentID>218</AgentID></xml>',
    );
    expect(fields).toEqual({ MsgId: '4561255354251345929', State: '0010', CreateTime: '1409659813', AgentID: '218' });
  });

  it('keeps nested card-click selections as structured values', () => {
    const fields = parseCallbackFields(
      '<xml><Event><![CDATA[template_card_event]]></Event><SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey>' +
        '<OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>',
    );
    expect(fields.SelectedItems).toEqual({ SelectedItem: { QuestionKey: 'q1', OptionIds: { OptionId: ['o1', 'o2'] } } });
  });
});
