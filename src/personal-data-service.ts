import type { Container } from './container';
import { STAGE_NAMES } from './modules/customers/stage.service';
import { PersonalDataService } from './modules/personal-data';

/** Export and erasure wired to the customers module's timeline and stage names (the web role and the customer CLI). */
export function createPersonalDataService(container: Container): PersonalDataService {
  return new PersonalDataService(container.dataSource, {
    timeline: (customerId, now, name) => container.services.timeline.timeline(customerId, now, name),
    stageName: (stage) => STAGE_NAMES[stage as keyof typeof STAGE_NAMES] ?? stage,
  });
}
