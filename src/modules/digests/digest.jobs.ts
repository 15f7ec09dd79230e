import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { Queue } from '../../platform/queue/queues';
import { syncRepeatableJob } from '../../platform/queue/repeatable';
import type { DigestService } from './digest.service';
import { personalDigest, teamDigest } from '../../../templates/cards/digest.cards';
import { MARKDOWN_LIMITS } from '../../../templates/cards/markdown-limits';
import type { Team } from '../../../entities';
import type { TeamDigest } from '../../../templates/cards/digest-figures';
import { type ChartRecipient, type ChartService, sendCharts } from '../charts';

export const DIGEST_JOBS = { daily: 'digest-daily', team: 'digest-team', weekly: 'digest-weekly' } as const;

const digestJob = (name: string) => defineJob({ queue: 'maintenance', name, concurrency: 1, options: JOB_OPTIONS.scheduled });
/** The three schedules on the maintenance queue (digests.module.ts runs them). */
export const DIGEST = { daily: digestJob(DIGEST_JOBS.daily), team: digestJob(DIGEST_JOBS.team), weekly: digestJob(DIGEST_JOBS.weekly) } as const;

const ENQUEUE_AT_ONCE = 10;

export interface DigestSender {
  digest: DigestService;
  outbound: OutboundService;
  logger: Logger;
  /** the charts that follow the weekly digest; absent when charts are off (CRM_CHARTS, or no font) */
  charts?: ChartService;
}

/**
 * The evening push: every salesperson with something to report gets one message. Each goes through
 * the outbound queue as its own job, keyed by day and userid, so a rerun (a retried job, a second
 * worker, a restart) sends nobody a second digest.
 */
export async function sendPersonalDigests(deps: DigestSender, at: Date): Promise<number> {
  const { label, digests } = await deps.digest.personalForEveryone(at);
  let queued = 0;
  // A few at a time: each enqueue is an INSERT and a Bull add, waiting on round trips rather than the CPU.
  for (let i = 0; i < digests.length; i += ENQUEUE_AT_ONCE) {
    const results = await Promise.all(
      digests.slice(i, i + ENQUEUE_AT_ONCE).map((d) =>
        deps.outbound.enqueue({
          channel: 'user',
          touser: d.touser,
          message: { msgtype: 'markdown', markdown: { content: personalDigest(d.digest) } },
          idempotencyKey: `digest:daily:${label}:${d.userid}`,
        }),
      ),
    );
    queued += results.filter((r) => r.outcome === 'queued').length;
  }
  deps.logger.info({ day: label, recipients: digests.length, queued }, 'personal digests queued');
  return queued;
}

/** The team digest (daily, or last week's on Monday) into every team group that has a robot or an app chat. */
export async function sendTeamDigests(deps: DigestSender, at: Date, kind: 'daily' | 'weekly'): Promise<number> {
  let queued = 0;
  for (const team of await deps.digest.teamsWithGroup()) {
    const maxBytes = team.robotWebhookUrl ? MARKDOWN_LIMITS.robot : MARKDOWN_LIMITS.appchat;
    const week = kind === 'weekly' ? await deps.digest.teamWeekly(team, at) : undefined;
    const { label, digest } = week ?? (await deps.digest.teamDaily(team, at));
    if (!digest) continue;
    const key = `digest:${kind === 'daily' ? 'team' : 'weekly'}:${label}:${team.id}`;
    if (await postToTeam(deps.outbound, team, teamDigest(digest, maxBytes), key)) queued += 1;
    // The charts after the words (enqueued after them, so sent after them), every run: a run that
    // died between the two sends the charts it had not queued and nothing twice.
    if (week && deps.charts) await sendWeeklyCharts(deps.outbound, deps.charts, team, { ...week, digest }, key);
  }
  deps.logger.info({ kind, queued }, 'team digests queued');
  return queued;
}

async function postToTeam(outbound: OutboundService, team: Team, content: string, idempotencyKey: string): Promise<boolean> {
  const message = { msgtype: 'markdown' as const, markdown: { content } };
  const result = team.robotWebhookUrl
    ? await outbound.enqueue({ channel: 'robot', webhookUrl: team.robotWebhookUrl, label: team.name, message, idempotencyKey })
    : await outbound.enqueue({ channel: 'appchat', chatid: team.appChatId!, message, idempotencyKey });
  return result.outcome === 'queued';
}

async function sendWeeklyCharts(
  outbound: OutboundService,
  charts: ChartService,
  team: Team,
  week: { digest: TeamDigest; scope: string[]; window: { start: Date; end: Date } },
  key: string,
): Promise<void> {
  const named = await charts.charts({
    title: team.name,
    userids: week.scope,
    funnel: week.digest.team.funnel,
    span: { ...week.window, name: '上周' },
    // won against target for the month the week ended in
    monthOf: new Date(week.window.end.getTime() - 1),
  });
  const to: ChartRecipient = team.robotWebhookUrl
    ? { channel: 'robot', webhookUrl: team.robotWebhookUrl, label: team.name }
    : { channel: 'appchat', chatid: team.appChatId! };
  await sendCharts(outbound, to, named, key);
}

/** The three schedules in Redis made equal to the config (run at every worker start; repeating it changes nothing). */
export async function scheduleDigests(queue: Queue, digests: Config['digests'], tz: string): Promise<void> {
  await syncRepeatableJob(queue, DIGEST_JOBS.daily, digests.dailyCron, tz);
  await syncRepeatableJob(queue, DIGEST_JOBS.team, digests.teamCron, tz);
  await syncRepeatableJob(queue, DIGEST_JOBS.weekly, digests.weeklyCron, tz);
}
