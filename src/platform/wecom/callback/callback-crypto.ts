import { timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * WeCom callback security (PROTOCOL.md §1): SHA-1 signature over the sorted
 * [token, timestamp, nonce, ciphertext] and AES-256-CBC with the receive id appended to the plaintext.
 * `@wecom/crypto` does the cipher work; it checks neither the signature nor the receive id, and a wrong
 * key does not throw, so both checks live here.
 */

export type CallbackRejection = 'bad_signature' | 'undecryptable' | 'wrong_receiver';

export class CallbackCryptoError extends Error {
  constructor(
    readonly reason: CallbackRejection,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackCryptoError';
  }
}

export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export interface SignedQuery {
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

/** Constant-time signature check; a wrong length or non-hex signature is simply a mismatch. */
export function isValidSignature(token: string, query: SignedQuery, ciphertext: string): boolean {
  const expected = Buffer.from(getSignature(token, query.timestamp, query.nonce, ciphertext), 'utf8');
  const given = Buffer.from(query.msgSignature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Verifies the signature, decrypts, and requires the plaintext to be addressed to our corp. */
export function openCallback(keys: CallbackKeys, query: SignedQuery, ciphertext: string): string {
  if (!isValidSignature(keys.token, query, ciphertext)) {
    throw new CallbackCryptoError('bad_signature', 'msg_signature does not match');
  }
  let opened: { message: string; id: string };
  try {
    opened = decrypt(keys.encodingAesKey, ciphertext);
  } catch {
    throw new CallbackCryptoError('undecryptable', 'ciphertext cannot be decrypted');
  }
  if (opened.id !== keys.corpId) {
    throw new CallbackCryptoError('wrong_receiver', 'payload is not addressed to this corp');
  }
  return opened.message;
}

/** Encrypts and signs a plaintext the way WeCom does: used for passive replies, the sandbox and tests. */
export function sealCallback(
  keys: CallbackKeys,
  plaintext: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
  nonce = String(Math.floor(Math.random() * 1e10)),
): SignedQuery & { ciphertext: string } {
  const ciphertext = encrypt(keys.encodingAesKey, plaintext, keys.corpId);
  return { ciphertext, timestamp, nonce, msgSignature: getSignature(keys.token, timestamp, nonce, ciphertext) };
}
