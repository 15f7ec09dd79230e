import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { extractEncrypt } from '../../src/platform/wecom/callback/callback-envelope';
import { CallbackXmlError, parseCallbackFields } from '../../src/platform/wecom/callback/callback-xml';

describe('callback XML', () => {
  it('reads Encrypt from the envelope by name, in any order, with whitespace, CDATA or not, and a declaration', () => {
    const body = '<xml>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n  <AgentID><![CDATA[218]]></AgentID>\n <ToUserName><![CDATA[wx1]]></ToUserName></xml>';
    expect(extractEncrypt(body)).toBe('abc+/=');
    expect(extractEncrypt('<?xml version="1.0" encoding="utf-8"?>\n<xml><ToUserName>wx1</ToUserName><Encrypt>\n  QUJD\n</Encrypt></xml>\n')).toBe('QUJD');
  });

  it.each([
    ['not XML', '{"Encrypt":"abc"}'],
    ['no Encrypt', '<xml><ToUserName>wx1</ToUserName></xml>'],
    ['empty Encrypt', '<xml><Encrypt></Encrypt></xml>'],
    ['unclosed tags', '<xml><Encrypt>abc</xml>'],
    ['another root', '<other><Encrypt>abc</Encrypt></other>'],
    ['empty body', ''],
    ['two Encrypt elements', '<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>'],
    ['a ciphertext that is not Base64', '<xml><Encrypt><![CDATA[abc<def>]]></Encrypt></xml>'],
  ])('refuses an envelope with %s', (_label, body) => {
    expect(() => extractEncrypt(body)).toThrow(CallbackXmlError);
  });

  it('reads the envelope without an XML parser: 10,000 nested tags and a DOCTYPE cost a scan', () => {
    const validate = jest.spyOn(XMLValidator, 'validate');
    const parse = jest.spyOn(XMLParser.prototype, 'parse');
    try {
      const nested = `<xml>${'<a>'.repeat(10_000)}<Encrypt>QUJD</Encrypt>${'</a>'.repeat(10_000)}</xml>`;
      const doctype = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>';
      expect(extractEncrypt(nested)).toBe('QUJD');
      expect(() => extractEncrypt(doctype)).toThrow(CallbackXmlError);
      expect(validate).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      validate.mockRestore();
      parse.mockRestore();
    }
  });

  it.each([
    ['10,000 nested tags', `<xml>${'<a>'.repeat(10_000)}x${'</a>'.repeat(10_000)}</xml>`],
    ['a DOCTYPE with entities', '<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>'],
    ['a DOCTYPE without entities', '<!DOCTYPE xml><xml><Content>x</Content></xml>'],
    ['unclosed tags', '<xml><Content>x</xml>'],
  ])('refuses a payload with %s as a CallbackXmlError (a 400), never another error', (_label, xml) => {
    expect(() => parseCallbackFields(xml)).toThrow(CallbackXmlError);
  });

  it('keeps text that merely mentions a DOCTYPE (a pasted snippet) inside CDATA', () => {
    expect(parseCallbackFields('<xml><Content><![CDATA[<!DOCTYPE html> 报价单]]></Content></xml>')).toEqual({ Content: '<!DOCTYPE html> 报价单' });
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
