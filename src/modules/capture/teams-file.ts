import { In, Not, type DataSource } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { z } from 'zod';
import { Staff, Team } from '../../../entities';
import { parseDefinitions, readJsonFile } from '../../platform/definitions-file';

/**
 * Sales teams and where their group alerts go (templates/teams.json): synced into `teams` and
 * `staff.team_id` at worker start, so alerts (删人提醒) reach the right group chat and lead.
 */
const teamSchema = z
  .object({
    name: z.string().min(1).max(64),
    lead: z.string().min(1).max(64).optional(),
    members: z.array(z.string().min(1).max(64)).default([]),
    robotWebhookUrl: z
      .url()
      .refine((u) => /[?&]key=[^&]+/.test(u), 'a group robot URL must carry its key=…')
      .optional(),
    appChatId: z.string().min(1).max(64).optional(),
    /** the team group's chatid for the smart bot (智能机器人); a lead can also bind a group with `@bot 绑定 <团队名>` */
    botChatId: z.string().min(1).max(64).optional(),
    /** the team's monthly sales target in yuan (预测's attainment); without it, the sum of its members' */
    monthlyTarget: z.number().positive().optional(),
    /** each member's monthly target in yuan, by userid */
    memberTargets: z.record(z.string().min(1).max(64), z.number().positive()).optional(),
  })
  .strict();

export const teamsFileSchema = z
  .object({ teams: z.array(teamSchema) })
  .strict()
  .superRefine((file, ctx) => {
    const seenTeams = new Set<string>();
    const seenMembers = new Map<string, string>();
    file.teams.forEach((team, i) => {
      if (seenTeams.has(team.name)) ctx.addIssue({ code: 'custom', path: ['teams', i, 'name'], message: `duplicate team "${team.name}"` });
      seenTeams.add(team.name);
      const people = new Set([...team.members, ...(team.lead ? [team.lead] : [])].map((m) => m.toLowerCase()));
      for (const userid of Object.keys(team.memberTargets ?? {})) {
        if (!people.has(userid.toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: ['teams', i, 'memberTargets', userid], message: `${userid} is not a member of team "${team.name}"` });
        }
      }
      for (const member of team.members.map((m) => m.toLowerCase())) {
        const other = seenMembers.get(member);
        if (other) ctx.addIssue({ code: 'custom', path: ['teams', i, 'members'], message: `${member} is already in team "${other}"` });
        seenMembers.set(member, team.name);
      }
    });
  });

export type TeamsFile = z.infer<typeof teamsFileSchema>;

export function parseTeamsFile(json: unknown, where = 'teams file'): TeamsFile {
  return parseDefinitions(teamsFileSchema, json, where);
}

export function loadTeamsFile(path: string): TeamsFile {
  return parseTeamsFile(readJsonFile(path, 'teams file'), path);
}

/** Upserts every team and its members' staff rows (userids lower-cased); teams no longer listed keep their rows but lose members. */
export async function syncTeams(dataSource: DataSource, file: TeamsFile): Promise<void> {
  await dataSource.transaction(async (m) => {
    const teams = m.getRepository(Team);
    const staff = m.getRepository(Staff);
    const listedIds: number[] = [];
    for (const def of file.teams) {
      await insertIgnore(teams, { name: def.name });
      const team = await teams.findOneByOrFail({ name: def.name });
      await teams.update(team.id, {
        leadUserid: def.lead?.toLowerCase() ?? null,
        robotWebhookUrl: def.robotWebhookUrl ?? null,
        appChatId: def.appChatId ?? null,
        // a group bound in chat (`@bot 绑定`) stays bound unless the file names another
        ...(def.botChatId ? { botChatId: def.botChatId } : {}),
      });
      listedIds.push(team.id);
      const people = [...new Set([...def.members, ...(def.lead ? [def.lead] : [])])];
      for (const raw of people) {
        await insertIgnore(staff, { userid: raw.toLowerCase(), wecomUserid: raw });
      }
      const userids = people.map((p) => p.toLowerCase());
      if (userids.length > 0) await staff.update({ userid: In(userids) }, { teamId: team.id });
      await staff.update(userids.length > 0 ? { teamId: team.id, userid: Not(In(userids)) } : { teamId: team.id }, { teamId: null });
    }
    if (listedIds.length > 0) await staff.update({ teamId: Not(In(listedIds)) }, { teamId: null });
    else await staff.createQueryBuilder().update().set({ teamId: null }).where('team_id IS NOT NULL').execute();
  });
}
