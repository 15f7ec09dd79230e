import { In, type DataSource } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { Customer, CustomerRelation, CustomerTag, Tag, type TagLinkSource } from '../../../entities';
import { audit } from '../../platform/db/audit';
import type { CorpTagSync } from './corp-tag-sync.port';
import type { SopTriggers } from './sop-triggers.port';

/**
 * Customer tags. A name that matches a WeCom corp tag uses it (and is marked in WeCom too, for every
 * salesperson who follows the customer); any other name becomes a local tag (WeCom limits corp tags).
 */
export class TagService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly corpTags: CorpTagSync,
    private readonly sops?: SopTriggers,
  ) {}

  /** Adds the tags; returns the names newly linked (already-present ones are not an error). */
  async add(input: { customer: Customer; names: string[]; actor: string; source: TagLinkSource; sourceKey: string }): Promise<string[]> {
    const tags = await Promise.all(input.names.map((name) => this.findOrCreate(name)));
    const links = this.dataSource.getRepository(CustomerTag);
    const existing = await links.findBy({ customerId: input.customer.id, tagId: In(tags.map((t) => t.id)) });
    const missing = tags.filter((t) => !existing.some((e) => e.tagId === t.id));
    if (missing.length > 0) {
      await this.dataSource.transaction(async (m) => {
        await insertIgnore(
          m.getRepository(CustomerTag),
          missing.map((t) => ({ customerId: input.customer.id, tagId: t.id, source: input.source, addedBy: input.actor })),
        );
        await audit(m, {
          actor: input.actor,
          action: 'tag.add',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { tagIds: missing.map((t) => t.id) },
          sourceKey: input.sourceKey,
        });
      });
    }
    await this.syncToWecom(
      input.customer,
      tags.filter((t) => t.origin === 'wecom').map((t) => t.wecomTagId!),
      [],
    );
    // Every requested tag, not only the new links: a redelivered command must still start what the first run did not.
    await this.sops?.tagsAdded({ customerId: input.customer.id, tagNames: tags.map((t) => t.name), staffUserid: input.actor, sourceKey: input.sourceKey });
    return missing.map((t) => t.name);
  }

  /** Removes the tags that the customer has; returns the names removed and the names it did not have. */
  async remove(input: { customer: Customer; names: string[]; actor: string; sourceKey: string }): Promise<{ removed: string[]; absent: string[] }> {
    const linked = await this.dataSource.getRepository(CustomerTag).find({ where: { customerId: input.customer.id }, relations: { tag: true } });
    const toRemove = linked.filter((l) => input.names.includes(l.tag.name));
    if (toRemove.length > 0) {
      await this.dataSource.transaction(async (m) => {
        await m.getRepository(CustomerTag).delete({ id: In(toRemove.map((l) => l.id)) });
        await audit(m, {
          actor: input.actor,
          action: 'tag.remove',
          targetType: 'customer',
          targetId: input.customer.id,
          detail: { links: toRemove.map((l) => ({ tagId: l.tagId, source: l.source, addedBy: l.addedBy })) },
          sourceKey: input.sourceKey,
        });
      });
    }
    const wecomIds = toRemove.filter((l) => l.tag.origin === 'wecom' && l.tag.wecomTagId).map((l) => l.tag.wecomTagId!);
    await this.syncToWecom(input.customer, [], wecomIds);
    const removed = toRemove.map((l) => l.tag.name);
    return { removed, absent: input.names.filter((n) => !removed.includes(n)) };
  }

  async namesFor(customerId: number): Promise<string[]> {
    const links = await this.dataSource.getRepository(CustomerTag).find({ where: { customerId }, relations: { tag: true }, order: { id: 'ASC' } });
    return links.filter((l) => !l.tag.deleted).map((l) => l.tag.name);
  }

  private async findOrCreate(name: string): Promise<Tag> {
    const repo = this.dataSource.getRepository(Tag);
    const found = await repo.find({ where: { name, deleted: false }, order: { origin: 'DESC' } });
    const corp = found.find((t) => t.origin === 'wecom');
    if (corp ?? found[0]) return (corp ?? found[0])!;
    await insertIgnore(repo, { name, groupName: '', origin: 'local' });
    return repo.findOneByOrFail({ name, groupName: '', origin: 'local' });
  }

  /** 撤销 of a tag change: the corp tags among `add` / `remove` (tag ids) marked in WeCom as a command would. */
  async markCorpTags(customerId: number, change: { add: number[]; remove: number[] }): Promise<void> {
    const ids = [...change.add, ...change.remove];
    const [customer, tags] = await Promise.all([
      this.dataSource.getRepository(Customer).findOneBy({ id: customerId }),
      ids.length ? this.dataSource.getRepository(Tag).findBy({ id: In(ids) }) : [],
    ]);
    const wecomIds = (wanted: number[]) => tags.filter((t) => wanted.includes(t.id) && t.origin === 'wecom' && t.wecomTagId).map((t) => t.wecomTagId!);
    if (customer) await this.syncToWecom(customer, wecomIds(change.add), wecomIds(change.remove));
  }

  private async syncToWecom(customer: Customer, add: string[], remove: string[]): Promise<void> {
    if ((add.length === 0 && remove.length === 0) || !customer.externalUserid) return;
    const relations = await this.dataSource.getRepository(CustomerRelation).findBy({ customerId: customer.id, status: 'active' });
    for (const relation of relations) {
      await this.corpTags.markTags({ userid: relation.staffUserid, externalUserid: customer.externalUserid, add, remove });
    }
  }
}
