import { CallbackXmlError } from './callback-xml';

/**
 * The outer POST body, `<xml><ToUserName/><Encrypt/><AgentID/></xml>` (PROTOCOL.md §1.3), read with
 * a few linear scans instead of an XML parser: until the signature over `Encrypt` is checked the body
 * is anyone's, and a parser is where hostile input gets expensive (10,000 nested tags, a DOCTYPE with
 * entities). Only `Encrypt` is read: `ToUserName` and `AgentID` are outside the signature, so nothing
 * they say can be trusted; the decrypted payload names its receiver (checked against the corp id).
 */

const OPEN = '<Encrypt>';
const CLOSE = '</Encrypt>';
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
/** WeCom's ciphertext is standard Base64 with padding (PROTOCOL.md §1.5). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** `<?xml version="1.0" encoding="utf-8"?>` may come first. */
const DECLARATION = /^<\?xml[^>]{0,200}\?>\s*/;

/** The ciphertext of the envelope, or a CallbackXmlError saying what is wrong with the body. */
export function extractEncrypt(body: string): string {
  const xml = body.trim().replace(DECLARATION, '');
  if (!(xml.startsWith('<xml>') || xml.startsWith('<xml ')) || !xml.endsWith('</xml>')) {
    throw new CallbackXmlError('request body is not an <xml> envelope');
  }
  const start = xml.indexOf(OPEN);
  if (start < 0) throw new CallbackXmlError('request body has no <Encrypt> element');
  if (xml.indexOf(OPEN, start + OPEN.length) >= 0) throw new CallbackXmlError('request body has more than one <Encrypt> element');
  const end = xml.indexOf(CLOSE, start);
  if (end < 0) throw new CallbackXmlError('request body has an unclosed <Encrypt> element');
  let value = xml.slice(start + OPEN.length, end).trim();
  if (value.startsWith(CDATA_OPEN) && value.endsWith(CDATA_CLOSE)) value = value.slice(CDATA_OPEN.length, -CDATA_CLOSE.length).trim();
  if (value === '') throw new CallbackXmlError('request body has an empty <Encrypt> element');
  if (!BASE64.test(value)) throw new CallbackXmlError('<Encrypt> is not Base64');
  return value;
}
