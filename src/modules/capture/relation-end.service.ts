import type { RelationStatus } from '../../../entities';
import type { CaptureAlerts } from './capture-alerts';
import type { ChannelRules } from './channel-rules';
import type { ContactChange } from './customer-capture.service';
import type { CustomerCaptureStore } from './customer-capture.store';

export interface RelationEndDeps {
  store: CustomerCaptureStore;
  alerts: CaptureAlerts;
  /** channel states as people read them, for the alert */
  rules: Pick<ChannelRules, 'label'>;
}

/**
 * A customer relation that ended (删人, the salesperson deleted them, a transfer) or a transfer that
 * failed: the relation is closed once (a replayed delete never ends a newer relation), and the
 * salesperson and their lead are told.
 */
export class RelationEndService {
  private readonly store: CustomerCaptureStore;

  constructor(private readonly deps: RelationEndDeps) {
    this.store = deps.store;
  }

  /** A relation ended (`status`, with the event's `reason`); the salesperson and their lead are told unless it was a transfer. */
  async ended(change: ContactChange, status: Exclude<RelationStatus, 'active'>, reason: string): Promise<void> {
    const { at } = change;
    const userid = change.userId.toLowerCase();
    const customer = await this.store.customerOf(change.externalUserid);
    const relation = customer ? await this.store.relationOf(customer.id, userid) : null;
    if (relation?.addedAt && relation.addedAt.getTime() > at.getTime() + 1000) {
      // Re-added after this delete happened: a replay of the old delete must not end the new relation.
      await this.store.auditOnce(change.dedupeKey, 'relation.end.stale', relation.id, { status });
      return;
    }
    if (customer && relation && relation.status === 'active') {
      await this.store.endRelation(change.dedupeKey, relation, { status, at, reason, userid });
    } else if (!relation) {
      await this.store.auditOnce(change.dedupeKey, `relation.${status}.unknown`, change.externalUserid, { userid });
    }
    if (status === 'transferred') return; // 在职继承: the colleague's add event follows; nobody lost anyone
    // 删人提醒 / 客户流失: sent for unknown customers too (the salesperson still lost someone); keys make it once.
    const { staff } = await this.deps.alerts.staff(change.userId);
    const current = relation ? await this.store.relationById(relation.id) : null;
    const alert = {
      customerName: current?.remark || customer?.name || change.externalUserid,
      externalUserid: change.externalUserid,
      staffName: staff?.name ?? change.userId,
      staffUserid: userid,
      wecomUserid: change.userId,
      at: this.deps.alerts.formatTime(at),
      addedAt: current?.addedAt ? this.deps.alerts.formatTime(current.addedAt) : undefined,
      channel: this.deps.rules.label(current?.state),
      ...(customer ? { customerId: customer.id } : {}),
    };
    if (status === 'lost') await this.deps.alerts.customerLost(alert, `alert:${change.dedupeKey}`);
    else await this.deps.alerts.customerRemoved(alert, `alert:${change.dedupeKey}`);
  }

  async transferFailed(change: ContactChange): Promise<void> {
    const customer = await this.store.customerOf(change.externalUserid);
    const { staff } = await this.deps.alerts.staff(change.userId);
    await this.store.auditOnce(change.dedupeKey, 'relation.transfer_fail', customer?.id ?? change.externalUserid, {
      userid: change.userId.toLowerCase(),
      reason: change.failReason,
    });
    await this.deps.alerts.transferFailed(
      {
        customerName: customer?.name ?? change.externalUserid,
        staffName: staff?.name ?? change.userId,
        reason: change.failReason || 'unknown',
        at: this.deps.alerts.formatTime(change.at),
        wecomUserid: change.userId,
        staffUserid: change.userId,
      },
      `alert:${change.dedupeKey}`,
    );
  }
}
