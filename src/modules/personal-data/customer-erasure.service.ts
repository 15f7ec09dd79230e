import { randomBytes } from 'node:crypto';
import { In, IsNull, Not, type DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import {
  type Customer,
  CustomerGroupMember,
  CustomerRelation,
  Customer as CustomerEntity,
  ErasedCustomer,
  FollowUp,
  InboundEvent,
  OutboundMessage,
  Opportunity,
  OpportunityChange,
  Reminder,
  SopRun,
  SopStepRun,
} from '../../../entities';
import { audit } from '../../platform/db/audit';
import { ERASED_NAME, ERASED_REASON, isErasedRow } from './customer-lookup';
import { erasureReference, recordErasure } from './erasure-tombstone';
import { ERASED_TEXT, identifyingStrings } from './identifying-text';
import { rowsMentioning, scrubbedColumns, textColumns } from './mention-scan';

/** Rows changed (or, in a dry run, that would change), by table. */
export type ErasureCounts = Record<string, number>;

export type ErasureResult = { kind: 'already_erased' } | { kind: 'erased' | 'dry_run'; reference: string; counts: ErasureCounts };

export interface ErasureRequest {
  actor: string;
  /** cli, http: how the erasure was asked for (audited) */
  via: string;
  dryRun?: boolean;
}

class DryRunRollback extends Error {}

/**
 * Erases one customer's personal data (PIPL art. 47). What identifies them goes: their profile, each
 * salesperson's remark, description and phone numbers, the text of follow-ups and reminders (open
 * ones closed with the reason customer_erased), what SOP steps said (pending ones skipped), and every copy of their id, name, remark or phone in any other text (stored
 * callbacks, messages sent, the audit trail, sync reports). The rows stay, anonymised, wherever a
 * count depends on them: the customer (the funnel), relations (new and lost customers, channels),
 * stage moves, follow-ups and reminders (the digests' figures), opportunities. One transaction:
 * all of it or none. A dry run does the same and rolls back, so its counts are exact.
 */
export async function eraseCustomer(dataSource: DataSource, customer: Customer, request: ErasureRequest): Promise<ErasureResult> {
  if (isErasedRow(customer)) return { kind: 'already_erased' };
  let outcome: ErasureResult | undefined;
  await zeroFreedPages(dataSource);
  try {
    await dataSource.transaction(async (m) => {
      const current = await m.getRepository(CustomerEntity).findOneByOrFail({ id: customer.id });
      if (isErasedRow(current)) {
        outcome = { kind: 'already_erased' };
        return;
      }
      const { reference, counts } = await eraseIn(m, current);
      if (request.dryRun) {
        outcome = { kind: 'dry_run', reference, counts };
        throw new DryRunRollback();
      }
      await audit(m, {
        actor: request.actor,
        action: 'customer.erase',
        targetType: 'customer',
        targetId: current.id,
        detail: { via: request.via, reference, rows: counts },
      });
      outcome = { kind: 'erased', reference, counts };
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  if (outcome?.kind === 'erased') await writeBackLog(dataSource);
  return outcome!;
}

/**
 * On SQLite the rows' previous versions stay in the write-ahead log, and in pages the erasure frees,
 * until they are reused: freed pages are zeroed (secure_delete, for this connection) and the log is
 * written back into the file and emptied after the erasure, so the erased text is gone from the disk
 * too. (A checkpoint another process's open read holds up is finished by SQLite's next one.) MariaDB
 * keeps old versions only in its undo and redo logs, which it overwrites as it goes.
 */
const isSqlite = (dataSource: DataSource) => dataSource.options.type === 'better-sqlite3';

async function zeroFreedPages(dataSource: DataSource): Promise<void> {
  if (isSqlite(dataSource)) await dataSource.query('PRAGMA secure_delete = ON');
}

async function writeBackLog(dataSource: DataSource): Promise<void> {
  if (isSqlite(dataSource)) await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
}

const FINISHED_INBOUND = new Set(['done', 'ignored', 'failed']);
const FINISHED_OUTBOUND = new Set(['sent', 'failed', 'duplicate', 'unknown']);

/** A stored callback or sent message that nothing will read again to act on (unfinished ones are only scrubbed). */
function isFinishedTraffic(target: unknown, row: ObjectLiteral): boolean {
  if (target === InboundEvent) return FINISHED_INBOUND.has(String(row.status));
  if (target === OutboundMessage) return FINISHED_OUTBOUND.has(String(row.status));
  return false;
}

async function eraseIn(m: EntityManager, customer: Customer): Promise<{ reference: string; counts: ErasureCounts }> {
  const counts: ErasureCounts = {};
  const note = (table: string, n: number | undefined) => {
    if (n) counts[table] = (counts[table] ?? 0) + n;
  };
  const relations = await m.getRepository(CustomerRelation).findBy({ customerId: customer.id });
  const needles = identifyingStrings(customer, relations);
  // A hand-made customer has no WeCom id to refuse later: its reference is only a name for this erasure.
  const reference = customer.externalUserid ? await recordErasure(m, customer.externalUserid) : erasureReference(randomBytes(8).toString('hex'));

  await m.getRepository(CustomerEntity).update(
    { id: customer.id },
    {
      externalUserid: null,
      name: ERASED_NAME,
      avatar: null,
      gender: 0,
      corpName: null,
      corpFullName: null,
      position: null,
      unionid: null,
      // nothing is sent about them any more (SOP steps, pushes)
      doNotContact: true,
      doNotContactReason: ERASED_REASON,
    },
  );
  note('customers', 1);
  const byCustomer = { customerId: customer.id };
  note(
    'customer_relations',
    (await m.getRepository(CustomerRelation).update(byCustomer, { remark: null, description: null, remarkMobiles: null, remarkCorpName: null })).affected,
  );
  note('follow_ups', (await m.getRepository(FollowUp).update(byCustomer, { content: ERASED_TEXT })).affected);
  // Open reminders are closed with the reason, not fired later with [已删除] for text; a digest of a day
  // begun before now still counts them as they stood (digest-queries.service.ts), so its figures hold.
  await m
    .getRepository(Reminder)
    .update({ ...byCustomer, status: In(['pending', 'sent']) }, { status: 'cancelled', closeReason: 'customer_erased', closedAt: new Date() });
  note('reminders', (await m.getRepository(Reminder).update(byCustomer, { content: ERASED_TEXT })).affected);
  // 输单's reason is free text (it may name the customer); amounts and dates stay for the figures
  const withReason = { customerId: customer.id, closeReason: Not(IsNull()) };
  note('opportunities', (await m.getRepository(Opportunity).update(withReason, { closeReason: ERASED_TEXT })).affected);
  note(
    'opportunity_changes',
    (await m.getRepository(OpportunityChange).update({ customerId: customer.id, reason: Not(IsNull()) }, { reason: ERASED_TEXT })).affected,
  );
  const runs = await m.getRepository(SopRun).findBy(byCustomer);
  if (runs.length) {
    const runIds = In(runs.map((r) => r.id));
    note('sop_runs', (await m.getRepository(SopRun).update(byCustomer, { context: null, status: 'finished' })).affected);
    note(
      'sop_step_runs',
      (await m.getRepository(SopStepRun).update({ runId: runIds, status: 'pending' }, { status: 'skipped', skipReason: 'customer_erased' })).affected,
    );
    note('sop_step_runs', (await m.getRepository(SopStepRun).update({ runId: runIds, message: Not(IsNull()) }, { message: ERASED_TEXT })).affected);
  }
  if (customer.externalUserid) {
    // A group keeps its member count; the member is no longer anyone (unique per erasure, as (group, member) is).
    note(
      'customer_group_members',
      (
        await m
          .getRepository(CustomerGroupMember)
          .update({ memberId: customer.externalUserid }, { memberId: `erased:${reference}`, name: null, groupNickname: null, unionid: null })
      ).affected,
    );
  }

  // Every other copy, wherever it was written: each text column of each table.
  for (const meta of m.connection.entityMetadatas) {
    if (meta.target === ErasedCustomer) continue;
    const columns = textColumns(meta);
    for (const row of await rowsMentioning(m, meta, needles, columns)) {
      // A finished callback or message about them goes whole, as retention would prune it: what was
      // typed with their name (a phone number, an address in a note) is theirs too, named or not.
      const changes = {
        ...scrubbedColumns(row, columns, needles),
        ...(isFinishedTraffic(meta.target, row) ? { payload: {}, payloadPrunedAt: new Date() } : {}),
      };
      if (Object.keys(changes).length === 0) continue;
      await m.getRepository(meta.target).update({ id: row.id }, changes);
      note(meta.tableName, 1);
    }
  }
  return { reference, counts };
}
