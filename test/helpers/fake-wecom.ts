import nock from 'nock';
import { checkWecomLimits } from '../../src/platform/wecom/limits/check-limits';

export const WECOM_HOST = 'https://qyapi.weixin.qq.com';

export interface WecomCall {
  api: string;
  body: Record<string, unknown>;
  /** set when the fake refused the call as WeCom would (e.g. 45002: content over WeCom's byte limit) */
  errcode?: number;
  errmsg?: string;
}

/**
 * Records a call and answers it as WeCom would: over a size limit, WeCom's refusal (nothing is
 * delivered); otherwise `answer`. Every fake of WeCom in the suite goes through this.
 */
export function answerLikeWecom<R extends Record<string, unknown> | Promise<Record<string, unknown>>>(
  calls: WecomCall[],
  api: string,
  body: Record<string, unknown>,
  answer: (body: Record<string, unknown>) => R,
): R | Record<string, unknown> {
  const fault = checkWecomLimits(api, body);
  if (fault) {
    calls.push({ api, body, ...fault });
    return { ...fault };
  }
  calls.push({ api, body });
  return answer(body);
}

/**
 * WeCom's server API faked with nock (the only fake in the suite): a token, and the APIs the product
 * calls answering errcode 0 unless overridden, or WeCom's refusal for content over its limits.
 * Every call is recorded for assertions (a refused one with its errcode).
 */
export function fakeWecom(overrides: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {}): WecomCall[] {
  const calls: WecomCall[] = [];
  nock(WECOM_HOST).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 0, errmsg: 'ok', access_token: 'TOKEN', expires_in: 7200 }).persist();
  const apis: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    'message/send': () => ({ errcode: 0, errmsg: 'ok', msgid: `msg-${calls.length}` }),
    'externalcontact/mark_tag': () => ({ errcode: 0, errmsg: 'ok' }),
    'externalcontact/send_welcome_msg': () => ({ errcode: 0, errmsg: 'ok' }),
    'message/update_template_card': () => ({ errcode: 0, errmsg: 'ok' }),
    ...overrides,
  };
  for (const [api, answer] of Object.entries(apis)) {
    nock(WECOM_HOST)
      .post(`/cgi-bin/${api}`)
      .query(true)
      .reply(200, (_uri, body) => {
        const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
        return answerLikeWecom(calls, api, parsed, answer);
      })
      .persist();
  }
  return calls;
}

/** The text of an app message as a salesperson would read it (card titles, rows, quotes; markdown; text). */
export function messageText(body: Record<string, unknown>): string {
  return JSON.stringify(body.template_card ?? body.markdown ?? body.text ?? body);
}
