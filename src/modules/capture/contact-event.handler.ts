import type { DataSource } from 'typeorm';
import type { InboundEvent } from '../../../entities';
import { defer, type Deferred } from '../../platform/events/event-handler.registry';
import type { CaptureAlerts } from './capture-alerts';
import { type ContactChange, CustomerCaptureService, type CustomerCaptureDeps } from './customer-capture.service';
import { CustomerCaptureStore } from './customer-capture.store';
import { RelationEndService } from './relation-end.service';
import { noopTransferHook, type TransferHook } from './transfer-hook.port';

export interface ContactEventDeps extends Omit<CustomerCaptureDeps, 'store'> {
  dataSource: DataSource;
  alerts: CaptureAlerts;
  /** handover, told of transfers WeCom completed or refused */
  transfers?: TransferHook;
}

/**
 * `change_external_contact`, every change type: the event read into a ContactChange and handed to
 * CustomerCaptureService (adds, edits) or RelationEndService (ends, failed transfers). An add whose
 * welcome went first is deferred; its recording comes back through handleLater.
 */
export class ContactEventHandler {
  private readonly capture: CustomerCaptureService;
  private readonly ends: RelationEndService;
  private readonly transfers: TransferHook;

  constructor(private readonly deps: ContactEventDeps) {
    this.transfers = deps.transfers ?? noopTransferHook;
    const store = new CustomerCaptureStore(deps.dataSource);
    this.capture = new CustomerCaptureService({ ...deps, store });
    this.ends = new RelationEndService({ store, alerts: deps.alerts, rules: deps.rules });
  }

  async handle(event: InboundEvent): Promise<void | Deferred> {
    const change = contactChange(event);
    const source = stringField(event, 'Source');
    if (!change.userId || !change.externalUserid) {
      this.deps.logger.warn({ dedupeKey: event.dedupeKey, changeType: change.changeType }, 'change_external_contact without UserID or ExternalUserID: ignored');
      return;
    }
    const { staff, learning } = await this.capture.noticeStaff(change.userId);
    if (change.changeType === 'add_external_contact' || change.changeType === 'add_half_external_contact') {
      const later = await this.capture.added(change, staff, learning);
      return later ? defer(later.detail) : undefined;
    }
    // Nothing else races a 20 s window: alerts wait for the name.
    if (learning) await learning;
    switch (change.changeType) {
      case 'edit_external_contact':
        return this.capture.edited(change);
      case 'del_external_contact':
        if (source !== 'DELETE_BY_TRANSFER') return this.ends.ended(change, 'removed', 'deleted_by_staff');
        await this.ends.ended(change, 'transferred', 'transferred_to_colleague');
        return this.transfers.transferred({ externalUserid: change.externalUserid, userid: change.userId, at: change.at, dedupeKey: change.dedupeKey });
      case 'del_follow_user':
        return this.ends.ended(change, 'lost', 'customer_deleted_staff');
      case 'transfer_fail':
        await this.ends.transferFailed(change);
        return this.transfers.failed({
          externalUserid: change.externalUserid,
          userid: change.userId,
          reason: change.failReason,
          at: change.at,
          dedupeKey: change.dedupeKey,
        });
      default:
        this.deps.logger.info({ changeType: change.changeType }, 'unknown change_external_contact type: ignored');
    }
  }

  /** The second stage of an add whose welcome went first (`carry`: the customer the first stage fetched). */
  handleLater(event: InboundEvent, carry: unknown): Promise<void> {
    return this.capture.recordLater(contactChange(event), carry);
  }
}

function stringField(event: InboundEvent, name: string): string {
  return typeof event.payload[name] === 'string' ? (event.payload[name] as string) : '';
}

function contactChange(event: InboundEvent): ContactChange {
  return {
    changeType: stringField(event, 'ChangeType'),
    userId: stringField(event, 'UserID'),
    externalUserid: stringField(event, 'ExternalUserID'),
    state: stringField(event, 'State'),
    welcomeCode: stringField(event, 'WelcomeCode'),
    failReason: stringField(event, 'FailReason'),
    dedupeKey: event.dedupeKey,
    eventId: event.id,
    receivedAt: event.createdAt,
    at: eventTime(event),
  };
}

/** WeCom's CreateTime (seconds); our receipt time when it is missing or absurd. */
export function eventTime(event: InboundEvent): Date {
  const seconds = Number(event.createTime || event.payload.CreateTime);
  return Number.isFinite(seconds) && seconds > 1_000_000_000 ? new Date(seconds * 1000) : event.createdAt;
}
