import { CallbackCryptoError, type CallbackKeys, openCallback, sealCallback } from '../callback/callback-crypto';
import type { CallbackFields } from '../callback/callback-xml';
import type { InboundEventDescriptor } from '../callback/inbound-event';
import { CallbackRejected, type SealedCallback } from '../callback/verified-callback';
import { type BotFrame, describeBotFrame } from './bot-frames';

/**
 * A bot frame kept in the callback spool while the database is down. The long connection hands
 * frames over in plaintext and WeCom does not deliver them again, so the spool is their only safe
 * place; it must hold no readable message body, so the frame is sealed the way WeCom seals a
 * callback (AES with the app's EncodingAESKey, signed with its Token) and the drain opens it the
 * same way, trusting it only as far as its signature.
 */
export function sealBotFrame(keys: CallbackKeys, frame: BotFrame): SealedCallback {
  const { ciphertext, ...query } = sealCallback(keys, JSON.stringify({ cmd: frame.cmd, headers: frame.headers, body: frame.body }));
  return { ...query, encrypt: ciphertext };
}

/** Verifies and decrypts a sealed frame back into what is stored of it; CallbackRejected when it no longer verifies. */
export function openSealedBotFrame(
  keys: CallbackKeys,
  sealed: SealedCallback,
  receivedAt: Date,
): { descriptor: InboundEventDescriptor; fields: CallbackFields } {
  let plaintext: string;
  try {
    plaintext = openCallback(keys, sealed, sealed.encrypt);
  } catch (error) {
    if (!(error instanceof CallbackCryptoError)) throw error;
    throw new CallbackRejected(error.reason, 400, error.message);
  }
  let frame: BotFrame;
  try {
    frame = JSON.parse(plaintext) as BotFrame;
  } catch {
    throw new CallbackRejected('malformed_payload', 400, 'a spooled bot frame is not JSON');
  }
  const described = describeBotFrame(frame, receivedAt);
  if (!described) throw new CallbackRejected('malformed_payload', 400, 'a spooled bot frame is neither a message nor an event');
  return { descriptor: described.descriptor, fields: described.fields as unknown as CallbackFields };
}
