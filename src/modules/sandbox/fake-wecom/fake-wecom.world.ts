import type * as T from '../../../platform/wecom/api/wecom-api.types';
import { click, recordTyped, unclick } from './app-messages.area';
import { addCustomer, customer, removeFollowUser } from './customers.area';
import { renameMember } from './directory.area';
import { type ChatItem, type FakeLeaver, type FakeTransfer, FakeWecomState, type FakeMember, type SandboxCustomer } from './fake-wecom.state';
import { leaveCompany, refuseTransfer, settleDueTransfers } from './handover.area';
import { addCorpTag, markTag } from './tags.area';

/**
 * The sandbox's pretend WeCom: the one state (fake-wecom.state.ts), answered over HTTP by the areas
 * (fake-wecom.api.ts), and changed here the way people change WeCom — a customer scans a channel
 * code or deletes a salesperson, an admin renames a member or tags a customer in the console, a
 * salesperson types to the app or clicks a card. The simulator and the tests drive these.
 */
export class FakeWecomWorld extends FakeWecomState {
  /** A customer as externalcontact/get answers for them (84061 for one nobody here follows). */
  customer(externalUserid: string | undefined): SandboxCustomer {
    return customer(this, externalUserid);
  }

  addCustomer(input: { userid: string; state?: string; name?: string }): { customer: SandboxCustomer; welcomeCode: string } {
    return addCustomer(this, input);
  }

  removeFollowUser(externalUserid: string, userid: string, by: 'customer' | 'staff' = 'customer'): SandboxCustomer {
    return removeFollowUser(this, externalUserid, userid, by);
  }

  renameMember(userid: string, name: string): FakeMember {
    return renameMember(this, userid, name);
  }

  /** A member leaves the company (离职): gone from the directory, their customers unassigned. */
  leave(userid: string): FakeLeaver {
    return leaveCompany(this, userid);
  }

  /** The customer refuses the transfer waiting for them. */
  refuseTransfer(externalUserid: string): FakeTransfer {
    return refuseTransfer(this, externalUserid);
  }

  /** The 24 hours are up for every waiting transfer (`all`), or for those due by now. */
  settleTransfers(options: { all?: boolean } = {}): number {
    return settleDueTransfers(this, options);
  }

  markTag(request: T.MarkTagRequest, by: 'api' | 'console' = 'api'): void {
    markTag(this, request, by);
  }

  addCorpTag(request: T.AddCorpTagRequest): T.CorpTagGroup {
    return addCorpTag(this, request);
  }

  recordTyped(userid: string, text: string): ChatItem {
    return recordTyped(this, userid, text);
  }

  click(seq: number, userid: string, key: string, selection: Record<string, string[]> = {}): ReturnType<typeof click> {
    return click(this, seq, userid, key, selection);
  }

  unclick(seq: number): void {
    unclick(this, seq);
  }
}
