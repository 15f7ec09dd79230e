import nock from 'nock';
import { answerWecom, FAKE_WECOM_ROUTES } from '../../src/modules/sandbox/fake-wecom/fake-wecom.api';
import type { FakeWecomState } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';

export const WECOM_HOST = 'https://qyapi.weixin.qq.com';

/**
 * The nock adapter of the one fake WeCom: intercepts WeCom's API base (the one test-env gives the
 * product) and answers each call through the fake's areas, as the sandbox's routes do over HTTP.
 * `apis` limits what is intercepted (gettoken always is): an API left out stays unanswered, and
 * the no-network guard refuses the call, as for any host a test did not fake.
 */
export function interceptWecom(state: FakeWecomState, options: { apis?: readonly string[] } = {}): void {
  const wanted = options.apis ? new Set(['gettoken', ...options.apis]) : undefined;
  for (const route of FAKE_WECOM_ROUTES) {
    if (wanted && !wanted.has(route.api)) continue;
    nock(WECOM_HOST)
      .intercept(`/cgi-bin/${route.api}`, route.method)
      .query(true)
      .reply(async (uri, body) => {
        const query = Object.fromEntries(new URL(uri, WECOM_HOST).searchParams);
        const answer = await answerWecom(state, { method: route.method, api: route.api, query, body: body as string | Record<string, unknown> });
        return [answer.status, answer.body];
      })
      .persist();
  }
}
