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
/**
 * nock hands a body that is not valid UTF-8 (an upload's PNG) as hex, any other as text: an upload
 * is read back into its bytes (a multipart body starts with its `--` delimiter: hex "2d2d").
 */
function uploadBody(multipart: boolean | undefined, body: unknown): string | Record<string, unknown> | Buffer {
  if (!multipart || typeof body !== 'string') return body as string | Record<string, unknown>;
  return body.startsWith('2d2d') && /^[0-9a-f]*$/.test(body) ? Buffer.from(body, 'hex') : Buffer.from(body, 'utf8');
}

export function interceptWecom(state: FakeWecomState, options: { apis?: readonly string[] } = {}): void {
  const wanted = options.apis ? new Set(['gettoken', ...options.apis]) : undefined;
  for (const route of FAKE_WECOM_ROUTES) {
    if (wanted && !wanted.has(route.api)) continue;
    nock(WECOM_HOST)
      .intercept(`/cgi-bin/${route.api}`, route.method)
      .query(true)
      .reply(async function (uri, body) {
        const query = Object.fromEntries(new URL(uri, WECOM_HOST).searchParams);
        const header = this.req.headers['content-type'];
        const contentType = Array.isArray(header) ? header[0] : header;
        const answer = await answerWecom(state, { method: route.method, api: route.api, query, body: uploadBody(route.multipart, body), contentType });
        return [answer.status, answer.body];
      })
      .persist();
  }
}
