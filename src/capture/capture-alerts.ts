import type { DataSource } from 'typeorm';
import { Staff, Team } from '../../entities';
import { formatChineseDateTime } from '../../bots/dates/format-date';
import { lostCustomerCard, lostCustomerGroupMarkdown, transferFailCard, type LostCustomerInput, type TransferFailInput } from '../../templates/cards/capture-alert.cards';
import type { OutboundService } from '../outbound/outbound.service';

/**
 * Alerts about customers leaving, to the salesperson (app message) and to their team's group
 * (robot or app chat, from templates/teams.json). Keys come from the event's dedupe key, so a
 * redelivered event or a retried job sends each alert once.
 */
export class CaptureAlerts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbound: OutboundService,
    private readonly timezone: string,
  ) {}

  formatTime(at: Date): string {
    return formatChineseDateTime(at, this.timezone, at);
  }

  async staff(userid: string): Promise<{ staff: Staff | null; team: Team | null }> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ userid: userid.toLowerCase() });
    const team = staff?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: staff.teamId }) : null;
    return { staff, team };
  }

  async customerLost(input: LostCustomerInput & { wecomUserid: string }, key: string): Promise<void> {
    await this.outbound.enqueue({ channel: 'user', touser: input.wecomUserid, message: { msgtype: 'template_card', template_card: lostCustomerCard(input) }, idempotencyKey: `${key}:staff` });
    const { team } = await this.staff(input.staffUserid);
    const content = lostCustomerGroupMarkdown({ ...input, staffUserid: input.wecomUserid });
    if (team?.robotWebhookUrl) {
      await this.outbound.enqueue({ channel: 'robot', webhookUrl: team.robotWebhookUrl, label: team.name, message: { msgtype: 'markdown', markdown: { content } }, idempotencyKey: `${key}:team` });
    } else if (team?.appChatId) {
      await this.outbound.enqueue({ channel: 'appchat', chatid: team.appChatId, message: { msgtype: 'markdown', markdown: { content } }, idempotencyKey: `${key}:team` });
    }
  }

  async transferFailed(input: TransferFailInput & { wecomUserid: string; staffUserid: string }, key: string): Promise<void> {
    const card = transferFailCard(input);
    await this.outbound.enqueue({ channel: 'user', touser: input.wecomUserid, message: { msgtype: 'template_card', template_card: card }, idempotencyKey: `${key}:staff` });
    const { team } = await this.staff(input.staffUserid);
    if (team?.leadUserid && team.leadUserid !== input.staffUserid.toLowerCase()) {
      const lead = await this.dataSource.getRepository(Staff).findOneBy({ userid: team.leadUserid });
      await this.outbound.enqueue({ channel: 'user', touser: lead?.wecomUserid ?? team.leadUserid, message: { msgtype: 'template_card', template_card: card }, idempotencyKey: `${key}:lead` });
    }
  }
}
