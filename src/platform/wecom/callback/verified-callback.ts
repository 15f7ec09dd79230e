import { INBOUND_PAYLOAD_MAX_BYTES } from '../../../../entities';
import { CallbackCryptoError, type CallbackKeys, openCallback, type SignedQuery } from './callback-crypto';
import { type CallbackFields, CallbackXmlError, parseCallbackFields } from './callback-xml';
import { describeInboundEvent, type InboundEventDescriptor } from './inbound-event';

/** A callback as WeCom sent it: the signed query and the ciphertext. Still encrypted, so safe to keep (the spool keeps this). */
export interface SealedCallback extends SignedQuery {
  encrypt: string;
}

export interface OpenedCallback {
  fields: CallbackFields;
  descriptor: InboundEventDescriptor;
}

/** Why a callback is refused, and the HTTP status that says so. Refusals are for good: a retry of the same bytes gets the same answer. */
export class CallbackRejected extends Error {
  constructor(
    readonly reason: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRejected';
  }
}

/**
 * Largest decrypted payload parsed, refused before the parser runs: WeCom's payloads are a few
 * hundred bytes (a text message carries at most 2,048), and this is what the ciphertext of the
 * default body limit (128 KB) decrypts to.
 */
export const MAX_PLAINTEXT_BYTES = 96 * 1024;

/**
 * Verify → decrypt → check the receiver → parse → check that it fits where it is stored. The webhook
 * runs this on every POST, and the spool drain again on what it kept during a database outage (so a
 * spool entry is trusted only as far as its signature).
 */
export function openVerifiedCallback(keys: CallbackKeys, sealed: SealedCallback): OpenedCallback {
  let plaintext: string;
  try {
    plaintext = openCallback(keys, sealed, sealed.encrypt);
  } catch (error) {
    if (!(error instanceof CallbackCryptoError)) throw error;
    throw new CallbackRejected(error.reason, error.reason === 'bad_signature' ? 401 : 400, error.message);
  }
  if (Buffer.byteLength(plaintext) > MAX_PLAINTEXT_BYTES) throw new CallbackRejected('payload_too_large', 413, 'decrypted payload too large');
  let fields: CallbackFields;
  try {
    fields = parseCallbackFields(plaintext);
  } catch (error) {
    if (error instanceof CallbackXmlError) throw new CallbackRejected('malformed_payload', 400, error.message);
    throw error;
  }
  // What the column holds is the JSON, not the XML: 33 KB of `"` is 66 KB once stored.
  if (Buffer.byteLength(JSON.stringify(fields)) > INBOUND_PAYLOAD_MAX_BYTES) {
    throw new CallbackRejected('payload_too_large', 413, `payload larger than the ${INBOUND_PAYLOAD_MAX_BYTES} bytes it may take stored`);
  }
  return { fields, descriptor: describeInboundEvent(fields) };
}
