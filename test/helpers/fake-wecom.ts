import nock from 'nock';

export const WECOM_HOST = 'https://qyapi.weixin.qq.com';

export interface WecomCall {
  api: string;
  body: Record<string, unknown>;
}

/**
 * WeCom's server API faked with nock (the only fake in the suite): a token, and the APIs the product
 * calls answering errcode 0 unless overridden. Every call is recorded for assertions.
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
        calls.push({ api, body: parsed });
        return answer(parsed);
      })
      .persist();
  }
  return calls;
}

/** The text of an app message as a salesperson would read it (card titles, rows, quotes; markdown; text). */
export function messageText(body: Record<string, unknown>): string {
  return JSON.stringify(body.template_card ?? body.markdown ?? body.text ?? body);
}
