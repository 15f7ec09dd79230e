import dayjs from '../dayjs';
import { Between, In, LessThan, type DataSource } from 'typeorm';
import { CustomerRelation, FollowUp, Reminder } from '../../entities';

export interface DaySummary {
  newCustomers: number;
  followUps: number;
  remindersDone: number;
  remindersDueToday: number;
  overdue: number;
  lost: number;
}

/** Counts for 今日: one salesperson's day in CRM_TIMEZONE (aggregate queries, nothing loaded row by row). */
export class DigestQueries {
  constructor(private readonly dataSource: DataSource) {}

  async today(userid: string, now: Date, timeZone: string): Promise<DaySummary> {
    const start = dayjs(now).tz(timeZone).startOf('day').toDate();
    const end = dayjs(now).tz(timeZone).endOf('day').toDate();
    const today = Between(start, end);
    const relations = this.dataSource.getRepository(CustomerRelation);
    const reminders = this.dataSource.getRepository(Reminder);
    const [newCustomers, followUps, remindersDone, remindersDueToday, overdue, lost] = await Promise.all([
      relations.countBy({ staffUserid: userid, addedAt: today }),
      this.dataSource.getRepository(FollowUp).countBy({ staffUserid: userid, createdAt: today }),
      reminders.countBy({ staffUserid: userid, status: 'done', doneAt: today }),
      reminders.countBy({ staffUserid: userid, status: In(['pending', 'sent']), dueAt: today }),
      reminders.countBy({ staffUserid: userid, status: In(['pending', 'sent']), dueAt: LessThan(now) }),
      relations.countBy({ staffUserid: userid, status: 'lost', endedAt: today }),
    ]);
    return { newCustomers, followUps, remindersDone, remindersDueToday, overdue, lost };
  }
}
