import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { QueueSet } from '../../platform/queue/queues';
import { HANDOVER_RUN, handoverRuns } from './handover-run.job';
import { HandoverService } from './handover.service';
import type { LeaverApi, TransferApi } from './transfer-api.port';
import { LEAVER_SCAN } from './leaver-scan.job';

export interface HandoverDeps {
  dataSource: DataSource;
  /** WeCom's transfer and 离职继承 APIs (the WeCom client) */
  api: TransferApi & LeaverApi;
  queues: QueueSet;
  outbound: OutboundService;
  config: Pick<Config, 'admins' | 'timezone' | 'capture'>;
  now: () => Date;
  logger?: Logger;
}

export function createHandoverService(deps: HandoverDeps): HandoverService {
  return new HandoverService({
    dataSource: deps.dataSource,
    api: deps.api,
    runs: handoverRuns(deps.queues, () => deps.now().getTime()),
    outbound: deps.outbound,
    admins: deps.config.admins,
    timezone: deps.config.timezone,
    now: deps.now,
    logger: deps.logger,
  });
}

/**
 * Handover in a worker: the run of each confirmed handover (submit, then poll until settled), and
 * the daily look at get_unassigned_list for salespeople who left without the directory telling us.
 */
export function handoverModule(service: HandoverService, config: Pick<Config, 'capture' | 'timezone'>): WorkModule {
  return {
    name: 'handover',
    processors: [processor(HANDOVER_RUN, (job) => service.run(job.data.handoverId)), processor(LEAVER_SCAN, async () => void (await service.leavers.scan()))],
    produces: [HANDOVER_RUN],
    schedules: [{ job: LEAVER_SCAN, cron: config.capture.staffSyncCron, tz: config.timezone }],
  };
}
