import { type DataSource, In } from 'typeorm';
import { Staff, Team } from '../../../entities';

/** Whose customers someone may hand over: an admin everyone's, a lead their teams' (themselves included), anyone else nobody's. */
export interface Scope {
  /** null: everyone (an admin) */
  members: ReadonlySet<string> | null;
}

export type StaffMatch = { kind: 'one'; staff: Staff } | { kind: 'none' } | { kind: 'many'; options: string[] };

/** The people side of a handover: who may do it (as 报表 decides: teams the sender leads), and salespeople by name. */
export class HandoverScope {
  constructor(
    private readonly dataSource: DataSource,
    /** lower-cased admin userids (CRM_ADMINS) */
    private readonly admins: readonly string[],
  ) {}

  async of(userid: string, isAdmin: boolean): Promise<Scope | null> {
    if (isAdmin) return { members: null };
    const led = await this.dataSource.getRepository(Team).findBy({ leadUserid: userid });
    if (led.length === 0) return null;
    const members = await this.dataSource.getRepository(Staff).findBy({ teamId: In(led.map((t) => t.id)) });
    return { members: new Set([userid, ...members.map((m) => m.userid)]) };
  }

  static includes(scope: Scope, userid: string): boolean {
    return scope.members === null || scope.members.has(userid.toLowerCase());
  }

  /** Who to ask instead: the sender's team lead and the admins, by name. */
  async whoCan(userid: string): Promise<{ leadName: string | null; adminNames: string[] }> {
    const staff = this.dataSource.getRepository(Staff);
    const me = await staff.findOneBy({ userid });
    const team = me?.teamId ? await this.dataSource.getRepository(Team).findOneBy({ id: me.teamId }) : null;
    const lead = team?.leadUserid && team.leadUserid !== userid ? await staff.findOneBy({ userid: team.leadUserid }) : null;
    const admins = this.admins.length > 0 ? await staff.findBy({ userid: In([...this.admins]) }) : [];
    const adminName = (a: string) => admins.find((s) => s.userid === a)?.name ?? a;
    return { leadName: lead ? (lead.name ?? lead.userid) : (team?.leadUserid ?? null), adminNames: this.admins.filter((a) => a !== userid).map(adminName) };
  }

  /** A salesperson by name or WeCom userid (active ones first: a leaver keeps their name in the directory). */
  async findStaff(text: string): Promise<StaffMatch> {
    const repo = this.dataSource.getRepository(Staff);
    const byId = await repo.findOneBy({ userid: text.toLowerCase() });
    if (byId) return { kind: 'one', staff: byId };
    const named = await repo.find({ where: { name: text }, order: { active: 'DESC', id: 'ASC' } });
    const active = named.filter((s) => s.active);
    const pool = active.length > 0 ? active : named;
    if (pool.length === 0) return { kind: 'none' };
    if (pool.length === 1) return { kind: 'one', staff: pool[0]! };
    return { kind: 'many', options: pool.map((s) => `${s.name}（${s.wecomUserid}）`) };
  }
}
