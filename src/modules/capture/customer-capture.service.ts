import type { Staff } from '../../../entities';
import { describeFailure } from '../../platform/events/failure';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { GetExternalContactResponse } from '../../platform/wecom/api/wecom-api.types';
import { renderWelcome, type ChannelRules } from './channel-rules';
import type { ContactApi } from './contact-api.port';
import type { CorpTagDictionary } from './corp-tag-dictionary';
import type { CustomerCaptureStore } from './customer-capture.store';
import type { SopStarter } from './sop-starter.port';
import type { StaffDirectory } from './staff-directory';
import { within } from './within';

export interface CustomerCaptureDeps {
  store: CustomerCaptureStore;
  api: ContactApi;
  outbound: OutboundService;
  rules: ChannelRules;
  dictionary: CorpTagDictionary;
  /** staff names from WeCom's directory, read on first sight of a nameless member */
  staff: Pick<StaffDirectory, 'noticed'>;
  sops: SopStarter;
  logger: Logger;
}

/** One `change_external_contact` event, as the service reads it. */
export interface ContactChange {
  changeType: string;
  userId: string;
  externalUserid: string;
  state: string;
  welcomeCode: string;
  failReason: string;
  /** the event's dedupe key: audit rows, the welcome and alerts are once per event */
  dedupeKey: string;
  /** for the logs */
  eventId: number;
  /** our receipt of the event: the welcome code's 20 s count from here */
  receivedAt: Date;
  /** when it happened at WeCom */
  at: Date;
}

/** The welcome went first: the recording is to run later, with the customer when it was fetched already. */
export interface RecordLater {
  detail?: GetExternalContactResponse;
}

/** WeCom answers these when the customer no longer exists for us: not an error, nothing to store. */
const CUSTOMER_GONE = new Set([84061, 40096, 40098]);
/** WeCom's welcome window, counted from our receipt of the event (a little generous; WeCom has the final word). */
const WELCOME_WINDOW_MS = 20_000;
/** How long a welcome waits for the customer's name; a welcome without the name beats none. */
const WELCOME_FETCH_BUDGET_MS = 3000;
/** Kept for the send itself (pacing, one call) inside the window. */
const WELCOME_SEND_MARGIN_MS = 3000;
/**
 * How long a welcome waits, after the customer was fetched, for the name of a salesperson met for the
 * first time (user/get runs alongside externalcontact/get, so it is usually there already). Past
 * this the welcome goes without the name; the lookup finishes in the background for the next one.
 */
const STAFF_NAME_WAIT_MS = 1500;

/**
 * Customer capture: adds (the welcome, and the recording) and edits (ends: RelationEndService).
 * WeCom's current state (externalcontact/get) is the truth, never the event alone: a replayed add for
 * a customer who has since left, or an edit that overtook its add, both end in the same rows as the
 * in-order sequence would.
 */
export class CustomerCaptureService {
  private readonly store: CustomerCaptureStore;

  constructor(private readonly deps: CustomerCaptureDeps) {
    this.store = deps.store;
  }

  /** The salesperson of an event; one without a name yet is looked up in WeCom's directory, in the background (`learning`). */
  async noticeStaff(userId: string): Promise<{ staff: Staff; learning: Promise<unknown> | null }> {
    const staff = await this.store.ensureStaff(userId);
    return { staff, learning: this.deps.staff.noticed(staff) };
  }

  /**
   * An add with a WelcomeCode is done in two stages: the welcome at once (its code dies 20 s after
   * the add), and the recording deferred (RecordLater) behind the welcomes of the rest of a burst.
   * The code's 20 s come first: when WeCom cannot give us the customer within a few seconds (slow,
   * busy, failing), the welcome goes out without the name, and the recording (which needs the
   * customer) waits for its retries.
   */
  async added(change: ContactChange, staff: Staff, learning: Promise<unknown> | null): Promise<RecordLater | undefined> {
    if (!change.welcomeCode) return this.record(change, await this.fetch(change.externalUserid));
    const fetching = this.fetch(change.externalUserid, { forWelcome: true });
    const budgetMs = Math.min(WELCOME_FETCH_BUDGET_MS, change.receivedAt.getTime() + WELCOME_WINDOW_MS - WELCOME_SEND_MARGIN_MS - Date.now());
    const fetched = await within(fetching, budgetMs);
    if (fetched.state === 'value') {
      const detail = fetched.value;
      const follow = detail?.follow_user.find((f) => f.userid.toLowerCase() === change.userId.toLowerCase());
      const match = this.deps.rules.match(change.state || follow?.state || null);
      // gone, or deleted again already: nobody to welcome
      if (!detail || !follow || !match.welcome) return this.record(change, detail);
      if (!(await this.sendWelcome(change, match.welcome, detail.external_contact.name, staff, learning))) return this.record(change, detail);
      return { detail };
    }
    const match = this.deps.rules.match(change.state || null);
    if (!match.welcome) return this.record(change, await fetching); // nothing to hurry for
    const why = fetched.state === 'error' ? describeFailure(fetched.error) : `no answer within ${Math.max(0, budgetMs)} ms`;
    this.deps.logger.warn({ eventId: change.eventId, why }, 'customer not fetched in time: the welcome goes without the name');
    if (!(await this.sendWelcome(change, match.welcome, null, staff, learning))) return this.record(change, await fetching);
    // The later stage fetches the customer again (and backs off while WeCom is sick).
    return {};
  }

  /**
   * The second stage of an add whose welcome went first: records the customer with what the first
   * stage fetched (`carry`), or fetches again when the job was re-created without it.
   */
  async recordLater(change: ContactChange, carry: unknown): Promise<void> {
    const detail = isContactDetail(carry) ? carry : await this.fetch(change.externalUserid);
    await this.record(change, detail);
  }

  /** false when the welcome renders empty (nothing is sent). */
  private async sendWelcome(
    change: ContactChange,
    template: string,
    customerName: string | null,
    staff: Staff,
    learning: Promise<unknown> | null,
  ): Promise<boolean> {
    const staffName = staff.name ?? (learning ? await this.nameLearnedWithin(staff.userid, learning, change) : null);
    // A name not known leaves out the clause that needed it (「您好王磊，很高兴为您服务！」); an empty welcome is not sent.
    const welcome = renderWelcome(template, { name: customerName, staff: staffName });
    if (!welcome) return false;
    await this.deps.outbound.sendNow({
      channel: 'welcome',
      welcomeCode: change.welcomeCode,
      externalUserid: change.externalUserid,
      text: { content: welcome },
      expiresAt: new Date(change.receivedAt.getTime() + WELCOME_WINDOW_MS),
      idempotencyKey: `welcome:${change.dedupeKey}`,
    });
    return true;
  }

  private async record(change: ContactChange, detail: GetExternalContactResponse | null): Promise<undefined> {
    const follow = detail?.follow_user.find((f) => f.userid.toLowerCase() === change.userId.toLowerCase());
    if (!detail || !follow) {
      // Deleted again before we got here (or a replay of an old add): nothing follows now, nothing to welcome.
      await this.store.auditOnce(change.dedupeKey, 'customer.add.stale', change.externalUserid, { userid: change.userId });
      return;
    }
    const userid = change.userId.toLowerCase();
    const state = change.state || follow.state || null;
    const match = this.deps.rules.match(state);

    // Corp tags the rule needs are created (rarely) before the transaction: a WeCom call must not hold it open.
    const ruleTags = match.rule && match.rule.tags.length > 0 ? await this.deps.dictionary.ensure(match.rule.tags) : [];
    const { customer, also: scheduleSteps } = await this.store.recordAdd(
      change.dedupeKey,
      {
        detail,
        follow,
        ruleTags,
        stage: match.stage ?? null,
        auditDetail: (created) => ({
          userid,
          state,
          rule: match.rule?.name ?? null,
          ruleTagIds: ruleTags.map((t) => t.id),
          newCustomer: created,
          half: change.changeType === 'add_half_external_contact',
          // the stage a channel rule gives a new customer (an audited stage change, by the system)
          ...(created && match.stage ? { ruleStage: match.stage } : {}),
        }),
      },
      // The SOPs a new relation (or the rule) starts are planned in the same transaction; a retry of
      // an add committed before plans again (it finds what it planned) and schedules what is pending.
      (m, recorded) =>
        recorded.relationCreated || recorded.recordedBefore || match.rule?.sops.length
          ? this.deps.sops.planOnCustomerAdded(m, {
              customerId: recorded.customer.id,
              staffUserid: userid,
              state,
              sopNames: match.rule?.sops ?? [],
              sourceKey: change.dedupeKey,
              newCustomer: recorded.customerCreated,
            })
          : Promise.resolve(null),
    );

    // mark_tag is idempotent on WeCom's side (marking a tag twice keeps one), so a retry may repeat it.
    const corpIds = ruleTags.filter((t) => t.origin === 'wecom' && t.wecomTagId).map((t) => t.wecomTagId!);
    if (corpIds.length > 0) await this.deps.api.markTag({ userid: follow.userid, external_userid: customer.externalUserid!, add_tag: corpIds });
    if (scheduleSteps) await scheduleSteps();
  }

  /** An edit that overtook its add creates the relation (without the welcome: that is the add's job). */
  async edited(change: ContactChange): Promise<void> {
    const detail = await this.fetch(change.externalUserid);
    if (!detail) return;
    const follow = detail.follow_user.find((f) => f.userid.toLowerCase() === change.userId.toLowerCase());
    await this.store.recordEdit(change.dedupeKey, detail, follow, change.userId.toLowerCase());
  }

  /** externalcontact/get with every page of follow users (a customer with > 500 followers pages). */
  private async fetch(externalUserid: string, options: { forWelcome?: boolean } = {}): Promise<GetExternalContactResponse | null> {
    try {
      let page = await this.deps.api.getExternalContact(externalUserid, undefined, options);
      const follow = [...(page.follow_user ?? [])];
      while (page.next_cursor) {
        page = await this.deps.api.getExternalContact(externalUserid, page.next_cursor, options);
        follow.push(...(page.follow_user ?? []));
      }
      return { ...page, follow_user: follow };
    } catch (error) {
      if (error instanceof WecomApiError && error.errcode !== null && CUSTOMER_GONE.has(error.errcode)) return null;
      throw error;
    }
  }

  /** The name of a salesperson being looked up, if the lookup ends in time for the welcome (else null). */
  private async nameLearnedWithin(userid: string, learning: Promise<unknown>, change: ContactChange): Promise<string | null> {
    const left = change.receivedAt.getTime() + WELCOME_WINDOW_MS - 5000 - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, Math.min(STAFF_NAME_WAIT_MS, left)))));
    const outcome = await Promise.race([learning, timeout]).finally(() => clearTimeout(timer));
    if (outcome === 'late') return null;
    return this.store.staffName(userid);
  }
}

/** A carry from the first stage, checked: job data comes back from Redis, shaped by whoever wrote it. */
function isContactDetail(value: unknown): value is GetExternalContactResponse {
  const v = value as GetExternalContactResponse | undefined;
  return typeof v?.external_contact?.external_userid === 'string' && Array.isArray(v.follow_user);
}
