import type { DataSource } from 'typeorm';
import { Customer, GroupCard, GroupCardClick, type InboundEvent, Staff, Team } from '../../../entities';
import type { BotServices } from '../../../bots/core/bot-services';
import { formatChineseDateTime } from '../../../templates/format-date';
import {
  ASSIGNEE_QUESTION,
  churnGroupCard,
  GROUP_BUTTON_PREFIX,
  GROUP_BUTTONS,
  type GroupButton,
  alreadyPressedText,
  notAllowedText,
  overdueGroupCard,
  settledGroupCard,
} from '../../../templates/cards/group-cards';
import { overdueForText } from '../../../templates/cards/reminder-notices';
import { insertIgnore } from '../../platform/db/insert-ignore';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { TemplateCard } from '../../platform/wecom/api/wecom-api.types';

export interface GroupCardClickDeps {
  dataSource: DataSource;
  services: Pick<BotServices, 'reminders' | 'stages'>;
  outbound: OutboundService;
  logger: Logger;
  admins: string[];
  timezone: string;
  now: () => Date;
}

/** What a click did: the card's new face (undefined: unchanged), and whether its buttons still act. */
interface Acted {
  card?: TemplateCard;
  state: 'open' | 'done';
  outcome: string;
  ownerUserid?: string;
}

const isButton = (b: string): b is GroupButton => (GROUP_BUTTONS as readonly string[]).includes(b);

/** The buttons each kind of card carries. */
const BUTTONS_OF: Record<GroupCard['kind'], GroupButton[]> = { overdue: ['take', 'nudge', 'reassign'], churn: ['save', 'lost'], sop: ['sopdone'] };

/** Who may press what: the owner closes their own; the lead (or an admin) nudges, reassigns, writes off; any teammate may try to win a customer back. */
function mayPress(button: GroupButton, who: { clickerId: string; owner: string; isLead: boolean; inTeam: boolean }): boolean {
  switch (button) {
    case 'take':
      return who.clickerId === who.owner;
    case 'nudge':
    case 'reassign':
      return who.isLead;
    case 'save':
      return who.inTeam || who.isLead;
    case 'lost':
      return who.clickerId === who.owner || who.isLead;
    case 'sopdone':
      return who.inTeam || who.isLead;
  }
}
/** A card posted again as a new message (too late to update it) carries `-u<click>` after the first task_id. */
const baseTaskId = (taskId: string) => taskId.replace(/-u\d+$/, '');

/**
 * A click on one of the bot's team group cards (`aibot/template_card_event`). It acts once per
 * card, button and clicker (group_card_clicks' unique key: a redelivered frame is one event, a
 * second click by the same member finds its row), for the clicker with their permissions; the card
 * is then updated in place for everyone (or posted anew when WeCom's 5 s have passed). A click
 * someone may not make gets a short private explanation, and changes nothing.
 */
export function createGroupCardClickHandler(deps: GroupCardClickDeps): (event: InboundEvent) => Promise<void> {
  const { dataSource, outbound } = deps;
  const cards = dataSource.getRepository(GroupCard);
  const clicks = dataSource.getRepository(GroupCardClick);
  const staffRepo = dataSource.getRepository(Staff);

  const nameOf = async (userid: string) => {
    const s = await staffRepo.findOneBy({ userid: userid.toLowerCase() });
    return { userid: s?.wecomUserid ?? userid, name: s?.name ?? userid };
  };
  const tell = (touser: string, content: string, idempotencyKey: string) =>
    outbound.enqueue({ channel: 'user', touser, message: { msgtype: 'text', text: { content } }, idempotencyKey, urgent: true });

  return async (event) => {
    const p = event.payload as Record<string, string>;
    const key = p.EventKey ?? '';
    if (!key.startsWith(GROUP_BUTTON_PREFIX)) return;
    const button = key.slice(GROUP_BUTTON_PREFIX.length);
    const card = await cards.findOneBy({ taskId: baseTaskId(p.TaskId ?? '') });
    if (!card || !isButton(button)) {
      deps.logger.info({ eventId: event.id, button }, 'click on a group card we do not know; ignored');
      return;
    }
    const clickerId = (p.FromUserName ?? event.fromUser).toLowerCase();
    const clicker = await nameOf(clickerId);
    const team = card.teamId ? await dataSource.getRepository(Team).findOneBy({ id: card.teamId }) : null;
    const isLead = deps.admins.includes(clickerId) || (team?.leadUserid ?? null) === clickerId;
    const owner = await nameOf(card.ownerUserid);
    const inTeam = card.teamId !== null && (await staffRepo.findOneBy({ userid: clickerId }))?.teamId === card.teamId;
    const allowed = card.state === 'open' && BUTTONS_OF[card.kind].includes(button) && mayPress(button, { clickerId, owner: card.ownerUserid, isLead, inTeam });
    if (!allowed) {
      const text =
        card.state === 'done'
          ? `这张卡片已经处理过了：${card.outcome ?? ''}`
          : notAllowedText(button, { owner: owner.name, lead: team?.leadUserid ? (await nameOf(team.leadUserid)).name : null });
      await tell(clicker.userid, text, `gbdeny:${event.dedupeKey}`);
      return;
    }

    // Once per card, button and clicker: the row is written first, what it does is idempotent, so a
    // retry after a crash finishes it and a second click by the same member finds it done.
    await insertIgnore(clicks, { cardId: card.id, button, clicker: clickerId, sourceKey: event.dedupeKey, outcome: null });
    const click = await clicks.findOneByOrFail({ cardId: card.id, button, clicker: clickerId });
    if (click.sourceKey !== event.dedupeKey && click.outcome !== null) {
      // A second press is not acted on; the member is told why nothing changed rather than left guessing.
      await tell(clicker.userid, alreadyPressedText(button, click.outcome), `gbagain:${event.dedupeKey}`);
      return;
    }

    const acted = await act(card, button, { clicker, clickerId, owner, selected: parseSelected(p.Selected), clickId: click.id, teamId: card.teamId });
    await cards.update(
      { id: card.id },
      { state: acted.state, outcome: acted.outcome.slice(0, 255), ...(acted.ownerUserid ? { ownerUserid: acted.ownerUserid } : {}) },
    );
    await clicks.update({ id: click.id }, { outcome: acted.outcome.slice(0, 255) });
    if (!acted.card) return;
    await outbound.enqueue({
      channel: 'bot_update',
      chatid: card.chatId,
      reqId: p.ReqId ?? '',
      card: acted.card,
      clickedAt: event.createdAt,
      // too late for the update: the card again as a new message, under a task_id of its own
      fallback: { msgtype: 'template_card', template_card: { ...acted.card, task_id: `${card.taskId}-u${click.id}` } },
      idempotencyKey: `gbupdate:${click.id}`,
    });
  };

  async function act(
    card: GroupCard,
    button: GroupButton,
    c: {
      clicker: { userid: string; name: string };
      clickerId: string;
      owner: { userid: string; name: string };
      selected: Record<string, string>;
      clickId: number;
      teamId: number | null;
    },
  ): Promise<Acted> {
    const now = deps.now();
    const at = formatChineseDateTime(now, deps.timezone, now).replace(/^.* /, '');
    if (card.kind === 'churn') return actOnChurn(card, button, { ...c, now, at });
    if (card.kind === 'sop') {
      // The step was sent; who did it is the click's row and the card's outcome (group_cards, group_card_clicks).
      const outcome = `${c.clicker.name} ${at} 完成了这一步`;
      const before = (card.outcome ?? '').length ? card.outcome! : '';
      return {
        state: 'done',
        outcome,
        card: settledGroupCard({
          taskId: card.taskId,
          title: '📋 SOP 步骤已完成',
          outcome: before ? `${before}；${outcome}` : outcome,
          rows: [{ keyname: '负责人', value: c.owner.name }],
        }),
      };
    }
    const reminder = await deps.services.reminders.find(card.subjectId);
    const customer = reminder?.customer?.name ?? null;
    const title = `${customer ?? '提醒'}：${reminder?.content ?? ''}`;
    const members = c.teamId === null ? [] : await staffRepo.find({ where: { teamId: c.teamId, active: true }, order: { id: 'ASC' } });
    const teammates = members.map((m) => ({ userid: m.wecomUserid, name: m.name ?? m.userid }));
    const openCard = (owner: { userid: string; name: string }, note: string) =>
      reminder &&
      overdueGroupCard({
        taskId: card.taskId,
        owner,
        teammates,
        customerName: customer,
        content: reminder.content,
        due: formatChineseDateTime(reminder.dueAt, deps.timezone, now),
        overdueFor: overdueForText(Math.max(0, now.getTime() - reminder.dueAt.getTime())),
        note,
      });
    switch (button) {
      case 'take': {
        const done = await deps.services.reminders.complete(card.subjectId, card.ownerUserid, now);
        const outcome = done?.changed === false ? `${c.clicker.name} 点了处理（提醒已经关闭）` : `${c.clicker.name} ${at} 处理了，提醒已完成`;
        return {
          state: 'done',
          outcome,
          card: settledGroupCard({ taskId: card.taskId, title: `✅ ${title}`, outcome, rows: [{ keyname: '负责人', value: c.owner.name }] }),
        };
      }
      case 'nudge': {
        await tell(c.owner.userid, `⏰ ${c.clicker.name} 催你跟进：${title}。处理后在团队群的卡片上点「我来处理」，或发送「待办」。`, `gbnudge:${c.clickId}`);
        const outcome = `${c.clicker.name} ${at} 催了一下`;
        return { state: 'open', outcome, card: openCard(c.owner, outcome) ?? undefined };
      }
      case 'reassign': {
        const to = c.selected[ASSIGNEE_QUESTION];
        const target = to ? await staffRepo.findOneBy({ userid: to.toLowerCase() }) : null;
        if (!target || (c.teamId !== null && target.teamId !== c.teamId)) {
          await tell(c.clicker.userid, '改派要先在卡片上选一位本组的同事，再点「改派」。', `gbpick:${c.clickId}`);
          return { state: 'open', outcome: '改派没有选人' };
        }
        await deps.services.reminders.reassign(card.subjectId, target.userid);
        const newOwner = { userid: target.wecomUserid, name: target.name ?? target.userid };
        await tell(newOwner.userid, `${c.clicker.name} 把这条跟进改派给了你：${title}。处理后在团队群的卡片上点「我来处理」。`, `gbassigned:${c.clickId}`);
        const outcome = `${c.clicker.name} ${at} 改派给 ${newOwner.name}`;
        return { state: 'open', outcome, ownerUserid: target.userid, card: openCard(newOwner, outcome) ?? undefined };
      }
      default:
        return { state: card.state, outcome: card.outcome ?? '' };
    }
  }

  /** 删人提醒: 我来挽回 gives the clicker a follow-up reminder in an hour; 标记流失 moves the customer to 流失. */
  async function actOnChurn(
    card: GroupCard,
    button: GroupButton,
    c: { clicker: { userid: string; name: string }; clickerId: string; owner: { userid: string; name: string }; clickId: number; now: Date; at: string },
  ): Promise<Acted> {
    const customer = await dataSource.getRepository(Customer).findOneBy({ id: card.subjectId });
    const name = customer?.name ?? '客户';
    const settled = (outcome: string): TemplateCard =>
      settledGroupCard({ taskId: card.taskId, title: `💔 ${name} 删除了 ${c.owner.name}`, outcome, rows: [{ keyname: '负责人', value: c.owner.name }] });
    if (button === 'save') {
      const dueAt = new Date(c.now.getTime() + 3600_000);
      const { reminder, duplicate } = await deps.services.reminders.create({
        staffUserid: c.clickerId,
        customerId: card.subjectId,
        content: `挽回 ${name}（删除了${c.owner.name}）`,
        dueAt,
        sourceKey: `gbsave:${c.clickId}`,
        setAt: c.now,
      });
      if (!duplicate) await deps.services.reminders.scheduleJob(reminder);
      await tell(
        c.clicker.userid,
        `已给你建了提醒 #${reminder.id}：${formatChineseDateTime(dueAt, deps.timezone, c.now)} 挽回 ${name}。`,
        `gbsaved:${c.clickId}`,
      );
      const outcome = `${c.clicker.name} ${c.at} 来挽回（提醒 #${reminder.id}）`;
      const note = card.outcome && card.outcome !== outcome ? `${card.outcome}；${outcome}` : outcome;
      return {
        state: 'open',
        outcome: note,
        card: churnGroupCard({
          taskId: card.taskId,
          customerName: name,
          owner: c.owner,
          at: formatChineseDateTime(card.createdAt, deps.timezone, c.now),
          note,
        }),
      };
    }
    if (button === 'lost' && customer) {
      if (customer.stage !== 'lost') {
        await deps.services.stages.move({ customer, to: 'lost', staffUserid: c.clickerId, sourceKey: `gblost:${c.clickId}`, now: c.now });
      }
      const outcome = `${c.clicker.name} ${c.at} 标记为流失`;
      return { state: 'done', outcome, card: settled(outcome) };
    }
    return { state: card.state, outcome: card.outcome ?? '' };
  }
}

function parseSelected(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    return {};
  }
}
