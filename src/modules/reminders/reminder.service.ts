import { In, LessThanOrEqual, Not, type DataSource, type EntityManager } from 'typeorm';
import { AuditLog, Reminder, type ReminderCloseReason } from '../../../entities';
import { fitColumn } from '../../platform/db/fit-column';
import { withoutEndedRelations } from '../customers';
import { standInFor } from '../handover';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';
import type { ReminderScheduler } from './reminder-scheduler.port';
import { type SnoozeRequest, snoozeTarget } from './snooze-target';

export type { SnoozeRequest } from './snooze-target';

export type SnoozeResult =
  | { outcome: 'snoozed'; reminder: Reminder; previousDue: Date }
  | { outcome: 'not_found' }
  | { outcome: 'closed'; reminder: Reminder }
  /** the time asked for is not after the current due time: nothing changed */
  | { outcome: 'not_later'; reminder: Reminder; until: Date };

/** A button on a reminder's card or on the 待办 card that changes the reminder (查看客户 only looks). */
export type ReminderButton = 'done' | 'snooze1h' | 'tomorrow';

/** What pressing one did, as data: the card words it (templates/cards/reminder-cards.ts). */
export type ButtonOutcome = { outcome: 'completed' } | { outcome: 'already_done' } | { outcome: 'cancelled' } | { outcome: 'snoozed'; until: Date };

const CARD_CLICK = 'reminder.card_click';

/** reminders.content is varchar(512): a long follow-up's next-contact reminder keeps its start (the note is kept whole). */
const CONTENT_CHARS = 512;

export interface NewReminder {
  staffUserid: string;
  customerId: number | null;
  content: string;
  dueAt: Date;
  sourceKey: string;
  /**
   * when it was set, on the clock of whoever set it (the bot's): a relation that ends after this
   * closes it (ended-relation.ts), and the end is dated by WeCom's event time, not by the database
   */
  setAt?: Date;
}

/** 提醒: a row, plus a delayed job keyed by the row (so rescheduling replaces it). */
export class ReminderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: ReminderScheduler,
  ) {}

  /**
   * Creates it once per source key. Inside another record's transaction (`manager`, e.g. the
   * next-contact reminder of a follow-up) it is part of that record, so it gets no audit entry of its
   * own and 撤销 undoes both together. Schedule the job with scheduleJob() after the commit.
   */
  async create(input: NewReminder, manager?: EntityManager): Promise<{ reminder: Reminder; duplicate: boolean }> {
    const insert = async (m: EntityManager) => {
      const { setAt, ...fields } = input;
      const reminder = await m
        .getRepository(Reminder)
        .save({ ...fields, ...(setAt ? { createdAt: setAt } : {}), content: fitColumn(input.content, CONTENT_CHARS), status: 'pending' as const });
      if (!manager)
        await audit(m, {
          actor: input.staffUserid,
          action: 'reminder.create',
          targetType: 'reminder',
          targetId: reminder.id,
          detail: { customerId: input.customerId },
          sourceKey: input.sourceKey,
        });
      return reminder;
    };
    const result = manager
      ? { value: await insert(manager), duplicate: false }
      : await writeOnce(this.dataSource, insert, () => this.dataSource.getRepository(Reminder).findOneBy({ sourceKey: input.sourceKey }));
    return { reminder: result.value, duplicate: result.duplicate };
  }

  /** Called after the transaction that created reminders commits. */
  async scheduleJob(reminder: Reminder): Promise<void> {
    if (reminder.status === 'pending') await this.scheduler.schedule(reminder.id, reminder.dueAt);
  }

  /** The open reminders of a salesperson, as 待办 lists them (see pendingFor). */
  private openFor(staffUserid: string) {
    const query = this.dataSource
      .getRepository(Reminder)
      .createQueryBuilder('r')
      .where('r.staff_userid = :staffUserid', { staffUserid })
      .andWhere('r.status IN (:...open)', { open: ['pending', 'sent'] });
    return withoutEndedRelations(query, 'r');
  }

  /** How many reminders are open for a salesperson (待办 lists the soonest, and counts them all). */
  countOpenFor(staffUserid: string): Promise<number> {
    return this.openFor(staffUserid).getCount();
  }

  /**
   * The salesperson's open reminders, soonest first (待办). A reminder whose customer relation ended
   * after it was set is left out: it is closed at its time (ended-relation.ts), so it is not theirs to do.
   */
  pendingFor(staffUserid: string, limit = 20): Promise<Reminder[]> {
    // one row per reminder (both joins are many-to-one), so a plain LIMIT is right
    return this.openFor(staffUserid).leftJoinAndSelect('r.customer', 'customer').orderBy('r.due_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany();
  }

  /**
   * Marks it done. `changed` is false when it was already closed: two clicks racing on one card both
   * read "open", but only the conditional update of one of them changes the row.
   */
  async complete(reminderId: number, caller: string, now: Date): Promise<(Reminder & { changed: boolean }) | null> {
    const repo = this.dataSource.getRepository(Reminder);
    const staffUserid = await this.actingFor(reminderId, caller);
    const reminder = await repo.findOneBy({ id: reminderId, staffUserid });
    if (!reminder) return null;
    if (reminder.status === 'done' || reminder.status === 'cancelled') return { ...reminder, changed: false };
    const result = await repo.update({ id: reminder.id, status: In(['pending', 'sent']) }, { status: 'done', doneAt: now });
    if (!result.affected) return { ...(await repo.findOneByOrFail({ id: reminder.id })), changed: false };
    await this.scheduler.cancel(reminder.id);
    return { ...reminder, status: 'done', doneAt: now, changed: true };
  }

  /**
   * Hands an open reminder to a teammate (改派 on a team group card). false when it is closed or
   * theirs already: a repeated click changes nothing.
   */
  async reassign(reminderId: number, toUserid: string): Promise<boolean> {
    const to = toUserid.toLowerCase();
    const result = await this.dataSource
      .getRepository(Reminder)
      .update({ id: reminderId, status: In(['pending', 'sent']), staffUserid: Not(to) }, { staffUserid: to });
    return Boolean(result.affected);
  }

  find(reminderId: number): Promise<Reminder | null> {
    return this.dataSource.getRepository(Reminder).findOne({ where: { id: reminderId }, relations: { customer: true } });
  }

  /** The reminder when it is this salesperson's: a card's button names an id, which may be anybody's or gone. */
  async findOwn(reminderId: number, staffUserid: string): Promise<Reminder | null> {
    const reminder = await this.find(reminderId);
    return reminder && reminder.staffUserid === (await this.actingFor(reminderId, staffUserid)) ? reminder : null;
  }

  /**
   * Whose reminder `caller` acts on: their own, or — for the stand-in of a salesperson who left and
   * whose customers are not taken over yet (离职继承: the lead receives those reminders) — the
   * leaver's. Anyone else acts as themselves, and finds nothing.
   */
  private async actingFor(reminderId: number, caller: string): Promise<string> {
    const reminder = await this.dataSource.getRepository(Reminder).findOne({ where: { id: reminderId }, select: { id: true, staffUserid: true } });
    if (!reminder || reminder.staffUserid === caller) return caller;
    return (await standInFor(this.dataSource, reminder.staffUserid))?.userid === caller ? reminder.staffUserid : caller;
  }

  /**
   * Does what a card's button says, once per click (`sourceKey`): a retried click finds its audit
   * row and answers what it did then; a second click on a card already handled (a new key) finds
   * the reminder closed and says so. `reminder` is the clicker's own, as read before the click.
   */
  async pressButton(reminder: Reminder, button: ReminderButton, click: { sourceKey: string; now: Date; timeZone: string }): Promise<ButtonOutcome> {
    const earlier = await this.dataSource.getRepository(AuditLog).findOneBy({ action: CARD_CLICK, sourceKey: click.sourceKey });
    if (earlier) return recordedOutcome(earlier.detail);
    const outcome = await this.press(reminder, button, click.now, click.timeZone);
    await this.dataSource.transaction((m) =>
      audit(m, {
        actor: reminder.staffUserid,
        action: CARD_CLICK,
        targetType: 'reminder',
        targetId: reminder.id,
        detail: { button, outcome: outcome.outcome, ...(outcome.outcome === 'snoozed' ? { snoozedTo: outcome.until.toISOString() } : {}) },
        sourceKey: click.sourceKey,
        at: click.now,
      }),
    );
    return outcome;
  }

  /** A closed reminder is left as it is: a click on its card (or a race lost to another click) says how it was closed. */
  private async press(reminder: Reminder, button: ReminderButton, now: Date, timeZone: string): Promise<ButtonOutcome> {
    if (reminder.status === 'done' || reminder.status === 'cancelled') return { outcome: reminder.status === 'done' ? 'already_done' : 'cancelled' };
    if (button === 'done') {
      const done = await this.complete(reminder.id, reminder.staffUserid, now);
      return { outcome: done?.changed ? 'completed' : 'already_done' };
    }
    // Never earlier than it was: counted from the later of its due time and now (snooze-target.ts).
    const result = await this.snooze(reminder.id, reminder.staffUserid, { kind: button === 'snooze1h' ? 'hour' : 'tomorrow' }, now, timeZone);
    if (result.outcome === 'snoozed') return { outcome: 'snoozed', until: result.reminder.dueAt };
    return { outcome: result.outcome === 'closed' && result.reminder.status === 'cancelled' ? 'cancelled' : 'already_done' };
  }

  /**
   * Moves an open reminder to a later time (never earlier: see snoozeTarget). Two clicks racing on
   * one reminder each move it once: the update is conditional on the snooze count it read, and the
   * loser reads again and counts from the new time.
   */
  async snooze(reminderId: number, caller: string, request: SnoozeRequest, now: Date, timeZone: string): Promise<SnoozeResult> {
    const repo = this.dataSource.getRepository(Reminder);
    const staffUserid = await this.actingFor(reminderId, caller);
    for (let attempt = 0; attempt < 5; attempt++) {
      const reminder = await repo.findOne({ where: { id: reminderId, staffUserid }, relations: { customer: true } });
      if (!reminder) return { outcome: 'not_found' };
      if (reminder.status === 'done' || reminder.status === 'cancelled') return { outcome: 'closed', reminder };
      const until = snoozeTarget(request, reminder.dueAt, now, timeZone);
      // A typed time not after the current due time would move it earlier (or nowhere): refused.
      if (until.getTime() <= reminder.dueAt.getTime()) return { outcome: 'not_later', reminder, until };
      const result = await repo.update(
        { id: reminder.id, snoozeCount: reminder.snoozeCount, status: In(['pending', 'sent']) },
        { status: 'pending', dueAt: until, snoozeCount: reminder.snoozeCount + 1 },
      );
      if (!result.affected) continue;
      await this.scheduler.schedule(reminder.id, until);
      return {
        outcome: 'snoozed',
        reminder: { ...reminder, status: 'pending', dueAt: until, snoozeCount: reminder.snoozeCount + 1 },
        previousDue: reminder.dueAt,
      };
    }
    throw new Error(`reminder ${reminderId} kept changing while being snoozed`);
  }

  /**
   * Closes an open reminder whose customer relation ended (the customer deleted the salesperson, was
   * deleted, or moved to a colleague), keeping the reason. False when it was closed already.
   */
  async closeForEndedRelation(reminder: Reminder, reason: ReminderCloseReason, now: Date): Promise<boolean> {
    const closed = await this.dataSource.transaction(async (m) => {
      const result = await m
        .getRepository(Reminder)
        .update({ id: reminder.id, status: In(['pending', 'sent']) }, { status: 'cancelled', closeReason: reason, closedAt: now });
      if (!result.affected) return false;
      await audit(m, {
        actor: 'system',
        action: 'reminder.close',
        targetType: 'reminder',
        targetId: reminder.id,
        detail: { reason, customerId: reminder.customerId },
        sourceKey: `reminder-close:${reminder.id}`,
        at: now,
      });
      return true;
    });
    if (closed) await this.scheduler.cancel(reminder.id);
    return closed;
  }

  /** Pending reminders already due: what a worker that was down must still send (late, never lost). */
  dueWithoutJob(now: Date, limit = 500): Promise<Reminder[]> {
    return this.dataSource.getRepository(Reminder).find({ where: { status: 'pending', dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC' }, take: limit });
  }
}

/** The outcome a click's audit row recorded (a retried click answers it again). */
function recordedOutcome(detail: Record<string, unknown> | null): ButtonOutcome {
  const outcome = detail?.outcome;
  if (outcome === 'snoozed') return { outcome, until: new Date(String(detail?.snoozedTo)) };
  return outcome === 'completed' || outcome === 'cancelled' ? { outcome } : { outcome: 'already_done' };
}
