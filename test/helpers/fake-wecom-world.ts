import type { CorpTagGroup, FollowUser, GroupChatGetResponse } from '../../src/platform/wecom/api/wecom-api.types';
import type { FakeMember, SandboxCustomer, WecomCall } from '../../src/modules/sandbox/fake-wecom/fake-wecom.state';
import type { FakeWecomWorld as Fake } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import { testWecom } from './fake-wecom';
import { interceptWecom } from './fake-wecom.nock';

export type FakeCustomer = SandboxCustomer;

/** The APIs the product reads and writes in these tests; others stay unfaked (the no-network guard refuses them). */
const WORLD_APIS = [
  'externalcontact/get',
  'externalcontact/get_follow_user_list',
  'user/get',
  'user/list_id',
  'message/send',
  'webhook/send',
  'appchat/send',
  'message/update_template_card',
  'externalcontact/send_welcome_msg',
  'externalcontact/mark_tag',
  'externalcontact/get_corp_tag_list',
  'externalcontact/add_corp_tag',
  'externalcontact/groupchat/get',
  'externalcontact/groupchat/list',
  'externalcontact/batch/get_by_user',
  'externalcontact/add_contact_way',
];

/**
 * Set-up presets over the one fake WeCom (behind nock) for tests that give it customers, members,
 * tags and groups: tests change the company here, make WeCom misbehave through `faults`, send
 * callbacks, and read the sent log (`calls`, `callsTo`).
 */
export class FakeWecomWorld {
  readonly fake: Fake = testWecom();

  install(): this {
    interceptWecom(this.fake, { apis: WORLD_APIS });
    return this;
  }

  get calls(): WecomCall[] {
    return this.fake.calls;
  }

  get faults(): Fake['faults'] {
    return this.fake.faults;
  }

  /** WeCom may answer fewer rows than asked for: the client must follow next_cursor */
  get pageSizes(): Fake['pageSizes'] {
    return this.fake.pageSizes;
  }

  get customers(): Map<string, FakeCustomer> {
    return this.fake.customers;
  }

  get groups(): Map<string, GroupChatGetResponse['group_chat']> {
    return this.fake.groupChats;
  }

  get tagGroups(): CorpTagGroup[] {
    return this.fake.tagGroups;
  }

  set tagGroups(groups: CorpTagGroup[]) {
    this.fake.tagGroups = groups;
  }

  /** members with customer-contact rights (get_follow_user_list) */
  get followUsers(): string[] {
    return this.fake.followUsers ?? [];
  }

  set followUsers(userids: string[]) {
    this.fake.followUsers = userids;
  }

  /** A member in the app's visible range (通讯录): user/list_id lists them, user/get reads them, anyone else is 60111. */
  addMember(userid: string, name: string, extra: Partial<FakeMember> = {}): FakeMember {
    const member = { userid, name, department: [1], status: 1, ...extra };
    this.fake.staff = [...this.fake.staff.filter((m) => m.userid.toLowerCase() !== userid.toLowerCase()), member];
    return member;
  }

  addCustomer(externalUserid: string, name: string, follows: Array<Partial<FollowUser> & { userid: string }>): FakeCustomer {
    const customer: FakeCustomer = {
      external_contact: { external_userid: externalUserid, name, type: 1, gender: 1, avatar: `https://avatar/${externalUserid}` },
      follow_user: follows.map((f) => ({ createtime: Math.floor(Date.now() / 1000), tags: [], ...f })),
    };
    this.fake.customers.set(externalUserid, customer);
    return customer;
  }

  /** A salesperson removes corp tags in the WeCom client (no API call: WeCom then sends edit_external_contact). */
  untagInClient(externalUserid: string, userid: string, tagIds: string[]): void {
    const f = this.fake.customers.get(externalUserid)?.follow_user.find((x) => x.userid.toLowerCase() === userid.toLowerCase());
    if (!f) throw new Error(`${userid} does not follow ${externalUserid}`);
    f.tags = (f.tags ?? []).filter((t) => !tagIds.includes(t.tag_id ?? ''));
  }

  callsTo(api: string): WecomCall[] {
    return this.fake.calls.filter((c) => c.api === api);
  }
}
