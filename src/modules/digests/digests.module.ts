import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { scheduledTime } from '../../platform/queue/repeatable';
import { DIGEST, type DigestSender, sendPersonalDigests, sendTeamDigests } from './digest.jobs';
import type { DigestService } from './digest.service';
import type { ChartService } from '../charts';

export interface DigestsModuleDeps {
  digest: DigestService;
  outbound: OutboundService;
  logger: Logger;
  config: Pick<Config, 'digests' | 'timezone'>;
  /** the weekly digest's charts; absent when charts are off */
  charts?: ChartService;
}

/** The evening digests and the weekly one: three schedules from the config. A job covers the day it was due, not the day a late worker picked it up. */
export function digestsModule(deps: DigestsModuleDeps): WorkModule {
  const sender: DigestSender = { digest: deps.digest, outbound: deps.outbound, logger: deps.logger, charts: deps.charts };
  const tz = deps.config.timezone;
  return {
    name: 'digests',
    processors: [
      processor(DIGEST.daily, async (job) => void (await sendPersonalDigests(sender, scheduledTime(job)))),
      processor(DIGEST.team, async (job) => void (await sendTeamDigests(sender, scheduledTime(job), 'daily'))),
      processor(DIGEST.weekly, async (job) => void (await sendTeamDigests(sender, scheduledTime(job), 'weekly'))),
    ],
    schedules: [
      { job: DIGEST.daily, cron: deps.config.digests.dailyCron, tz },
      { job: DIGEST.team, cron: deps.config.digests.teamCron, tz },
      { job: DIGEST.weekly, cron: deps.config.digests.weeklyCron, tz },
    ],
  };
}
