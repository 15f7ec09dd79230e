import type { Container } from '../../container';
import { createCaptureModule, type CaptureModule, type CaptureOptions } from './capture.module';
import { eventTime } from './contact-event.handler';
import { reconcileAndReport, scheduleReconciliation } from './reconcile.job';
import { scheduleStaffDirectory, STAFF_DIRECTORY_JOB, startStaffDirectoryIfNeeded } from './staff-directory.job';
import { syncTeams } from './teams-file';

/**
 * Registers the handlers for customer, tag and group events, and starts what capture needs at worker
 * start: the teams file into `teams`/`staff`, a fresh corp tag dictionary (tags may have changed
 * while no worker ran), the staff directory's daily refresh (and one now when some member was never
 * read), and the nightly reconciliation schedule and its processor. `ready` settles when that
 * start-up work is done.
 */
export function registerCaptureHandlers(container: Container, options: CaptureOptions = {}): { capture: CaptureModule; ready: Promise<void> } {
  const capture = createCaptureModule(container, options);
  const { handlers, logger } = container;

  handlers.register(
    'change_external_contact',
    (event) => capture.contacts.handle(event),
    // an add's recording, deferred behind the welcomes of a burst
    (event, _attempt, carry) => capture.contacts.handleLater(event, carry),
  );

  // create/update/delete/shuffle all re-pull the whole list (a deleted group takes its tags silently).
  handlers.register('change_external_tag', async () => {
    await capture.dictionary.refresh();
  });

  handlers.register('change_external_chat', async (event) => {
    const chatId = typeof event.payload.ChatId === 'string' ? event.payload.ChatId : '';
    if (!chatId) return;
    if (event.payload.ChangeType === 'dismiss') await capture.groups.dismiss(chatId, eventTime(event));
    else await capture.groups.refresh(chatId);
  });

  // 通讯录变更 (create_user / update_user / delete_user), where WeCom delivers it to the app.
  handlers.register('change_contact', (event) => capture.staff.onChangeContact(event));

  const maintenance = container.queues.get('maintenance');
  void maintenance.process('reconcile', 1, async () => {
    await reconcileAndReport(container, capture);
  });
  void maintenance.process(STAFF_DIRECTORY_JOB, 1, async () => {
    await capture.staff.refreshAll();
  });

  const ready = (async () => {
    await syncTeams(container.dataSource, capture.teams);
    await scheduleReconciliation(maintenance, container.config.capture.reconcileCron, container.config.timezone);
    await scheduleStaffDirectory(maintenance, container.config.capture.staffSyncCron, container.config.timezone);
    // Members named by the teams file (or met while no worker ran) get their names now, not at the next nightly run.
    await startStaffDirectoryIfNeeded(maintenance, capture.staff, container.config.capture.staffSyncCron);
    try {
      await capture.dictionary.refresh();
    } catch (error) {
      // WeCom unreachable at start: events and the nightly reconciliation refresh it later.
      logger.warn({ err: error }, 'corp tag dictionary refresh at startup failed');
    }
  })();
  ready.catch((error) => logger.error({ err: error }, 'capture start-up failed'));
  return { capture, ready };
}
