import { createHmac, randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ErasedCustomer } from '../../../entities';
import { INSTANCE_TABLE } from '../../platform/db/instance-id';

/**
 * The salted hash an erased customer leaves behind. The salt is this database's (migration
 * 1764400000000); a database whose instance row was made again after the migration gets a new one
 * here, the first time it is needed.
 */
async function erasureSalt(m: EntityManager | DataSource): Promise<string> {
  const read = async () =>
    (await m.createQueryBuilder().select('i.erasure_salt', 'salt').from(INSTANCE_TABLE, 'i').where('i.id = 1').getRawOne<{ salt: string }>())?.salt ?? '';
  const salt = await read();
  if (salt) return salt;
  await m
    .createQueryBuilder()
    .update(INSTANCE_TABLE)
    .set({ erasure_salt: randomBytes(16).toString('hex') })
    .where("id = 1 AND erasure_salt = ''")
    .execute();
  const made = await read();
  if (!made) throw new Error(`the ${INSTANCE_TABLE} table has no row: start the app once (or run the migrations) before erasing`);
  return made;
}

export async function subjectHash(m: EntityManager | DataSource, externalUserid: string): Promise<string> {
  return createHmac('sha256', await erasureSalt(m))
    .update(externalUserid)
    .digest('hex');
}

/** Whether this external_userid belongs to a customer erased here: sync must not import them again. */
export async function isErasedCustomer(m: EntityManager | DataSource, externalUserid: string): Promise<boolean> {
  if ((await m.getRepository(ErasedCustomer).count()) === 0) return false; // no salt read on the common path
  return m.getRepository(ErasedCustomer).existsBy({ subjectHash: await subjectHash(m, externalUserid) });
}

/** Records the erasure (idempotent) and answers the non-reversible reference the audit entry names. */
export async function recordErasure(m: EntityManager, externalUserid: string): Promise<string> {
  const hash = await subjectHash(m, externalUserid);
  await m.createQueryBuilder().insert().into(ErasedCustomer).values({ subjectHash: hash }).orIgnore().updateEntity(false).execute();
  return erasureReference(hash);
}

/**
 * The customer added a salesperson again (a new add in WeCom): from now on they are a new customer,
 * whom sync may import like anyone else.
 */
export async function liftErasure(m: EntityManager, externalUserid: string): Promise<void> {
  if ((await m.getRepository(ErasedCustomer).count()) === 0) return;
  await m.getRepository(ErasedCustomer).delete({ subjectHash: await subjectHash(m, externalUserid) });
}

/** The short reference an audit entry and the CLI show: the hash's head, which names the erasure without naming the customer. */
export const erasureReference = (hash: string): string => hash.slice(0, 16);

/** Which of these external_userids belong to erased customers (one salt read, one query). */
export async function erasedAmong(m: EntityManager, externalUserids: string[]): Promise<Set<string>> {
  if (externalUserids.length === 0 || (await m.getRepository(ErasedCustomer).count()) === 0) return new Set();
  const salt = await erasureSalt(m);
  const byHash = new Map(externalUserids.map((id) => [hmac(salt, id), id]));
  const found = await m.getRepository(ErasedCustomer).findBy({ subjectHash: In([...byHash.keys()]) });
  return new Set(found.map((f) => byHash.get(f.subjectHash)!));
}

const hmac = (salt: string, externalUserid: string) => createHmac('sha256', salt).update(externalUserid).digest('hex');
