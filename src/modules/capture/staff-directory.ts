import { IsNull, type DataSource } from 'typeorm';
import { Staff, type InboundEvent } from '../../../entities';
import { insertIgnore } from '../../platform/db/insert-ignore';
import type { Logger } from '../../platform/logger';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { UserGetResponse } from '../../platform/wecom/api/wecom-api.types';
import { noopLeaverHook, type LeaverHook } from './leaver-hook.port';

/** user/get: the userid does not exist (any more) in the corp. */
const UNKNOWN_USERID = 60111;
/** user/get: the member is outside the app's visible range (nothing to learn, nothing wrong with them). */
const NOT_VISIBLE = new Set([60011, 60123]);
/** WeCom member status: 2 disabled, 5 left the corp. */
const GONE_STATUS = new Set([2, 5]);
/** A member seen without a name is looked up again at most this often (one outside the visible range stays nameless). */
const RETRY_NAMELESS_AFTER_MS = 60 * 60_000;
/** After a failed lookup (WeCom unreachable), events of a burst do not each try again. */
const RETRY_FAILED_AFTER_MS = 60_000;

export type LearnOutcome = 'named' | 'unchanged' | 'inactive' | 'not_visible' | 'failed';

export interface DirectoryRefresh {
  listed: number;
  added: number;
  changed: number;
  inactive: number;
  failed: number;
}

export interface StaffDirectoryOptions {
  /** pause between user/get calls of the daily refresh: it takes half the API budget at most, leaving the rest to lookups on sight */
  refreshCallIntervalMs: number;
  /** handover, told of a salesperson who left (离职继承) */
  leavers?: LeaverHook;
}

/**
 * Staff names (and whether a member still exists) kept in step with WeCom's staff directory:
 * user/list_id + user/get over the app's visible range daily, user/get on first sight of a member
 * without a name, and the change_contact events where WeCom delivers them. WeCom is the truth; a
 * userid WeCom no longer knows (60111, delete_user) is marked inactive and keeps its history.
 */
export class StaffDirectory {
  private readonly inFlight = new Map<string, Promise<LearnOutcome>>();
  /** when a lookup of this (lower-cased) userid last failed, in this process */
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Pick<WecomApiClient, 'getUser' | 'listAllUserIds'>,
    private readonly logger: Logger,
    private readonly options: StaffDirectoryOptions,
  ) {
    this.leavers = options.leavers ?? noopLeaverHook;
  }

  private readonly leavers: LeaverHook;

  /**
   * A member the product just met (an event named them). Known members with a name cost nothing; a
   * nameless one is looked up in the background (at most hourly): the caller may wait for it a
   * little, and must not wait long (a welcome has 20 s). Never rejects.
   */
  noticed(staff: Staff, now = new Date()): Promise<LearnOutcome> | null {
    if (staff.name) return null;
    if (staff.directorySyncedAt && now.getTime() - staff.directorySyncedAt.getTime() < RETRY_NAMELESS_AFTER_MS) return null;
    const failed = this.failedAt.get(staff.userid);
    if (failed !== undefined && now.getTime() - failed < RETRY_FAILED_AFTER_MS) return null;
    return this.learn(staff.wecomUserid || staff.userid);
  }

  /** Reads one member with user/get and stores what WeCom says; one call at a time per userid. Never rejects. */
  learn(userid: string): Promise<LearnOutcome> {
    const key = userid.toLowerCase();
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.read(userid)
        .then((outcome) => {
          this.failedAt.delete(key);
          return outcome;
        })
        .catch((error: unknown) => {
          this.failedAt.set(key, Date.now());
          this.logger.warn({ userid: key, err: error }, 'staff directory: user/get failed; the name is read again later');
          return 'failed' as const;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  /**
   * The daily refresh: every member of the app's visible range (user/list_id, then user/get each),
   * and the known members the list no longer has (user/get says whether they are gone or only out
   * of view). An empty list is taken for a WeCom-side glitch or an app without a visible range:
   * nothing is marked inactive then.
   */
  async refreshAll(): Promise<DirectoryRefresh> {
    const listed = await this.api.listAllUserIds();
    const result: DirectoryRefresh = { listed: listed.length, added: 0, changed: 0, inactive: 0, failed: 0 };
    if (listed.length === 0) {
      this.logger.warn('staff directory: user/list_id returned nobody (is the app’s visible range empty?); nothing changed');
      return result;
    }
    const listedIds = new Set(listed.map((u) => u.toLowerCase()));
    const known = await this.dataSource.getRepository(Staff).findBy({ active: true });
    const unlisted = known.filter((s) => !listedIds.has(s.userid)).map((s) => s.wecomUserid || s.userid);
    const existing = new Set((await this.dataSource.getRepository(Staff).find({ select: { userid: true } })).map((s) => s.userid));
    for (const userid of [...listed, ...unlisted]) {
      const outcome = await this.learn(userid);
      if (outcome === 'failed') result.failed += 1;
      else if (outcome === 'inactive') result.inactive += 1;
      else if (outcome === 'named') result[existing.has(userid.toLowerCase()) ? 'changed' : 'added'] += 1;
      await pause(this.options.refreshCallIntervalMs);
    }
    this.logger.info(result, 'staff directory refreshed');
    return result;
  }

  /**
   * `change_contact` (通讯录变更): create_user / update_user re-read the member (newer callbacks
   * carry only the UserID), delete_user marks them inactive. A changed userid (NewUserID) is read
   * under the new id and the old one marked inactive; history recorded under the old id stays there.
   */
  async onChangeContact(event: InboundEvent): Promise<void> {
    const field = (name: string) => (typeof event.payload[name] === 'string' ? (event.payload[name] as string).trim() : '');
    const userid = field('UserID');
    if (!userid) return;
    switch (field('ChangeType')) {
      case 'create_user':
        await this.readForEvent(userid);
        return;
      case 'update_user': {
        const renamed = field('NewUserID');
        if (renamed && renamed.toLowerCase() !== userid.toLowerCase()) {
          this.logger.warn(
            { from: userid.toLowerCase(), to: renamed.toLowerCase() },
            'staff directory: a userid changed in WeCom; history under the old userid is not moved',
          );
          await this.markInactive(userid, null);
          await this.readForEvent(renamed);
        } else {
          await this.readForEvent(userid);
        }
        return;
      }
      case 'delete_user':
        // told again on a redelivery (or after a failed first try): handover acts once per leaver
        await this.markInactive(userid, 'delete_user');
        await this.leavers.left({ userid: userid.toLowerCase(), source: 'delete_user', at: new Date() });
        return;
      default:
        // departments and tags (create_party, update_tag, …) are not ours to keep
        return;
    }
  }

  /** For an event: a failed read is thrown, so that the queue retries the event. */
  private async readForEvent(userid: string): Promise<void> {
    await this.read(userid);
  }

  private async read(userid: string): Promise<LearnOutcome> {
    let user: UserGetResponse;
    try {
      user = await this.api.getUser(userid);
    } catch (error) {
      if (error instanceof WecomApiError && error.errcode === UNKNOWN_USERID) return (await this.markInactive(userid, 'directory')) ? 'inactive' : 'unchanged';
      if (error instanceof WecomApiError && error.errcode !== null && NOT_VISIBLE.has(error.errcode)) {
        await this.dataSource.getRepository(Staff).update({ userid: userid.toLowerCase() }, { directorySyncedAt: new Date() });
        return 'not_visible';
      }
      throw error;
    }
    return this.store({ ...user, userid: user.userid || userid });
  }

  /** Upserts the member as WeCom describes them; 'named' when the row is new or its name, id or status changed. */
  private async store(user: UserGetResponse): Promise<LearnOutcome> {
    const repo = this.dataSource.getRepository(Staff);
    const userid = user.userid.toLowerCase();
    const fields = {
      wecomUserid: user.userid,
      name: user.name?.trim().slice(0, 128) || null,
      active: !GONE_STATUS.has(Number(user.status)),
      directorySyncedAt: new Date(),
    };
    if ((await insertIgnore(repo, { userid, ...fields })) === 1) return fields.active ? 'named' : 'inactive';
    const before = await repo.findOneByOrFail({ userid });
    await repo.update({ id: before.id }, { ...fields, name: fields.name ?? before.name });
    if (before.active && !fields.active) {
      await this.leavers.left({ userid, source: 'directory', at: new Date() });
      return 'inactive';
    }
    return before.name !== (fields.name ?? before.name) || before.wecomUserid !== fields.wecomUserid || before.active !== fields.active ? 'named' : 'unchanged';
  }

  /** True when the member was active until now. `left`: they left the company (handover is told), null: only their userid changed. */
  private async markInactive(userid: string, left: 'directory' | 'delete_user' | null): Promise<boolean> {
    const { affected } = await this.dataSource
      .getRepository(Staff)
      .update({ userid: userid.toLowerCase(), active: true }, { active: false, directorySyncedAt: new Date() });
    if (affected) this.logger.info({ userid: userid.toLowerCase() }, 'staff directory: WeCom no longer knows this member; marked inactive');
    if (affected && left === 'directory') await this.leavers.left({ userid: userid.toLowerCase(), source: left, at: new Date() });
    return Boolean(affected);
  }

  /** How many known members were never read from the directory (teams file, events): a worker start reads them at once. */
  neverRead(): Promise<number> {
    return this.dataSource.getRepository(Staff).countBy({ directorySyncedAt: IsNull() });
  }
}

function pause(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
