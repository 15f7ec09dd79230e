import type { DataSource } from 'typeorm';
import { Leaver, Staff } from '../../../entities';

/** Who receives a leaver's reminders and SOP steps until their customers are taken over, and whose they are. */
export interface StandIn {
  /** lower-cased userid of the stand-in (the leaver's lead, or an admin) */
  userid: string;
  /** as WeCom spells it, for message/send */
  wecomUserid: string;
  /** the leaver's name, for 「张伟（已离职）的提醒」 */
  leaverName: string;
}

/**
 * The stand-in for `staffUserid` when they left the company (离职继承), else null. What was taken
 * over moved to its new owner already (takeover.store.ts); what stays with the leaver — not yet
 * taken over, refused, never started — reaches the stand-in instead of someone who has gone.
 */
export async function standInFor(dataSource: DataSource, staffUserid: string): Promise<StandIn | null> {
  const userid = staffUserid.toLowerCase();
  const leaver = await dataSource.getRepository(Leaver).findOneBy({ userid });
  if (!leaver?.standInUserid) return null;
  const staff = dataSource.getRepository(Staff);
  const [me, standIn] = await Promise.all([staff.findOneBy({ userid }), staff.findOneBy({ userid: leaver.standInUserid })]);
  // Back in WeCom (re-hired, a directory glitch undone): their own again.
  if (me?.active) return null;
  return { userid: leaver.standInUserid, wecomUserid: standIn?.wecomUserid ?? leaver.standInUserid, leaverName: me?.name ?? userid };
}
