import { In, Not, type DataSource } from 'typeorm';
import { insertIgnore } from '../../platform/db/insert-ignore';
import { RowCache } from '../../platform/db/row-cache';
import { Tag } from '../../../entities';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { CorpTagGroup } from '../../platform/wecom/api/wecom-api.types';
import type { RuleTag } from './channel-rules';

/** How long the tags a channel rule resolved to are reused (a tag deleted in WeCom is seen by the next refresh). */
const ENSURED_TTL_MS = 30_000;

export interface DictionaryDiff {
  added: number;
  changed: number;
  removed: number;
}

/**
 * The corp tag dictionary (企业标签) mirrored from `get_corp_tag_list`. A full re-pull is the only
 * safe refresh: deleting a group deletes its tags without per-tag callbacks (PROTOCOL.md §4.4).
 */
export class CorpTagDictionary {
  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Pick<WecomApiClient, 'getCorpTagList' | 'addCorpTag'>,
  ) {}

  async refresh(): Promise<DictionaryDiff> {
    const { tag_group: groups = [] } = await this.api.getCorpTagList({});
    return this.store(groups, true);
  }

  /**
   * The WeCom ids of a rule's corp tags, creating missing ones in WeCom. Local rule tags come back as
   * local Tag rows. A concurrent creation (40071 name exists) re-pulls the dictionary and looks again.
   */
  async ensure(tags: RuleTag[]): Promise<Tag[]> {
    const key = JSON.stringify(tags.map((t) => [t.group, t.name, !!t.local]));
    const cached = this.ensured.get(key);
    if (cached) return cached;
    const found = await this.lookUp(tags);
    this.ensured.set(key, found);
    return found;
  }

  /**
   * A channel's tags, as resolved at most ENSURED_TTL_MS ago: a campaign's burst of adds names the
   * same few. A refresh in this process forgets them at once; another process's within the TTL.
   */
  private readonly ensured = new RowCache<Tag[]>(ENSURED_TTL_MS);

  private async lookUp(tags: RuleTag[]): Promise<Tag[]> {
    // One read for the usual case (every tag exists); only missing ones take the slower paths.
    const names = [...new Set(tags.map((t) => t.name))];
    const known = names.length > 0 ? await this.dataSource.getRepository(Tag).findBy({ name: In(names), deleted: false }) : [];
    const out: Tag[] = [];
    for (const def of tags) {
      const origin = def.local ? 'local' : 'wecom';
      const found = known.find((t) => t.name === def.name && t.groupName === def.group && t.origin === origin);
      out.push(found ?? (def.local ? await this.ensureLocal(def) : await this.ensureCorp(def)));
    }
    return out;
  }

  /** Creations in flight, per tag: a burst of adds for a new channel creates its tag in WeCom once. */
  private readonly creating = new Map<string, Promise<Tag>>();

  private async ensureCorp(def: RuleTag): Promise<Tag> {
    const found = await this.findCorp(def);
    if (found) return found;
    const key = JSON.stringify([def.group, def.name]);
    let creation = this.creating.get(key);
    if (!creation) {
      creation = this.createCorp(def).finally(() => this.creating.delete(key));
      this.creating.set(key, creation);
    }
    return creation;
  }

  private async createCorp(def: RuleTag): Promise<Tag> {
    try {
      const { tag_group: group } = await this.api.addCorpTag({ group_name: def.group, tag: [{ name: def.name }] });
      await this.store([group], false);
    } catch (error) {
      if (!(error instanceof WecomApiError && error.errcode === 40071)) throw error;
      await this.refresh();
    }
    const created = await this.findCorp(def);
    if (!created) throw new Error(`corp tag ${def.group}/${def.name} is still missing after creating it in WeCom`);
    return created;
  }

  private findCorp(def: RuleTag): Promise<Tag | null> {
    return this.dataSource.getRepository(Tag).findOneBy({ groupName: def.group, name: def.name, origin: 'wecom', deleted: false });
  }

  private async ensureLocal(def: RuleTag): Promise<Tag> {
    const repo = this.dataSource.getRepository(Tag);
    await insertIgnore(repo, { name: def.name, groupName: def.group, origin: 'local' });
    return repo.findOneByOrFail({ name: def.name, groupName: def.group, origin: 'local' });
  }

  /** Upserts the given groups' tags by WeCom id; with `complete`, WeCom tags absent from the list are marked deleted. */
  private async store(groups: CorpTagGroup[], complete: boolean): Promise<DictionaryDiff> {
    const diff: DictionaryDiff = { added: 0, changed: 0, removed: 0 };
    const seen: string[] = [];
    await this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(Tag);
      for (const group of groups) {
        for (const tag of group.tag ?? []) {
          const deleted = Boolean(tag.deleted || group.deleted);
          if (!deleted) seen.push(tag.id);
          const fields = {
            name: tag.name.slice(0, 64),
            wecomGroupId: group.group_id,
            groupName: group.group_name.slice(0, 64),
            origin: 'wecom' as const,
            sortOrder: Number(tag.order) || 0,
            deleted,
          };
          const existing = await repo.findOneBy({ wecomTagId: tag.id });
          if (!existing) {
            await insertIgnore(repo, { wecomTagId: tag.id, ...fields });
            diff.added += 1;
          } else if (
            existing.name !== fields.name ||
            existing.groupName !== fields.groupName ||
            existing.sortOrder !== fields.sortOrder ||
            existing.deleted !== deleted ||
            existing.wecomGroupId !== fields.wecomGroupId
          ) {
            await repo.update({ id: existing.id }, fields);
            diff.changed += 1;
          }
        }
      }
      if (complete) {
        const gone = await repo.find({ where: { origin: 'wecom', deleted: false, ...(seen.length > 0 ? { wecomTagId: Not(In(seen)) } : {}) } });
        if (gone.length > 0) await repo.update({ id: In(gone.map((t) => t.id)) }, { deleted: true });
        diff.removed = gone.length;
      }
    });
    // after the commit: a lookup that ran meanwhile may have kept what the rows said before
    this.ensured.clear();
    return diff;
  }
}
