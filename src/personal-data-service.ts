import { STAGE_NAMES } from '../templates/labels';
import { timelineText } from '../templates/timeline';
import type { Container } from './container';
import { PersonalDataService } from './modules/personal-data';

/** Export and erasure wired to the customers module's timeline (in words) and stage names (the web role and the customer CLI). */
export function createPersonalDataService(container: Container): PersonalDataService {
  return new PersonalDataService(container.dataSource, {
    timeline: async (customerId, now, name) =>
      (await container.services.timeline.timeline(customerId, now, name)).map((e) => ({
        at: e.at,
        kind: e.event.kind,
        actor: e.actor,
        text: timelineText(e.event),
      })),
    stageName: (stage) => STAGE_NAMES[stage as keyof typeof STAGE_NAMES] ?? stage,
  });
}
