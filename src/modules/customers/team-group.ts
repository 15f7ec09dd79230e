import type { DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';

/** The salesperson a post is about, as the team group knows them. */
export interface TeamGroupMember {
  wecomUserid: string;
  name: string;
}

export interface TeamGroupPost {
  /** lower-cased userid of the salesperson the post is about: their team's group gets it */
  staffUserid: string;
  /** markdown; `mention` is the salesperson's WeCom userid, to @ them where the group supports it */
  render(mention: TeamGroupMember & { robot: boolean }): string;
  /**
   * The same post as a `text_notice` card, for a group robot (the app chat takes no template cards):
   * it reads better than markdown where the post is one thing to look at (an overdue reminder, a
   * 删人提醒, an SOP step). Without it the robot gets the markdown.
   */
  card?(member: TeamGroupMember): TemplateCard;
  idempotencyKey: string;
  /** who the post @-mentions when not the salesperson (a leaver's stand-in, 离职继承); still posted to the salesperson's team group */
  mentionUserid?: string;
}

/**
 * Posts to a salesperson's team group (templates/teams.json): the group robot (a notice card, or
 * markdown with `<@userid>` mentions; robots take no buttons) or else the app group chat (markdown).
 * Non-urgent: quiet hours apply.
 */
export class TeamGroups {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbound: OutboundService,
  ) {}

  /** 'no_team_group' when the salesperson is in no team, or their team has no group configured. */
  async post(post: TeamGroupPost): Promise<'queued' | 'no_team_group'> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ userid: post.staffUserid.toLowerCase() });
    const team = staff?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: staff.teamId }) : null;
    const mentioned = post.mentionUserid ? await this.dataSource.getRepository(Staff).findOneBy({ userid: post.mentionUserid.toLowerCase() }) : staff;
    const fallback = post.mentionUserid ?? post.staffUserid;
    const who = { wecomUserid: mentioned?.wecomUserid ?? fallback, name: mentioned?.name ?? fallback };
    if (team?.robotWebhookUrl) {
      const message = post.card
        ? { msgtype: 'template_card' as const, template_card: post.card(who) }
        : { msgtype: 'markdown' as const, markdown: { content: post.render({ ...who, robot: true }) } };
      await this.outbound.enqueue({ channel: 'robot', webhookUrl: team.robotWebhookUrl, label: team.name, message, idempotencyKey: post.idempotencyKey });
      return 'queued';
    }
    if (team?.appChatId) {
      const content = post.render({ ...who, robot: false });
      await this.outbound.enqueue({
        channel: 'appchat',
        chatid: team.appChatId,
        message: { msgtype: 'markdown', markdown: { content } },
        idempotencyKey: post.idempotencyKey,
      });
      return 'queued';
    }
    return 'no_team_group';
  }
}
