import type { Customer, CustomerRelation, SopRun, Staff } from '../../../entities';
import dayjs from '../../platform/dayjs';
import { NO_CHANNEL_LABEL, STAGE_NAMES } from '../../../templates/labels';
import type { ChannelNames } from '../customers';

/** The fields a step's message may use; one not known is null and gets the SOP wording's fallback. */
export function sopStepFields(
  run: Pick<SopRun, 'context'>,
  customer: Pick<Customer, 'name' | 'stage' | 'createdAt' | 'lastContactAt'>,
  relation: Pick<CustomerRelation, 'remark' | 'addedAt' | 'state'> | null,
  staff: Pick<Staff, 'name'> | null,
  now: Date,
  channels?: ChannelNames,
): Record<string, string | null> {
  const added = relation?.addedAt ?? customer.createdAt;
  const lastContact = customer.lastContactAt ?? added;
  const context = run.context ?? {};
  return {
    name: relation?.remark || customer.name,
    staff: staff?.name ?? null,
    stage: STAGE_NAMES[customer.stage] ?? customer.stage,
    state: channelOf(relation?.state || (typeof context.state === 'string' ? context.state : null), channels),
    tag: typeof context.tag === 'string' ? context.tag : null,
    days: String(Math.max(1, dayjs(now).diff(added, 'day') + 1)),
    silentDays: String(Math.max(0, dayjs(now).diff(lastContact, 'day'))),
  };
}

function channelOf(state: string | null, channels: ChannelNames | undefined): string {
  return channels ? channels.label(state) : state || NO_CHANNEL_LABEL;
}
