import { In, LessThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import { Reminder } from '../../entities';
import { fitColumn } from '../db/fit-column';
import { audit } from './audit';
import { writeOnce } from './idempotent-write';
import type { ReminderScheduler } from './reminder-scheduler.port';

/** reminders.content is varchar(512): a long follow-up's next-contact reminder keeps its start (the note is kept whole). */
const CONTENT_CHARS = 512;

export interface NewReminder {
  staffUserid: string;
  customerId: number | null;
  content: string;
  dueAt: Date;
  sourceKey: string;
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
      const reminder = await m.getRepository(Reminder).save({ ...input, content: fitColumn(input.content, CONTENT_CHARS), status: 'pending' as const });
      if (!manager) await audit(m, { actor: input.staffUserid, action: 'reminder.create', targetType: 'reminder', targetId: reminder.id, detail: { customerId: input.customerId }, sourceKey: input.sourceKey });
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

  /** How many reminders are open for a salesperson (待办 lists the soonest, and counts them all). */
  countOpenFor(staffUserid: string): Promise<number> {
    return this.dataSource.getRepository(Reminder).countBy({ staffUserid, status: In(['pending', 'sent']) });
  }

  pendingFor(staffUserid: string, limit = 20): Promise<Reminder[]> {
    return this.dataSource.getRepository(Reminder).find({
      where: { staffUserid, status: In(['pending', 'sent']) },
      relations: { customer: true },
      order: { dueAt: 'ASC' },
      take: limit,
    });
  }

  /**
   * Marks it done. `changed` is false when it was already closed: two clicks racing on one card both
   * read "open", but only the conditional update of one of them changes the row.
   */
  async complete(reminderId: number, staffUserid: string, now: Date): Promise<(Reminder & { changed: boolean }) | null> {
    const repo = this.dataSource.getRepository(Reminder);
    const reminder = await repo.findOneBy({ id: reminderId, staffUserid });
    if (!reminder) return null;
    if (reminder.status === 'done' || reminder.status === 'cancelled') return { ...reminder, changed: false };
    const result = await repo.update({ id: reminder.id, status: In(['pending', 'sent']) }, { status: 'done', doneAt: now });
    if (!result.affected) return { ...(await repo.findOneByOrFail({ id: reminder.id })), changed: false };
    await this.scheduler.cancel(reminder.id);
    return { ...reminder, status: 'done', doneAt: now, changed: true };
  }

  find(reminderId: number): Promise<Reminder | null> {
    return this.dataSource.getRepository(Reminder).findOne({ where: { id: reminderId }, relations: { customer: true } });
  }

  async snooze(reminderId: number, staffUserid: string, until: Date): Promise<Reminder | null> {
    const repo = this.dataSource.getRepository(Reminder);
    const reminder = await repo.findOneBy({ id: reminderId, staffUserid });
    if (!reminder || reminder.status === 'done' || reminder.status === 'cancelled') return reminder;
    await repo.update({ id: reminder.id }, { status: 'pending', dueAt: until, snoozeCount: reminder.snoozeCount + 1 });
    await this.scheduler.schedule(reminder.id, until);
    return { ...reminder, status: 'pending', dueAt: until };
  }

  /** Pending reminders already due: what a worker that was down must still send (late, never lost). */
  dueWithoutJob(now: Date, limit = 500): Promise<Reminder[]> {
    return this.dataSource.getRepository(Reminder).find({ where: { status: 'pending', dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC' }, take: limit });
  }
}
