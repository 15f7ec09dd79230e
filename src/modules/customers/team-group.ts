import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { GroupCard, type GroupCardKind, Staff, Team } from '../../../entities';
import { insertIgnore } from '../../platform/db/insert-ignore';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';

/** The salesperson a post is about, as the team group knows them. */
export interface TeamGroupMember {
  wecomUserid: string;
  name: string;
}

/**
 * The same post as a card with buttons, for a team group with the smart bot (teams.bot_chat_id):
 * what it is about (the clicks find it by its task_id) and how to draw it.
 */
export interface TeamGroupCard {
  kind: GroupCardKind;
  subjectId: number;
  build(context: { taskId: string; owner: { userid: string; name: string }; teammates: Array<{ userid: string; name: string }> }): TemplateCard;
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
  /** with the smart bot in the team's group: this card with buttons instead */
  botCard?: TeamGroupCard;
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
    /** the smart bot is configured: a team group bound to it gets cards with buttons */
    private readonly botCards = false,
  ) {}

  /** 'no_team_group' when the salesperson is in no team, or their team has no group configured. */
  async post(post: TeamGroupPost): Promise<'queued' | 'no_team_group'> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ userid: post.staffUserid.toLowerCase() });
    const team = staff?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: staff.teamId }) : null;
    const mentioned = post.mentionUserid ? await this.dataSource.getRepository(Staff).findOneBy({ userid: post.mentionUserid.toLowerCase() }) : staff;
    const fallback = post.mentionUserid ?? post.staffUserid;
    const who = { wecomUserid: mentioned?.wecomUserid ?? fallback, name: mentioned?.name ?? fallback };
    if (this.botCards && team?.botChatId && post.botCard) {
      await this.postCard(team, post.staffUserid, who, post.botCard, post.idempotencyKey);
      return 'queued';
    }
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

  /** The card is recorded (once per post) before it is queued: a click on it always finds its row. */
  private async postCard(team: Team, ownerUserid: string, who: { wecomUserid: string; name: string }, card: TeamGroupCard, key: string): Promise<void> {
    // task_id: unique per bot for good ([0-9A-Za-z_-@], ≤ 128 bytes), also across databases: random,
    // chosen once per post (a retried post finds the row of its key and keeps its task_id).
    const repo = this.dataSource.getRepository(GroupCard);
    await insertIgnore(repo, {
      taskId: `gc-${card.kind}-${card.subjectId}-${randomBytes(6).toString('hex')}`,
      postKey: key,
      chatId: team.botChatId!,
      kind: card.kind,
      subjectId: card.subjectId,
      ownerUserid: ownerUserid.toLowerCase(),
      teamId: team.id,
      state: 'open',
    });
    const { taskId } = await repo.findOneByOrFail({ postKey: key });
    const members = await this.dataSource.getRepository(Staff).find({ where: { teamId: team.id, active: true }, order: { id: 'ASC' } });
    const teammates = members.map((m) => ({ userid: m.wecomUserid, name: m.name ?? m.userid }));
    const template_card = card.build({ taskId, owner: { userid: who.wecomUserid, name: who.name }, teammates });
    await this.outbound.enqueue({ channel: 'bot', chatid: team.botChatId!, message: { msgtype: 'template_card', template_card }, idempotencyKey: key });
  }
}
