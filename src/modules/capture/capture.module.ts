import type { Container } from '../../container';
import { CaptureAlerts } from './capture-alerts';
import { loadChannelRules, type ChannelRules } from './channel-rules';
import { ContactEventHandler } from './contact-event.handler';
import { CorpTagDictionary } from './corp-tag-dictionary';
import { CustomerGroupSync } from './customer-group.sync';
import { noopSopStarter, type SopStarter } from './sop-starter.port';
import { StaffDirectory } from './staff-directory';
import { loadTeamsFile, type TeamsFile } from './teams-file';

/** Everything customer capture needs, built once from the container (worker processes and the CLI). */
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
  /** parsed definitions instead of the files named in the config (tests) */
  rules?: ChannelRules;
  teams?: TeamsFile;
}

/** Loads and validates the channel rules and teams files: an invalid file stops startup with every problem listed. */
export function createCaptureModule(container: Container, options: CaptureOptions = {}): CaptureModule {
  const { dataSource, wecomApi, outbound, logger, config } = container;
  const rules = options.rules ?? loadChannelRules(config.capture.channelRulesFile);
  const teams = options.teams ?? loadTeamsFile(config.capture.teamsFile);
  const dictionary = new CorpTagDictionary(dataSource, wecomApi);
  const groups = new CustomerGroupSync(dataSource, wecomApi);
  const alerts = new CaptureAlerts(dataSource, outbound, config.timezone, config.admins, logger);
  // The daily refresh takes at most half of user/get's budget: lookups of members seen for the first time keep the rest.
  const staff = new StaffDirectory(dataSource, wecomApi, logger, {
    refreshCallIntervalMs: (2 * config.outbound.windowMs) / config.outbound.apiBudgetPerWindow,
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
    logger,
  });
  return { rules, teams, dictionary, groups, alerts, staff, contacts };
}
