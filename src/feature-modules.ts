import { TagService } from './modules/customers';
import { StageService } from './modules/customers';
import { corpTagSync } from './modules/customers';
import { UndoService } from './modules/follow-ups';
import { closeOpenOpportunities, pipelineModule } from './modules/pipeline';
import type { Container } from './container';
import type { WorkModule } from './platform/module';
import { captureWork, createCaptureModule } from './modules/capture';
import { chatModule } from './modules/chat';
import { digestsModule } from './modules/digests';
import { groupBotModule } from './modules/group-bot';
import { createHandoverService, handoverModule } from './modules/handover';
import { remindersModule } from './modules/reminders';
import { checkChannelRuleSops, createSopModule } from './modules/sop';

/**
 * The feature modules of a worker process, in one place. The composition root: it hands each module
 * the few things it names, and its build order resolves what would otherwise be cycles (the SOP
 * engine first, then the stage and tag services that trigger it and capture that starts SOPs).
 */
export function workerModules(container: Container, now: () => Date = () => new Date(container.now())): WorkModule[] {
  const { dataSource, outbound, logger, config, queues, wecomApi } = container;
  // SOPs (templates/sops.json, validated here) start from customer adds, stage and tag changes, silence.
  const sop = createSopModule({ dataSource, queues, outbound, logger, config, now, channels: container.services.channels });
  // Customer, tag and group events (客户联系); its start-up work (teams file, tag dictionary) runs in the background.
  const captureDeps = { dataSource, wecomApi, outbound, logger, config, queues };
  // 转接: the commands' proposals, the runs that submit and poll them, and capture's transfer events.
  const handover = createHandoverService({ dataSource, api: wecomApi, queues, outbound, config, now, logger });
  // 离职继承: the staff directory tells handover of a salesperson who left.
  const capture = createCaptureModule(captureDeps, { sops: sop.engine, transfers: handover.transferHook, leavers: handover.leavers.hook });
  checkChannelRuleSops(capture.rules, sop.definitions, config.capture.channelRulesFile, config.sop.file);
  // The commands' stage and tag changes reach this worker's SOP engine.
  const tags = new TagService(dataSource, corpTagSync(wecomApi), sop.engine);
  const services = {
    ...container.services,
    tags,
    stages: new StageService(dataSource, sop.engine, { closeOpen: closeOpenOpportunities }),
    undo: new UndoService(dataSource, container.reminderScheduler, tags),
    handover,
  };
  return [
    ...coreModules(container),
    sop.work,
    captureWork(captureDeps, capture),
    // Daily and weekly digests: their schedules and processors on the maintenance queue.
    digestsModule({ digest: container.services.digest, outbound, logger, config, charts: container.services.charts }),
    // Close-date cards of opportunities, each morning.
    pipelineModule({ dataSource, outbound, logger, config }),
    chatModule({ dataSource, services, outbound, logger, config, now }),
    handoverModule(handover, config),
    // The smart bot (智能机器人) in team groups, only when WECOM_BOT_ID is set: without it nothing changes.
    ...(config.bot ? [groupBotModule({ dataSource, services, outbound, logger, config, now })] : []),
  ];
}

/** What every worker runs, whatever else it does: reminders fire, and their overdue checks run. */
export function coreModules(container: Container): WorkModule[] {
  const { dataSource, queues, outbound, logger, config } = container;
  return [
    remindersModule({
      dataSource,
      queues,
      outbound,
      reminders: container.services.reminders,
      scheduler: container.reminderScheduler,
      logger,
      config,
      now: container.now,
    }),
  ];
}
