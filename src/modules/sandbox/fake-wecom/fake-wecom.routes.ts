import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { answerWecom, FAKE_WECOM_ROUTES } from './fake-wecom.api';
import type { FakeWecomState } from './fake-wecom.state';

export const FAKE_WECOM_PATH = '/sandbox/cgi-bin';

/** The fake WeCom over HTTP, at the path WECOM_API_BASE points to in sandbox mode (the fault suite mounts it on its own server). */
export function fakeWecomRouter(state: FakeWecomState, prefix = FAKE_WECOM_PATH): Router {
  const router = new Router({ prefix });
  for (const route of FAKE_WECOM_ROUTES) {
    router.register(`/${route.api}`, [route.method], async (ctx: Context) => {
      // An upload is bytes (WeCom takes files up to 20 MB); everything else is JSON text.
      const body =
        route.method !== 'POST'
          ? undefined
          : route.multipart
            ? await getRawBody(ctx.req, { limit: '21mb' })
            : await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
      const answer = await answerWecom(state, {
        method: route.method,
        api: route.api,
        query: ctx.query as Record<string, string | undefined>,
        body,
        contentType: ctx.get('content-type'),
      });
      ctx.status = answer.status;
      ctx.type = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
      ctx.body = answer.body;
    });
  }
  // Anything else is an API the sandbox does not play: say so in WeCom's shape rather than a bare 404 page.
  router.all('/{*rest}', (ctx) => {
    ctx.status = 404;
    ctx.body = { errcode: 404, errmsg: `the sandbox does not fake ${ctx.method} ${ctx.path}` };
  });
  return router;
}
