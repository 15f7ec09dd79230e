import type { DataSource } from 'typeorm';
import { Customer, FollowUp, Reminder } from '../../../entities';
import { audit } from '../../platform/db/audit';
import { writeOnce } from '../../platform/db/idempotent-write';
import type { ReminderService } from '../reminders';

export interface NewFollowUp {
  customer: Customer;
  staffUserid: string;
  content: string;
  /** when the content says when to get back in touch (下周二再联系) */
  nextContactAt: Date | null;
  sourceKey: string;
  now: Date;
}

export interface RecordedFollowUp {
  followUp: FollowUp;
  reminder: Reminder | null;
  duplicate: boolean;
}

/** 记录跟进: the follow-up, the customer's last-contact time and the next-contact reminder, all or nothing. */
export class FollowUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reminders: ReminderService,
  ) {}

  async record(input: NewFollowUp): Promise<RecordedFollowUp> {
    const reminderKey = `${input.sourceKey}:next`;
    const { value, duplicate } = await writeOnce(
      this.dataSource,
      async (m) => {
        const followUp = await m.getRepository(FollowUp).save({
          customerId: input.customer.id,
          staffUserid: input.staffUserid,
          content: input.content,
          nextContactAt: input.nextContactAt,
          sourceKey: input.sourceKey,
        });
        await m.getRepository(Customer).update({ id: input.customer.id }, { lastContactAt: input.now });
        await audit(m, {
          actor: input.staffUserid,
          action: 'follow_up.create',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { followUpId: followUp.id },
          sourceKey: input.sourceKey,
          at: input.now,
        });
        const reminder = input.nextContactAt
          ? (
              await this.reminders.create(
                {
                  staffUserid: input.staffUserid,
                  customerId: input.customer.id,
                  content: `联系 ${input.customer.name}：${input.content}`,
                  dueAt: input.nextContactAt,
                  sourceKey: reminderKey,
                  setAt: input.now,
                },
                m,
              )
            ).reminder
          : null;
        return { followUp, reminder };
      },
      async () => {
        const followUp = await this.dataSource.getRepository(FollowUp).findOneBy({ sourceKey: input.sourceKey });
        if (!followUp) return null;
        return { followUp, reminder: await this.dataSource.getRepository(Reminder).findOneBy({ sourceKey: reminderKey }) };
      },
    );
    // After commit: a job must never point at a row that was rolled back. Re-scheduling on a duplicate is harmless.
    if (value.reminder) await this.reminders.scheduleJob(value.reminder);
    return { ...value, duplicate };
  }
}
