import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import { processor, type WorkModule } from '../../platform/module';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { QueueSet } from '../../platform/queue/queues';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { CaptureAlerts } from './capture-alerts';
import { loadChannelRules, type ChannelRules } from './channel-rules';
import { ContactEventHandler, eventTime } from './contact-event.handler';
import { CorpTagDictionary } from './corp-tag-dictionary';
import { CustomerGroupSync } from './customer-group.sync';
import { RECONCILE, reconcileAndReport } from './reconcile.job';
import { noopSopStarter, type SopStarter } from './sop-starter.port';
import { StaffDirectory } from './staff-directory';
import type { TransferHook } from './transfer-hook.port';
import type { LeaverHook } from './leaver-hook.port';
import { STAFF_DIRECTORY, startStaffDirectoryIfNeeded } from './staff-directory.job';
import { loadTeamsFile, syncTeams, type TeamsFile } from './teams-file';

/** What customer capture uses. */
export interface CaptureDeps {
  dataSource: DataSource;
  wecomApi: WecomApiClient;
  outbound: OutboundService;
  logger: Logger;
  config: Pick<Config, 'capture' | 'timezone' | 'admins' | 'outbound'> & Partial<Pick<Config, 'bot'>>;
}

/** Everything customer capture needs, built once (worker processes and the CLI). */
export interface CaptureModule {
  rules: ChannelRules;
  teams: TeamsFile;
  dictionary: CorpTagDictionary;
  groups: CustomerGroupSync;
  alerts: CaptureAlerts;
  staff: StaffDirectory;
  contacts: ContactEventHandler;
}

export interface CaptureOptions {
  sops?: SopStarter;
  /** handover, told of transfers WeCom completed or refused */
  transfers?: TransferHook;
  /** handover, told of salespeople who left the company */
  leavers?: LeaverHook;
  /** parsed definitions instead of the files named in the config (tests) */
  rules?: ChannelRules;
  teams?: TeamsFile;
}

/** Loads and validates the channel rules and teams files: an invalid file stops startup with every problem listed. */
export function createCaptureModule(deps: CaptureDeps, options: CaptureOptions = {}): CaptureModule {
  const { dataSource, wecomApi, outbound, logger, config } = deps;
  const rules = options.rules ?? loadChannelRules(config.capture.channelRulesFile);
  const teams = options.teams ?? loadTeamsFile(config.capture.teamsFile);
  const dictionary = new CorpTagDictionary(dataSource, wecomApi);
  const groups = new CustomerGroupSync(dataSource, wecomApi);
  const alerts = new CaptureAlerts(dataSource, outbound, config.timezone, config.admins, logger, config.bot !== undefined);
  // The daily refresh takes at most half of user/get's budget: lookups of members seen for the first time keep the rest.
  const staff = new StaffDirectory(dataSource, wecomApi, logger, {
    refreshCallIntervalMs: (2 * config.outbound.windowMs) / config.outbound.apiBudgetPerWindow,
    leavers: options.leavers,
  });
  const contacts = new ContactEventHandler({
    dataSource,
    api: wecomApi,
    outbound,
    rules,
    dictionary,
    alerts,
    staff,
    sops: options.sops ?? noopSopStarter,
    transfers: options.transfers,
    logger,
  });
  return { rules, teams, dictionary, groups, alerts, staff, contacts };
}

/**
 * Capture in a worker: the handlers for customer, tag, group and staff events; the nightly
 * reconciliation and the staff directory's daily refresh; and, at start, the teams file into
 * `teams`/`staff`, a refresh of staff never read (the teams file names them, or no worker ran since)
 * and a fresh corp tag dictionary (tags may have changed while no worker ran).
 */
export function captureWork(deps: CaptureDeps & { queues: QueueSet }, capture: CaptureModule): WorkModule {
  const { config, logger } = deps;
  return {
    name: 'capture',
    events: [
      {
        kind: 'change_external_contact',
        handle: (event) => capture.contacts.handle(event),
        // an add's recording, deferred behind the welcomes of a burst
        later: (event, _attempt, carry) => capture.contacts.handleLater(event, carry),
      },
      // create/update/delete/shuffle all re-pull the whole list (a deleted group takes its tags silently).
      { kind: 'change_external_tag', handle: async () => void (await capture.dictionary.refresh()) },
      {
        kind: 'change_external_chat',
        handle: async (event) => {
          const chatId = typeof event.payload.ChatId === 'string' ? event.payload.ChatId : '';
          if (!chatId) return;
          if (event.payload.ChangeType === 'dismiss') await capture.groups.dismiss(chatId, eventTime(event));
          else await capture.groups.refresh(chatId);
        },
      },
      // 通讯录变更 (create_user / update_user / delete_user), where WeCom delivers it to the app.
      { kind: 'change_contact', handle: (event) => capture.staff.onChangeContact(event) },
    ],
    processors: [
      processor(RECONCILE, async () => void (await reconcileAndReport(deps, capture))),
      processor(STAFF_DIRECTORY, async () => void (await capture.staff.refreshAll())),
    ],
    schedules: [
      { job: RECONCILE, cron: config.capture.reconcileCron, tz: config.timezone },
      { job: STAFF_DIRECTORY, cron: config.capture.staffSyncCron, tz: config.timezone },
    ],
    async start() {
      await syncTeams(deps.dataSource, capture.teams);
      // Members named by the teams file (or met while no worker ran) get their names now, not at the next nightly run.
      await startStaffDirectoryIfNeeded(deps.queues, capture.staff, config.capture.staffSyncCron);
      try {
        await capture.dictionary.refresh();
      } catch (error) {
        // WeCom unreachable at start: events and the nightly reconciliation refresh it later.
        logger.warn({ err: error }, 'corp tag dictionary refresh at startup failed');
      }
    },
  };
}
