import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { insertIgnore } from '../platform/db/insert-ignore';
import { Customer, CustomerRelation, FollowUp, Opportunity, OpportunityChange, Reminder, Staff, StageChange, Team } from '../../entities';
import { type SeedCustomer, type SeedOptions, seedCustomers, seedTeams } from './seed-data';

/** Rows per INSERT: large enough to be fast, small enough for max_allowed_packet. */
const BATCH = 1000;

export interface SeedCounts {
  customers: number;
  relations: number;
  followUps: number;
  stageChanges: number;
  reminders: number;
  opportunities: number;
  opportunityChanges: number;
}

/**
 * Writes a generated data set with multi-row INSERTs (TypeORM's insert builder, no entity
 * round-trips). Refuses a database that already has customers: the set is meant to be exactly what
 * the options say. `onCustomer` sees every generated customer (the correctness test recounts them).
 */
export async function writeSeed(dataSource: DataSource, options: SeedOptions, onCustomer?: (c: SeedCustomer) => void): Promise<SeedCounts> {
  if ((await dataSource.getRepository(Customer).count()) > 0) throw new Error('the database already has customers: seed an empty database');
  const { teams, staff } = seedTeams(options);
  for (const team of teams) {
    await insertIgnore(dataSource.getRepository(Team), { name: team.name, leadUserid: team.leadUserid, robotWebhookUrl: team.robotWebhookUrl });
  }
  const teamIds = new Map((await dataSource.getRepository(Team).find()).map((t) => [t.name, t.id]));
  await insertAll(
    dataSource,
    Staff,
    staff.map((s) => ({ userid: s.userid, wecomUserid: s.userid, name: s.name, teamId: teamIds.get(teams[s.team]!.name) ?? null, active: true })),
  );

  const counts: SeedCounts = { customers: 0, relations: 0, followUps: 0, stageChanges: 0, reminders: 0, opportunities: 0, opportunityChanges: 0 };
  let batch: SeedCustomer[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const ids = await insertCustomers(dataSource, batch);
    const rows = <T>(f: (c: SeedCustomer, id: number) => T[]) => batch.flatMap((c, i) => f(c, ids[i]!));
    const relations = rows((c, id) =>
      c.relations.map((r) => ({
        customerId: id,
        staffUserid: r.staffUserid,
        state: r.state,
        addedAt: r.addedAt,
        status: r.status,
        endedAt: r.endedAt,
        createdAt: r.addedAt,
      })),
    );
    const followUps = rows((c, id) => c.followUps.map((f) => ({ customerId: id, staffUserid: f.staffUserid, content: f.content, createdAt: f.createdAt })));
    const stageChanges = rows((c, id) => c.stageChanges.map((s) => ({ customerId: id, ...s })));
    const reminders = rows((c, id) => c.reminders.map((r) => ({ customerId: id, ...r })));
    await insertAll(dataSource, CustomerRelation, relations);
    await insertAll(dataSource, FollowUp, followUps);
    await insertAll(dataSource, StageChange, stageChanges);
    await insertAll(dataSource, Reminder, reminders);
    const opportunityChanges = await insertOpportunities(dataSource, options.seed, batch, ids);
    counts.customers += batch.length;
    counts.relations += relations.length;
    counts.followUps += followUps.length;
    counts.stageChanges += stageChanges.length;
    counts.reminders += reminders.length;
    counts.opportunities += batch.reduce((n, c) => n + c.opportunities.length, 0);
    counts.opportunityChanges += opportunityChanges;
    batch = [];
  };
  for (const customer of seedCustomers(options, staff)) {
    onCustomer?.(customer);
    batch.push(customer);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return counts;
}

/**
 * The batch's opportunities and their history as the commands would have left it: a `create` change
 * when recorded and a `won` / `lost` one when closed. Returns how many changes were written.
 */
async function insertOpportunities(dataSource: DataSource, seed: number, batch: SeedCustomer[], customerIds: number[]): Promise<number> {
  const rows = batch.flatMap((c, i) =>
    c.opportunities.map((o, k) => ({ ...o, customerId: customerIds[i]!, updatedAt: o.closedAt ?? o.createdAt, sourceKey: `seed:${seed}:${c.index}:${k}` })),
  );
  if (!rows.length) return 0;
  await insertAll(dataSource, Opportunity, rows);
  const ids = new Map<string, number>();
  for (let i = 0; i < rows.length; i += BATCH) {
    const found: Array<{ id: number; source_key: string }> = await dataSource
      .createQueryBuilder()
      .select(['o.id AS id', 'o.source_key AS source_key'])
      .from('opportunities', 'o')
      .where('o.source_key IN (:...keys)', { keys: rows.slice(i, i + BATCH).map((r) => r.sourceKey) })
      .getRawMany();
    for (const f of found) ids.set(f.source_key, Number(f.id));
  }
  const changes = rows.flatMap((o) => {
    const base = {
      opportunityId: ids.get(o.sourceKey)!,
      customerId: o.customerId,
      amount: o.amount,
      probability: o.probability,
      expectedCloseAt: o.expectedCloseAt,
    };
    const created = { ...base, kind: 'create' as const, status: 'open' as const, staffUserid: o.staffUserid, createdAt: o.createdAt };
    return o.status === 'open' ? [created] : [created, { ...base, kind: o.status, status: o.status, staffUserid: o.staffUserid, createdAt: o.closedAt! }];
  });
  await insertAll(dataSource, OpportunityChange, changes);
  return changes.length;
}

/** Inserts a batch of customers and returns their ids in order (looked up by external id: portable, no reliance on insertId ranges). */
async function insertCustomers(dataSource: DataSource, batch: SeedCustomer[]): Promise<number[]> {
  await insertAll(
    dataSource,
    Customer,
    batch.map((c) => ({
      name: c.name,
      externalUserid: c.externalUserid,
      stage: c.stage,
      stageChangedAt: c.stageChangedAt,
      lastContactAt: c.lastContactAt,
      createdAt: c.createdAt,
    })),
  );
  const rows: Array<{ id: number; external_userid: string }> = await dataSource
    .createQueryBuilder()
    .select(['c.id AS id', 'c.external_userid AS external_userid'])
    .from('customers', 'c')
    .where('c.external_userid IN (:...ids)', { ids: batch.map((c) => c.externalUserid) })
    .getRawMany();
  const byExternal = new Map(rows.map((r) => [r.external_userid, Number(r.id)]));
  return batch.map((c) => byExternal.get(c.externalUserid)!);
}

async function insertAll<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await dataSource
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + BATCH) as never)
      .updateEntity(false)
      .execute();
  }
}
