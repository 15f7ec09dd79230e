import { answerWecom } from '../../src/modules/sandbox/fake-wecom/fake-wecom.api';
import type { Trusted } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';

/**
 * The one fake WeCom without a carrier (no Koa, no nock): what it trusts, what it logs, and its
 * failure injection, which the sandbox's routes, the tests' nock adapter and the fault suite share.
 */
describe('the fake WeCom', () => {
  const make = (trust: Trusted[] = []) =>
    new FakeWecomWorld({
      corpId: 'wwfake',
      corpSecret: 'secret',
      agentId: '1000002',
      staff: [{ userid: 'zhangsan', name: '张三' }],
      teams: [],
      trust,
      logCalls: true,
    });
  const call = async (world: FakeWecomWorld, api: string, body: Record<string, unknown> = {}, query: Record<string, string> = {}) => {
    const token = await answerWecom(world, { method: 'GET', api: 'gettoken', query: { corpid: 'wwfake', corpsecret: 'secret' } });
    const method = api.startsWith('user/get') || api === 'externalcontact/get' ? 'GET' : 'POST';
    const access_token = String((token.body as Record<string, unknown>).access_token);
    return answerWecom(world, { method, api, query: { access_token, ...query }, body: JSON.stringify(body) });
  };
  const text = (touser: string) => ({ touser, agentid: 1000002, msgtype: 'text', text: { content: '你好' } });

  it('delivers to members only, unless told to trust the userids a test did not set up', async () => {
    expect((await call(make(), 'message/send', text('stranger'))).body).toMatchObject({ errcode: 81013 });
    expect((await call(make(['members']), 'message/send', text('stranger'))).body).toMatchObject({ errcode: 0 });
    expect((await call(make(['members']), 'user/get', {}, { userid: 'stranger' })).body).toMatchObject({ errcode: 60111 });
  });

  it('logs every call but gettoken, a refused one with its errcode', async () => {
    const world = make();
    await call(world, 'message/send', text('zhangsan'));
    await call(world, 'message/send', { ...text('zhangsan'), text: { content: '长'.repeat(1000) } });
    expect(world.calls.map((c) => [c.api, c.errcode])).toEqual([
      ['message/send', undefined],
      ['message/send', 45002],
    ]);
  });

  it('answers an injected fault first: once, for matching calls, late, or as an HTTP failure', async () => {
    const world = make();
    world.faults.answer('message/send', { errcode: -1, errmsg: 'system busy' }, 1);
    expect((await call(world, 'message/send', text('zhangsan'))).body).toMatchObject({ errcode: -1 });
    expect((await call(world, 'message/send', text('zhangsan'))).body).toMatchObject({ errcode: 0 });

    world.faults.add({ apis: ['message/send'], when: (c) => c.body.touser === 'lisi', answer: { httpStatus: 502 } });
    expect((await call(world, 'message/send', text('lisi'))).status).toBe(502);
    expect((await call(world, 'message/send', text('zhangsan'))).status).toBe(200);

    world.faults.clear();
    world.faults.delay('message/send', 150);
    const started = Date.now();
    await call(world, 'message/send', text('zhangsan'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('an answer function that settles without an answer lets the fake answer as usual (a hang that recovers)', async () => {
    const world = make();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    world.faults.answer('message/send', () => held);
    const answer = call(world, 'message/send', text('zhangsan'));
    release();
    expect((await answer).body).toMatchObject({ errcode: 0 });
  });
});
