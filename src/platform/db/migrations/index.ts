import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { CaptureTables1763900000000 } from './1763900000000-capture-tables';
import { SopsAndEscalation1764000000000 } from './1764000000000-sops-and-escalation';
import { ContactWayStatus1764200000000 } from './1764200000000-contact-way-status';
import { DatabaseInstance1764310000000 } from './1764310000000-database-instance';
import { QuietHoursHoldsAndReminderClosing1764330000000 } from './1764330000000-quiet-hours-holds-and-reminder-closing';
import { StaffDirectory1764340000000 } from './1764340000000-staff-directory';
import { InboundPayloadRetention1764360000000 } from './1764360000000-inbound-payload-retention';
import { ErasedCustomers1764400000000 } from './1764400000000-erased-customers';
import { OutboundBodyRetention1764410000000 } from './1764410000000-outbound-body-retention';
import { ReminderClosedAt1764411000000 } from './1764411000000-reminder-closed-at';
import { Handovers1764420000000 } from './1764420000000-handovers';
import { OpportunityLifecycle1764430000000 } from './1764430000000-opportunity-lifecycle';
import { Leavers1764440000000 } from './1764440000000-leavers';
import { OpportunitiesBySalesperson1764450000000 } from './1764450000000-opportunities-by-salesperson';
import { GroupBot1764470000000 } from './1764470000000-group-bot';

/** Every migration, in order. Explicit (no globs) so it works the same under ts-node, jest and compiled JS. */
export const ALL_MIGRATIONS = [
  InitialSchema1763800000000,
  CaptureTables1763900000000,
  SopsAndEscalation1764000000000,
  ContactWayStatus1764200000000,
  DatabaseInstance1764310000000,
  QuietHoursHoldsAndReminderClosing1764330000000,
  StaffDirectory1764340000000,
  InboundPayloadRetention1764360000000,
  ErasedCustomers1764400000000,
  OutboundBodyRetention1764410000000,
  ReminderClosedAt1764411000000,
  Handovers1764420000000,
  OpportunityLifecycle1764430000000,
  Leavers1764440000000,
  OpportunitiesBySalesperson1764450000000,
  GroupBot1764470000000,
];
