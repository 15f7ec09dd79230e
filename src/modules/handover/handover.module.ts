import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { QueueSet } from '../../platform/queue/queues';
import { HANDOVER_RUN, handoverRuns } from './handover-run.job';
import { HandoverService } from './handover.service';
import type { TransferApi } from './transfer-api.port';

export interface HandoverDeps {
  dataSource: DataSource;
  /** WeCom's transfer APIs (the WeCom client) */
  api: TransferApi;
  queues: QueueSet;
  outbound: OutboundService;
  config: Pick<Config, 'admins' | 'timezone'>;
  now: () => Date;
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
  });
}

/** Handover in a worker: the run of each confirmed handover (submit, then poll until settled). */
export function handoverModule(service: HandoverService): WorkModule {
  return {
    name: 'handover',
    processors: [processor(HANDOVER_RUN, (job) => service.run(job.data.handoverId))],
    produces: [HANDOVER_RUN],
  };
}
