import { randomBytes } from 'node:crypto';
import type { AreaRoute } from './area-route';
import type { FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/** Access tokens (gettoken): only for the fake's own corp and secret, valid 7200 s, checked on every other call. */

const TOKEN_TTL_S = 7200;

export function issueToken(state: FakeWecomState, corpid: string | undefined, corpsecret: string | undefined): { access_token: string; expires_in: number } {
  if (!corpid) throw new WecomFault(41002, 'corpid missing');
  if (corpid !== state.options.corpId) throw new WecomFault(40013, 'invalid corpid');
  if (!corpsecret) throw new WecomFault(41004, 'corpsecret missing');
  if (corpsecret !== state.options.corpSecret) throw new WecomFault(40001, 'invalid credential (corpsecret)');
  const token = `sandbox-${randomBytes(16).toString('hex')}`;
  state.tokens.set(token, state.now() + TOKEN_TTL_S * 1000);
  return { access_token: token, expires_in: TOKEN_TTL_S };
}

export function checkToken(state: FakeWecomState, token: string | undefined): void {
  if (!token) throw new WecomFault(41001, 'access_token missing');
  const expires = state.tokens.get(token);
  if (expires === undefined && state.trusts('tokens')) return;
  if (expires === undefined) throw new WecomFault(40014, 'invalid access_token');
  if (expires < state.now()) throw new WecomFault(42001, 'access_token expired');
}

export const authRoutes: AreaRoute[] = [
  { method: 'GET', api: 'gettoken', auth: false, handle: (state, { query }) => issueToken(state, query.corpid, query.corpsecret) },
];
