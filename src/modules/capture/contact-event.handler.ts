import type { DataSource, EntityManager } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { AuditLog, Customer, CustomerRelation, CustomerTag, Staff, type RelationStatus } from '../../../entities';
import type { InboundEvent } from '../../../entities';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { audit } from '../../platform/db/audit';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { GetExternalContactResponse } from '../../platform/wecom/api/wecom-api.types';
import { defer, type Deferred } from '../../platform/events/event-handler.registry';
import { describeFailure } from '../../platform/events/failure';
import type { CaptureAlerts } from './capture-alerts';
import { renderWelcome, type ChannelRules } from './channel-rules';
import type { CorpTagDictionary } from './corp-tag-dictionary';
import { syncCorpTags, tagRefsOf, upsertActiveRelation, upsertCustomer } from './customer-profile.store';
import type { SopStarter } from './sop-starter.port';
import type { StaffDirectory } from './staff-directory';

export interface ContactEventDeps {
  dataSource: DataSource;
  api: Pick<WecomApiClient, 'getExternalContact' | 'markTag'>;
  outbound: OutboundService;
  rules: ChannelRules;
  dictionary: CorpTagDictionary;
  alerts: CaptureAlerts;
  /** staff names from WeCom's directory, read on first sight of a nameless member */
  staff: Pick<StaffDirectory, 'noticed'>;
  sops: SopStarter;
  logger: Logger;
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
 * `change_external_contact`, every change type. WeCom's current state (externalcontact/get) is the
 * truth, never the event alone: a replayed add for a customer who has since left, or an edit that
 * overtook its add, both end in the same rows as the in-order sequence would.
 */
export class ContactEventHandler {
  constructor(private readonly deps: ContactEventDeps) {}

  async handle(event: InboundEvent): Promise<void | Deferred> {
    const p = fields(event);
    if (!p.userId || !p.externalUserid) {
      this.deps.logger.warn({ dedupeKey: event.dedupeKey, changeType: p.changeType }, 'change_external_contact without UserID or ExternalUserID: ignored');
      return;
    }
    const staff = await this.ensureStaff(p.userId);
    // A salesperson without a name yet: WeCom's directory is asked now, in the background.
    const learning = this.deps.staff.noticed(staff);
    if (p.changeType === 'add_external_contact' || p.changeType === 'add_half_external_contact') return this.added(event, p, staff, learning);
    // Nothing else races a 20 s window: alerts wait for the name.
    if (learning) await learning;
    switch (p.changeType) {
      case 'edit_external_contact':
        return this.edited(event, p);
      case 'del_external_contact':
        return this.ended(
          event,
          p,
          p.source === 'DELETE_BY_TRANSFER' ? 'transferred' : 'removed',
          p.source === 'DELETE_BY_TRANSFER' ? 'transferred_to_colleague' : 'deleted_by_staff',
        );
      case 'del_follow_user':
        return this.ended(event, p, 'lost', 'customer_deleted_staff');
      case 'transfer_fail':
        return this.transferFailed(event, p);
      default:
        this.deps.logger.info({ changeType: p.changeType }, 'unknown change_external_contact type: ignored');
    }
  }

  /**
   * The second stage of an add whose welcome went first: records the customer with what the first
   * stage fetched (`carry`), or fetches again when the job was re-created without it.
   */
  async handleLater(event: InboundEvent, carry: unknown): Promise<void> {
    const p = fields(event);
    const detail = isContactDetail(carry) ? carry : await this.fetch(p.externalUserid);
    await this.record(event, p, detail);
  }

  /**
   * An add with a WelcomeCode is done in two stages: the welcome at once (its code dies 20 s after
   * the add), and the recording deferred behind the welcomes of the rest of a burst. The code's 20 s
   * come first: when WeCom cannot give us the customer within a few seconds (slow, busy, failing),
   * the welcome goes out without the name, and the recording (which needs the customer) waits for
   * its retries.
   */
  private async added(event: InboundEvent, p: EventFields, staff: Staff, learning: Promise<unknown> | null): Promise<void | Deferred> {
    if (!p.welcomeCode) return this.record(event, p, await this.fetch(p.externalUserid));
    const fetching = this.fetch(p.externalUserid);
    const budgetMs = Math.min(WELCOME_FETCH_BUDGET_MS, event.createdAt.getTime() + WELCOME_WINDOW_MS - WELCOME_SEND_MARGIN_MS - Date.now());
    const fetched = await within(fetching, budgetMs);
    if (fetched.state === 'value') {
      const detail = fetched.value;
      const follow = detail?.follow_user.find((f) => f.userid.toLowerCase() === p.userId.toLowerCase());
      const match = this.deps.rules.match(p.state || follow?.state || null);
      // gone, or deleted again already: nobody to welcome
      if (!detail || !follow || !match.welcome) return this.record(event, p, detail);
      if (!(await this.sendWelcome(event, p, match.welcome, detail.external_contact.name, staff, learning))) return this.record(event, p, detail);
      return defer(detail);
    }
    const match = this.deps.rules.match(p.state || null);
    if (!match.welcome) return this.record(event, p, await fetching); // nothing to hurry for
    const why = fetched.state === 'error' ? describeFailure(fetched.error) : `no answer within ${Math.max(0, budgetMs)} ms`;
    this.deps.logger.warn({ eventId: event.id, why }, 'customer not fetched in time: the welcome goes without the name');
    if (!(await this.sendWelcome(event, p, match.welcome, null, staff, learning))) return this.record(event, p, await fetching);
    // The later stage fetches the customer again (and backs off while WeCom is sick).
    return defer();
  }

  /** false when the welcome renders empty (nothing is sent). */
  private async sendWelcome(
    event: InboundEvent,
    p: EventFields,
    template: string,
    customerName: string | null,
    staff: Staff,
    learning: Promise<unknown> | null,
  ): Promise<boolean> {
    const staffName = staff.name ?? (learning ? await this.nameLearnedWithin(staff.userid, learning, event) : null);
    // A name not known leaves out the clause that needed it (「您好王磊，很高兴为您服务！」); an empty welcome is not sent.
    const welcome = renderWelcome(template, { name: customerName, staff: staffName });
    if (!welcome) return false;
    await this.deps.outbound.sendNow({
      channel: 'welcome',
      welcomeCode: p.welcomeCode,
      externalUserid: p.externalUserid,
      text: { content: welcome },
      expiresAt: new Date(event.createdAt.getTime() + WELCOME_WINDOW_MS),
      idempotencyKey: `welcome:${event.dedupeKey}`,
    });
    return true;
  }

  private async record(event: InboundEvent, p: EventFields, detail: GetExternalContactResponse | null): Promise<void> {
    const follow = detail?.follow_user.find((f) => f.userid.toLowerCase() === p.userId.toLowerCase());
    if (!detail || !follow) {
      // Deleted again before we got here (or a replay of an old add): nothing follows now, nothing to welcome.
      await this.auditOnce(event, 'customer.add.stale', p.externalUserid, { userid: p.userId });
      return;
    }
    const state = p.state || follow.state || null;
    const match = this.deps.rules.match(state);

    // Corp tags the rule needs are created (rarely) before the transaction: a WeCom call must not hold it open.
    const ruleTags = match.rule && match.rule.tags.length > 0 ? await this.deps.dictionary.ensure(match.rule.tags) : [];

    // One transaction (one commit) for the profile, relation, tags and audit: a burst is bound by commits.
    const { customer, relationCreated } = await this.deps.dataSource.transaction(async (m) => {
      const { customer, created } = await upsertCustomer(m, detail.external_contact);
      const relation = await upsertActiveRelation(m, customer.id, follow);
      await syncCorpTags(m, customer.id, tagRefsOf(detail.follow_user));
      if (ruleTags.length > 0) {
        await insertIgnore(
          m.getRepository(CustomerTag),
          ruleTags.map((t) => ({ customerId: customer.id, tagId: t.id, source: 'rule' as const, addedBy: 'system' })),
        );
      }
      const ruleStage = created && match.stage && customer.stage !== match.stage ? match.stage : null;
      if (ruleStage) await m.getRepository(Customer).update({ id: customer.id }, { stage: ruleStage, stageChangedAt: new Date() });
      await this.auditOnce(
        event,
        'customer.add',
        customer.id,
        {
          userid: p.userId.toLowerCase(),
          state,
          rule: match.rule?.name ?? null,
          ruleTagIds: ruleTags.map((t) => t.id),
          // the stage the channel rule set (an audited stage change like 改阶段's, by the system)
          ...(ruleStage ? { ruleStage } : {}),
          newCustomer: created,
          half: p.changeType === 'add_half_external_contact',
        },
        m,
      );
      return { customer, relationCreated: relation.created };
    });

    // mark_tag is idempotent on WeCom's side (marking a tag twice keeps one), so a retry may repeat it.
    const corpIds = ruleTags.filter((t) => t.origin === 'wecom' && t.wecomTagId).map((t) => t.wecomTagId!);
    if (corpIds.length > 0) await this.deps.api.markTag({ userid: follow.userid, external_userid: customer.externalUserid!, add_tag: corpIds });
    if (relationCreated || match.rule?.sops.length) {
      await this.deps.sops.onCustomerAdded({
        customerId: customer.id,
        staffUserid: p.userId.toLowerCase(),
        state,
        sopNames: match.rule?.sops ?? [],
        sourceKey: event.dedupeKey,
      });
    }
  }

  private async edited(event: InboundEvent, p: EventFields): Promise<void> {
    const detail = await this.fetch(p.externalUserid);
    if (!detail) return;
    const follow = detail.follow_user.find((f) => f.userid.toLowerCase() === p.userId.toLowerCase());
    await this.deps.dataSource.transaction(async (m) => {
      const { customer } = await upsertCustomer(m, detail.external_contact);
      // An edit that overtook its add creates the relation (without the welcome: that is the add's job).
      if (follow) await upsertActiveRelation(m, customer.id, follow);
      const { added, removed, removedTagIds } = await syncCorpTags(m, customer.id, tagRefsOf(detail.follow_user));
      await this.auditOnce(event, 'customer.edit', customer.id, { userid: p.userId.toLowerCase(), added, removed, removedTagIds }, m);
    });
  }

  private async ended(event: InboundEvent, p: EventFields, status: Exclude<RelationStatus, 'active'>, reason: string): Promise<void> {
    const at = eventTime(event);
    const customer = await this.deps.dataSource.getRepository(Customer).findOneBy({ externalUserid: p.externalUserid });
    const relation = customer
      ? await this.deps.dataSource.getRepository(CustomerRelation).findOneBy({ customerId: customer.id, staffUserid: p.userId.toLowerCase() })
      : null;
    if (relation?.addedAt && relation.addedAt.getTime() > at.getTime() + 1000) {
      // Re-added after this delete happened: a replay of the old delete must not end the new relation.
      await this.auditOnce(event, 'relation.end.stale', relation.id, { status });
      return;
    }
    if (customer && relation && relation.status === 'active') {
      await this.deps.dataSource.transaction(async (m) => {
        await m.getRepository(CustomerRelation).update({ id: relation.id, status: 'active' }, { status, endedAt: at, endReason: reason });
        await this.auditOnce(event, `relation.${status}`, customer.id, { userid: p.userId.toLowerCase(), reason }, m);
      });
    } else if (!relation) {
      await this.auditOnce(event, `relation.${status}.unknown`, p.externalUserid, { userid: p.userId.toLowerCase() });
    }
    if (status === 'transferred') return; // 在职继承: the colleague's add event follows; nobody lost anyone
    // 删人提醒 / 客户流失: sent for unknown customers too (the salesperson still lost someone); keys make it once.
    const { staff } = await this.deps.alerts.staff(p.userId);
    const current = relation ? await this.deps.dataSource.getRepository(CustomerRelation).findOneByOrFail({ id: relation.id }) : null;
    const alert = {
      customerName: current?.remark || customer?.name || p.externalUserid,
      externalUserid: p.externalUserid,
      staffName: staff?.name ?? p.userId,
      staffUserid: p.userId.toLowerCase(),
      wecomUserid: p.userId,
      at: this.deps.alerts.formatTime(at),
      addedAt: current?.addedAt ? this.deps.alerts.formatTime(current.addedAt) : undefined,
      channel: this.deps.rules.label(current?.state),
    };
    if (status === 'lost') await this.deps.alerts.customerLost(alert, `alert:${event.dedupeKey}`);
    else await this.deps.alerts.customerRemoved(alert, `alert:${event.dedupeKey}`);
  }

  private async transferFailed(event: InboundEvent, p: EventFields): Promise<void> {
    const customer = await this.deps.dataSource.getRepository(Customer).findOneBy({ externalUserid: p.externalUserid });
    const { staff } = await this.deps.alerts.staff(p.userId);
    await this.auditOnce(event, 'relation.transfer_fail', customer?.id ?? p.externalUserid, { userid: p.userId.toLowerCase(), reason: p.failReason });
    await this.deps.alerts.transferFailed(
      {
        customerName: customer?.name ?? p.externalUserid,
        staffName: staff?.name ?? p.userId,
        reason: p.failReason || 'unknown',
        at: this.deps.alerts.formatTime(eventTime(event)),
        wecomUserid: p.userId,
        staffUserid: p.userId,
      },
      `alert:${event.dedupeKey}`,
    );
  }

  /** externalcontact/get with every page of follow users (a customer with > 500 followers pages). */
  private async fetch(externalUserid: string): Promise<GetExternalContactResponse | null> {
    try {
      let page = await this.deps.api.getExternalContact(externalUserid);
      const follow = [...(page.follow_user ?? [])];
      while (page.next_cursor) {
        page = await this.deps.api.getExternalContact(externalUserid, page.next_cursor);
        follow.push(...(page.follow_user ?? []));
      }
      return { ...page, follow_user: follow };
    } catch (error) {
      if (error instanceof WecomApiError && error.errcode !== null && CUSTOMER_GONE.has(error.errcode)) return null;
      throw error;
    }
  }

  /** The name of a salesperson being looked up, if the lookup ends in time for the welcome (else null). */
  private async nameLearnedWithin(userid: string, learning: Promise<unknown>, event: InboundEvent): Promise<string | null> {
    const left = event.createdAt.getTime() + WELCOME_WINDOW_MS - 5000 - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, Math.min(STAFF_NAME_WAIT_MS, left)))));
    const outcome = await Promise.race([learning, timeout]).finally(() => clearTimeout(timer));
    if (outcome === 'late') return null;
    return (await this.deps.dataSource.getRepository(Staff).findOneBy({ userid }))?.name ?? null;
  }

  /** Known salespeople are only read: an INSERT per event would cost a commit in a burst. */
  private async ensureStaff(userId: string): Promise<Staff> {
    const repo = this.deps.dataSource.getRepository(Staff);
    const known = await repo.findOneBy({ userid: userId.toLowerCase() });
    if (known) return known;
    await insertIgnore(repo, { userid: userId.toLowerCase(), wecomUserid: userId });
    return repo.findOneByOrFail({ userid: userId.toLowerCase() });
  }

  /** One audit row per (action, event): a retried job does not write it again. */
  private async auditOnce(
    event: Pick<InboundEvent, 'dedupeKey'>,
    action: string,
    targetId: number | string,
    detail: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    const write = async (m: EntityManager) => {
      if (await m.getRepository(AuditLog).existsBy({ action, sourceKey: event.dedupeKey })) return;
      await audit(m, { actor: 'system', action, targetType: 'customer', targetId, detail, sourceKey: event.dedupeKey });
    };
    if (manager) await write(manager);
    else await this.deps.dataSource.transaction(write);
  }
}

interface EventFields {
  changeType: string;
  userId: string;
  externalUserid: string;
  state: string;
  welcomeCode: string;
  source: string;
  failReason: string;
}

/** A carry from the first stage, checked: job data comes back from Redis, shaped by whoever wrote it. */
function isContactDetail(value: unknown): value is GetExternalContactResponse {
  const v = value as GetExternalContactResponse | undefined;
  return typeof v?.external_contact?.external_userid === 'string' && Array.isArray(v.follow_user);
}

type Within<T> = { state: 'value'; value: T } | { state: 'error'; error: unknown } | { state: 'late' };

/** What `promise` came to within `ms` (without cancelling it: a late answer is simply not waited for). */
async function within<T>(promise: Promise<T>, ms: number): Promise<Within<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Within<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'late' }), Math.max(0, ms));
  });
  const outcome = promise.then(
    (value): Within<T> => ({ state: 'value', value }),
    (error: unknown): Within<T> => ({ state: 'error', error }),
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

function fields(event: InboundEvent): EventFields {
  const s = (name: string) => (typeof event.payload[name] === 'string' ? (event.payload[name] as string) : '');
  return {
    changeType: s('ChangeType'),
    userId: s('UserID'),
    externalUserid: s('ExternalUserID'),
    state: s('State'),
    welcomeCode: s('WelcomeCode'),
    source: s('Source'),
    failReason: s('FailReason'),
  };
}

/** WeCom's CreateTime (seconds); our receipt time when it is missing or absurd. */
export function eventTime(event: InboundEvent): Date {
  const seconds = Number(event.createTime || event.payload.CreateTime);
  return Number.isFinite(seconds) && seconds > 1_000_000_000 ? new Date(seconds * 1000) : event.createdAt;
}
