import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import { formatChineseDateTime } from '../../../templates/format-date';
import {
  customerRemovedCard,
  followerGoneCard,
  lostCustomerCard,
  lostCustomerGroupMarkdown,
  missingCustomersCard,
  missingCustomersGroupMarkdown,
  transferFailCard,
  type LostCustomerInput,
  type MissingCustomersInput,
  type TransferFailInput,
} from '../../../templates/cards/capture-alert.cards';
import { lostCustomerGroupCard, missingCustomersGroupCard } from '../../../templates/cards/team-group.cards';
import { churnGroupCard } from '../../../templates/cards/group-cards';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { AppMessage } from '../../platform/wecom/api/wecom-api.types';
import { type TeamGroupPost, TeamGroups } from '../customers';

/**
 * Alerts about customers leaving, to the salesperson (app message), their team's group (robot or app
 * chat, from templates/teams.json) and their team lead. Churn is never silent: when the team has no
 * group chat the lead is told directly, and what would go to a lead who is missing (no team, no lead,
 * the lead themselves) goes to the admins (CRM_ADMINS). Keys come from the event's dedupe key or the
 * reconciliation run, so a redelivered event or a retried job sends each alert once.
 */
export class CaptureAlerts {
  private readonly teamGroups: TeamGroups;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbound: OutboundService,
    private readonly timezone: string,
    /** lower-cased admin userids (CRM_ADMINS) */
    private readonly admins: string[] = [],
    private readonly logger?: Logger,
    /** the smart bot is configured: a team group bound to it gets 删人提醒 as a card with buttons */
    botCards = false,
  ) {
    this.teamGroups = new TeamGroups(dataSource, outbound, botCards);
  }

  formatTime(at: Date): string {
    return formatChineseDateTime(at, this.timezone, at);
  }

  async staff(userid: string): Promise<{ staff: Staff | null; team: Team | null }> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ userid: userid.toLowerCase() });
    const team = staff?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: staff.teamId }) : null;
    return { staff, team };
  }

  /** 删人提醒 (del_follow_user): the salesperson, and the team group, or the lead when there is none. */
  async customerLost(input: LostCustomerInput & { wecomUserid: string; customerId?: number }, key: string): Promise<void> {
    await this.toUser(input.wecomUserid, card(lostCustomerCard(input)), `${key}:staff`);
    const { team } = await this.staff(input.staffUserid);
    const customerId = input.customerId;
    const posted = await this.toTeamGroup({
      staffUserid: input.staffUserid,
      render: (who) => lostCustomerGroupMarkdown({ ...input, staffUserid: who.wecomUserid }),
      card: (who) => lostCustomerGroupCard(input, who),
      // with the smart bot in the team's group: 我来挽回 / 标记流失
      ...(customerId !== undefined
        ? {
            botCard: {
              kind: 'churn' as const,
              subjectId: customerId,
              build: ({ taskId, owner }: { taskId: string; owner: { userid: string; name: string } }) =>
                churnGroupCard({ taskId, owner, customerName: input.customerName, at: input.at, channel: input.channel }),
            },
          }
        : {}),
      idempotencyKey: `${key}:team`,
    });
    if (!posted) await this.toLead(input.staffUserid, team, card(lostCustomerCard(input, true)), key, 'customer deleted a salesperson');
  }

  /** The salesperson deleted a customer (del_external_contact): their lead is told; the group is not. */
  async customerRemoved(input: Omit<LostCustomerInput, 'externalUserid'>, key: string): Promise<void> {
    const { team } = await this.staff(input.staffUserid);
    await this.toLead(input.staffUserid, team, card(customerRemovedCard(input)), key, 'salesperson deleted a customer');
  }

  /** Relations the reconciliation found gone (no callback said so): a 删人提醒 as for del_follow_user. */
  async customersMissing(input: Omit<MissingCustomersInput, 'staffName'>, key: string): Promise<void> {
    const { staff, team } = await this.staff(input.staffUserid);
    const full = { ...input, staffName: staff?.name ?? input.staffUserid, staffUserid: staff?.wecomUserid ?? input.staffUserid };
    await this.toUser(full.staffUserid, card(missingCustomersCard(full)), `${key}:staff`);
    const posted = await this.toTeamGroup({
      staffUserid: input.staffUserid,
      render: () => missingCustomersGroupMarkdown(full),
      card: (who) => missingCustomersGroupCard(full, who),
      idempotencyKey: `${key}:team`,
    });
    if (!posted) await this.toLead(input.staffUserid, team, card(missingCustomersCard(full, true)), key, 'reconciliation found customers gone');
  }

  /** A salesperson WeCom no longer lists as a follow user: their customers need a new owner, the lead is told. */
  async followerGone(input: Omit<MissingCustomersInput, 'staffName'>, key: string): Promise<void> {
    const { staff, team } = await this.staff(input.staffUserid);
    await this.toLead(
      input.staffUserid,
      team,
      card(followerGoneCard({ ...input, staffName: staff?.name ?? input.staffUserid })),
      key,
      'a salesperson left customer contact',
    );
  }

  /** The reconciliation's drift report: to the admins, or to every team lead when none is configured. */
  async driftReport(content: string, key: string): Promise<void> {
    const recipients = this.admins.length > 0 ? this.admins : await this.allLeads();
    if (recipients.length === 0) {
      this.logger?.warn({ key }, 'drift report not sent: CRM_ADMINS is empty and no team in the teams file has a lead');
      return;
    }
    for (const userid of recipients) await this.toUser(userid, { msgtype: 'markdown', markdown: { content } }, `${key}:${userid.toLowerCase()}`);
  }

  async transferFailed(input: TransferFailInput & { wecomUserid: string; staffUserid: string }, key: string): Promise<void> {
    const message = card(transferFailCard(input));
    await this.toUser(input.wecomUserid, message, `${key}:staff`);
    const { team } = await this.staff(input.staffUserid);
    await this.toLead(input.staffUserid, team, message, key, 'transfer failed');
  }

  private async toUser(touser: string, message: AppMessage, idempotencyKey: string): Promise<void> {
    await this.outbound.enqueue({ channel: 'user', touser, message, idempotencyKey });
  }

  /** Posts to the team's robot or app chat; false when the team has neither. */
  private async toTeamGroup(post: TeamGroupPost): Promise<boolean> {
    return (await this.teamGroups.post(post)) === 'queued';
  }

  /**
   * The salesperson's lead; the admins when there is no lead, the lead is the salesperson (telling
   * them what they did is no alert) or the lead is no longer in WeCom. Nobody at all: logged.
   */
  private async toLead(staffUserid: string, team: Team | null, message: AppMessage, key: string, what: string): Promise<void> {
    const me = staffUserid.toLowerCase();
    const lead = team?.leadUserid && team.leadUserid !== me ? await this.dataSource.getRepository(Staff).findOneBy({ userid: team.leadUserid }) : null;
    if (team?.leadUserid && team.leadUserid !== me && lead?.active !== false) {
      await this.toUser(lead?.wecomUserid ?? team.leadUserid, message, `${key}:lead`);
      return;
    }
    const admins = this.admins.filter((a) => a !== me);
    if (admins.length === 0) {
      this.logger?.warn({ key, staffUserid: me, team: team?.name ?? null }, `${what}: no team lead and no admin (CRM_ADMINS) to tell`);
      return;
    }
    for (const admin of admins) await this.toUser(admin, message, `${key}:admin:${shortId(admin)}`);
  }

  private async allLeads(): Promise<string[]> {
    const teams = await this.dataSource.getRepository(Team).find({ order: { id: 'ASC' } });
    const leads = [...new Set(teams.map((t) => t.leadUserid).filter((u): u is string => Boolean(u)))];
    if (leads.length === 0) return [];
    const staff = new Map((await this.dataSource.getRepository(Staff).findBy(leads.map((userid) => ({ userid })))).map((s) => [s.userid, s]));
    return leads.filter((u) => staff.get(u)?.active !== false).map((u) => staff.get(u)?.wecomUserid ?? u);
  }
}

/** A userid in an idempotency key (≤ 150 characters with an event's key in front): short, stable. */
export function shortId(userid: string): string {
  return createHash('sha256').update(userid.toLowerCase()).digest('hex').slice(0, 12);
}

function card(template_card: ReturnType<typeof lostCustomerCard>): AppMessage {
  return { msgtype: 'template_card', template_card };
}
