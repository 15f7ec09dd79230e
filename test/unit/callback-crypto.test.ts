import { getSignature } from '@wecom/crypto';
import { CallbackCryptoError, isValidSignature, openCallback, sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import vectors from '../fixtures/wecom-test-vectors.json';

const keysOf = (v: (typeof vectors)[number]) => ({ token: v.token, encodingAesKey: v.key, corpId: v.receiveid });
const queryOf = (v: (typeof vectors)[number]) => ({ msgSignature: v.msg_signature, timestamp: v.timestamp, nonce: v.nonce });

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('callback crypto against the official WeCom vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s verifies and decrypts to the published plaintext', (_name, v) => {
    expect(openCallback(keysOf(v), queryOf(v), v.encrypt)).toBe(v.expected_plaintext);
  });

  it('accepts an upper-case signature (hex case is not part of the secret)', () => {
    const v = vectors[0]!;
    expect(isValidSignature(v.token, { ...queryOf(v), msgSignature: v.msg_signature.toUpperCase() }, v.encrypt)).toBe(true);
  });

  it('rejects a wrong token, a tampered ciphertext and a short signature as bad signatures', () => {
    const v = vectors[1]!;
    expect(rejection(() => openCallback({ ...keysOf(v), token: 'WRONG1' }, queryOf(v), v.encrypt))).toBe('bad_signature');
    expect(rejection(() => openCallback(keysOf(v), queryOf(v), `A${v.encrypt.slice(1)}`))).toBe('bad_signature');
    expect(rejection(() => openCallback(keysOf(v), { ...queryOf(v), msgSignature: 'abc' }, v.encrypt))).toBe('bad_signature');
  });

  it('rejects a correctly signed payload for another corp', () => {
    const other = { token: 'QDG6eK', encodingAesKey: vectors[0]!.key, corpId: 'wwANOTHERCORP' };
    const sealed = sealCallback(other, '<xml><MsgType>text</MsgType></xml>');
    const ours = { ...other, corpId: vectors[0]!.receiveid };
    expect(rejection(() => openCallback(ours, sealed, sealed.ciphertext))).toBe('wrong_receiver');
  });

  it('rejects a payload encrypted with another key (the library returns garbage rather than throwing)', () => {
    const ours = keysOf(vectors[0]!);
    const sealed = sealCallback({ ...ours, encodingAesKey: 'a'.repeat(43) }, '<xml/>');
    expect(['wrong_receiver', 'undecryptable']).toContain(rejection(() => openCallback(ours, sealed, sealed.ciphertext)));
  });

  it('rejects a truncated ciphertext that is correctly signed as undecryptable', () => {
    const keys = keysOf(vectors[1]!);
    const truncated = vectors[1]!.encrypt.slice(0, 50);
    const query = { timestamp: '1', nonce: '2', msgSignature: getSignature(keys.token, '1', '2', truncated) };
    expect(rejection(() => openCallback(keys, query, truncated))).toBe('undecryptable');
  });

  it('round-trips Chinese text through seal and open', () => {
    const keys = keysOf(vectors[0]!);
    const sealed = sealCallback(keys, '<xml><Content>记录跟进 张三 你好😀</Content></xml>');
    expect(openCallback(keys, sealed, sealed.ciphertext)).toBe('<xml><Content>记录跟进 张三 你好😀</Content></xml>');
  });
});
