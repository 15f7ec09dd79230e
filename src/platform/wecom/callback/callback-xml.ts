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

/**
 * WeCom's payloads nest five deep at most (xml > SelectedItems > SelectedItem > OptionIds > OptionId);
 * the parser's own guard refuses deeper input before it costs anything.
 */
const MAX_DEPTH = 20;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: false,
  processEntities: true,
  ignoreDeclaration: true,
  maxNestedTags: MAX_DEPTH,
});

/**
 * WeCom never sends a DTD: one can only be an entity-expansion attack or a mistake. A DTD can only
 * stand before the root element, so only that part is looked at (a chat message may well contain
 * the text `<!DOCTYPE html>` inside its CDATA).
 */
const DTD = /<!(DOCTYPE|ENTITY)/i;
function hasDtd(xml: string): boolean {
  const root = xml.indexOf('<xml');
  return DTD.test(root < 0 ? xml : xml.slice(0, root));
}

/**
 * Every way the parser can refuse input (its validator's verdict, its depth guard, an exception
 * of its own) becomes a CallbackXmlError with a fixed message: a 400, never a 500 with a stack, and
 * nothing of the input is repeated in the message (it may be a decrypted payload).
 */
function parseXmlRoot(xml: string, what: string): CallbackFields {
  if (!xml.trimStart().startsWith('<')) throw new CallbackXmlError(`${what} is not XML`);
  if (hasDtd(xml)) throw new CallbackXmlError(`${what} has a DOCTYPE or ENTITY declaration`);
  let doc: Record<string, unknown>;
  try {
    if (XMLValidator.validate(xml) !== true) throw new CallbackXmlError(`${what} is not well-formed XML`);
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CallbackXmlError) throw error;
    throw new CallbackXmlError(`${what} could not be parsed (too deep or malformed)`);
  }
  const root = doc.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new CallbackXmlError(`${what} has no <xml> root element`);
  }
  return root as CallbackFields;
}

/** The decrypted message or event. */
export function parseCallbackFields(plaintext: string): CallbackFields {
  return parseXmlRoot(plaintext, 'decrypted payload');
}
