import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML of WeCom callbacks. Every value stays a string: `MsgId` exceeds 2^53 and ids such as `0010`
 * must not lose their zeros (STACK.md). Nested elements (SelectedItems, MemChangeList) are kept as
 * objects; repeated elements become arrays.
 */

export type CallbackFieldValue = string | CallbackFields | CallbackFieldValue[];
export interface CallbackFields {
  [name: string]: CallbackFieldValue;
}

export class CallbackXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackXmlError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: false,
  processEntities: true,
  ignoreDeclaration: true,
});

function parseXmlRoot(xml: string, what: string): CallbackFields {
  if (!xml.trimStart().startsWith('<') || XMLValidator.validate(xml) !== true) {
    throw new CallbackXmlError(`${what} is not well-formed XML`);
  }
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new CallbackXmlError(`${what} has no <xml> root element`);
  }
  return root as CallbackFields;
}

export interface CallbackEnvelope {
  encrypt: string;
  toUserName: string | undefined;
  agentId: string | undefined;
}

/** The outer POST body: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`, elements in any order. */
export function parseEnvelope(body: string): CallbackEnvelope {
  const root = parseXmlRoot(body, 'request body');
  const encrypt = root.Encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') {
    throw new CallbackXmlError('request body has no <Encrypt> element');
  }
  return {
    encrypt,
    toUserName: typeof root.ToUserName === 'string' ? root.ToUserName : undefined,
    agentId: typeof root.AgentID === 'string' ? root.AgentID : undefined,
  };
}

/** The decrypted message or event. */
export function parseCallbackFields(plaintext: string): CallbackFields {
  return parseXmlRoot(plaintext, 'decrypted payload');
}
