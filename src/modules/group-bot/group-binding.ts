import type { DataSource } from 'typeorm';
import { Team } from '../../../entities';

export type BindOutcome =
  | { kind: 'bound'; team: string; before: string | null }
  | { kind: 'not_group' }
  | { kind: 'no_name'; teams: string[] }
  | { kind: 'unknown_team'; name: string; teams: string[] }
  | { kind: 'not_lead'; team: string };

/**
 * `@bot 绑定 <团队名>`: the group it is typed in becomes the team's group for the bot's cards
 * (teams.bot_chat_id). Only the team's lead (templates/teams.json `lead`) or an admin may bind it;
 * binding again moves it (the answer names the group it replaces), and a repeated message changes nothing more.
 */
export async function bindGroup(
  dataSource: DataSource,
  input: { sender: string; isAdmin: boolean; chatid: string | undefined; teamName: string },
): Promise<BindOutcome> {
  const repo = dataSource.getRepository(Team);
  const teams = await repo.find({ order: { id: 'ASC' } });
  const names = teams.map((t) => t.name);
  if (!input.chatid) return { kind: 'not_group' };
  if (!input.teamName) return { kind: 'no_name', teams: names };
  const team = teams.find((t) => t.name === input.teamName);
  if (!team) return { kind: 'unknown_team', name: input.teamName, teams: names };
  if (!input.isAdmin && team.leadUserid !== input.sender) return { kind: 'not_lead', team: team.name };
  if (team.botChatId !== input.chatid) await repo.update({ id: team.id }, { botChatId: input.chatid });
  return { kind: 'bound', team: team.name, before: team.botChatId === input.chatid ? null : team.botChatId };
}

export function bindAnswer(outcome: BindOutcome): string {
  const list = (teams: string[]) => (teams.length ? `现有团队：${teams.map((t) => `「${t}」`).join('、')}。` : '还没有配置团队（templates/teams.json）。');
  switch (outcome.kind) {
    case 'bound':
      return `已绑定：本群是「${outcome.team}」的团队群。逾期提醒、删人提醒和团队SOP步骤会以带按钮的卡片发到这里${outcome.before ? '（原来绑定的群不再收到）' : ''}。`;
    case 'not_group':
      return '绑定要在团队群里发：把我拉进团队群，@我发送「绑定 团队名」。';
    case 'no_name':
      return `请写上团队名，例如：@我 绑定 华东销售一组。${list(outcome.teams)}`;
    case 'unknown_team':
      return `没有叫「${outcome.name}」的团队。${list(outcome.teams)}`;
    case 'not_lead':
      return `只有「${outcome.team}」的组长或管理员可以绑定团队群。`;
  }
}
