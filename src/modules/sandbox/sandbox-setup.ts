import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTeamsFile, type TeamsFile } from '../capture';
import type { Config, WecomCredentials } from '../../config';
import { SEED_TEAM, type SandboxTeam } from './fake-wecom/fake-wecom.seed';
import { ensureSandboxCredentials } from './sandbox-credentials';

/**
 * Sandbox mode's start-up: generated callback credentials, and teams whose group robots post into the
 * fake WeCom. The teams of CRM_TEAMS_FILE are kept (or the sandbox's own team when it lists none),
 * but every robot URL is pointed at the fake, keeping its key: in sandbox mode nothing may reach
 * a real WeCom, not even a robot configured for production.
 */
export function prepareSandbox(config: Config): { config: Config; wecom: WecomCredentials } {
  if (!config.sandbox) throw new Error('prepareSandbox called with real WeCom credentials configured');
  const wecom = ensureSandboxCredentials(config.dataDir);
  const configured = loadTeamsFile(config.capture.teamsFile);
  const teamsFile = join(config.dataDir, 'sandbox-teams.json');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(teamsFile, `${JSON.stringify(sandboxTeamsFile(configured, config.wecomApiBase), null, 2)}\n`);
  // The smart bot, when asked for (WECOM_BOT_ID and WECOM_BOT_SECRET set): the sandbox plays its long connection too.
  const bot = config.bot && !config.bot.wsUrl ? { ...config.bot, wsUrl: sandboxBotUrl(config.port) } : config.bot;
  return { config: { ...config, capture: { ...config.capture, teamsFile }, bot }, wecom };
}

/** Where the sandbox serves the smart bot's long connection (on the app's own port). */
export const SANDBOX_BOT_PATH = '/sandbox/aibot';
export function sandboxBotUrl(port: number): string {
  return `ws://127.0.0.1:${port}${SANDBOX_BOT_PATH}`;
}

function sandboxTeamsFile(configured: TeamsFile, apiBase: string): TeamsFile {
  const robotUrl = (key: string) => `${apiBase.replace(/\/+$/, '')}/webhook/send?key=${encodeURIComponent(key)}`;
  if (configured.teams.length === 0) {
    return { teams: [{ name: SEED_TEAM.name, lead: SEED_TEAM.lead, members: SEED_TEAM.members, robotWebhookUrl: robotUrl(SEED_TEAM.robotKey) }] };
  }
  return {
    teams: configured.teams.map((team, i) => ({ ...team, robotWebhookUrl: robotUrl(robotKeyOf(team.robotWebhookUrl) ?? `sandbox-team-${i + 1}`) })),
  };
}

function robotKeyOf(url: string | undefined): string | undefined {
  return url ? (new URL(url).searchParams.get('key') ?? undefined) : undefined;
}

/** The teams as the fake WeCom sees them (robot keys and app chat ids), read from the file capture uses. */
export function sandboxTeams(config: Config): SandboxTeam[] {
  return loadTeamsFile(config.capture.teamsFile).teams.map((team, i) => ({
    name: team.name,
    lead: team.lead?.toLowerCase() ?? '',
    members: team.members.map((m) => m.toLowerCase()),
    robotKey: robotKeyOf(team.robotWebhookUrl) ?? `sandbox-team-${i + 1}`,
    appChatId: team.appChatId,
    // the group the sandbox's smart bot sits in (bind it with @客户助手 绑定 <团队名>)
    botChatId: team.botChatId ?? `wrsandboxbot${i + 1}`,
  }));
}
