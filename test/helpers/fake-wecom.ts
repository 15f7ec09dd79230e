import type { Trusted, WecomCall } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import { interceptWecom } from './fake-wecom.nock';
import { TEST_WECOM } from './test-env';

export type { WecomCall } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
export { WECOM_HOST } from './fake-wecom.nock';

/** What a test trusts the fake with: everything but the customers it reads (those the test sets up). */
export const TEST_TRUST: Trusted[] = ['members', 'codes', 'tags', 'chats', 'tokens'];

/**
 * The one fake WeCom (src/modules/sandbox/fake-wecom) with the tests' company: TEST_WECOM's corp,
 * secret and agent, nobody in the directory, no tags, teams or groups until a test adds them.
 */
export function testWecom(trust: Trusted[] = TEST_TRUST): FakeWecomWorld {
  const world = new FakeWecomWorld({
    corpId: TEST_WECOM.corpId,
    corpSecret: TEST_WECOM.secret,
    agentId: TEST_WECOM.agentId,
    staff: [],
    teams: [],
    tagGroups: [],
    trust,
    logCalls: true,
  });
  world.followUsers = [];
  return world;
}

/** The APIs a test that only watches the product's sends has answered (the others stay unfaked). */
const SENDING_APIS = ['message/send', 'externalcontact/mark_tag', 'externalcontact/send_welcome_msg', 'message/update_template_card'];

/**
 * The fake WeCom behind nock for a test that watches what the product sends: the sending APIs (and
 * `also`) answered as WeCom answers them — a refusal for content over its limits, errcode 0
 * otherwise, whoever the product writes to. Returns the sent log (a refused call with its errcode).
 */
export function fakeWecom(options: { also?: string[] } = {}): WecomCall[] {
  const world = testWecom([...TEST_TRUST, 'customers']);
  interceptWecom(world, { apis: [...SENDING_APIS, ...(options.also ?? [])] });
  return world.calls;
}

/** The text of an app message as a salesperson would read it (card titles, rows, quotes; markdown; text). */
export function messageText(body: Record<string, unknown>): string {
  return JSON.stringify(body.template_card ?? body.markdown ?? body.text ?? body);
}
