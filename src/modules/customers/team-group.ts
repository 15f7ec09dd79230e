import type { DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import type { OutboundService } from '../../platform/outbound/outbound.service';

export interface TeamGroupPost {
  /** lower-cased userid of the salesperson the post is about: their team's group gets it */
  staffUserid: string;
  /** markdown; `mention` is the salesperson's WeCom userid, to @ them where the group supports it */
  render(mention: { wecomUserid: string; name: string; robot: boolean }): string;
  idempotencyKey: string;
}

/**
 * Posts to a salesperson's team group (templates/teams.json): the group robot (markdown, `<@userid>`
 * mentions; robots take no buttons) or else the app group chat. Non-urgent: quiet hours apply.
 */
export class TeamGroups {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbound: OutboundService,
  ) {}

  /** 'no_team_group' when the salesperson is in no team, or their team has no group configured. */
  async post(post: TeamGroupPost): Promise<'queued' | 'no_team_group'> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ userid: post.staffUserid });
    const team = staff?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: staff.teamId }) : null;
    const who = { wecomUserid: staff?.wecomUserid ?? post.staffUserid, name: staff?.name ?? post.staffUserid };
    if (team?.robotWebhookUrl) {
      const content = post.render({ ...who, robot: true });
      await this.outbound.enqueue({
        channel: 'robot',
        webhookUrl: team.robotWebhookUrl,
        label: team.name,
        message: { msgtype: 'markdown', markdown: { content } },
        idempotencyKey: post.idempotencyKey,
      });
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
