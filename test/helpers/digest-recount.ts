import type { SeedCustomer } from '../../src/cli/seed-data';
import type { StaffFigures, TeamFigures } from '../../templates/cards/digest-figures';
import type { DigestWindow } from '../../src/modules/digests/digest-window';

/**
 * The digest figures recounted in plain TypeScript from the generated rows — written from the
 * definitions, not from the SQL — so a test can compare every number the database produced.
 */

const within = (at: Date | null, from: Date, to: Date) => at !== null && at >= from && at < to;
const isOpen = (status: string) => status === 'pending' || status === 'sent';

export function recountPerStaff(customers: SeedCustomer[], w: DigestWindow, scope: string[] | null = null): Map<string, StaffFigures> {
  const result = new Map<string, StaffFigures>();
  const bump = (userid: string, field: keyof StaffFigures) => {
    if (scope && !scope.includes(userid)) return;
    const f = result.get(userid) ?? { newCustomers: 0, followUps: 0, remindersDone: 0, dueOpen: 0, overdue: 0, dueTomorrow: 0, lost: 0, silent: 0 };
    f[field] += 1;
    result.set(userid, f);
  };
  for (const c of customers) {
    for (const r of c.relations) {
      if (within(r.addedAt, w.start, w.end)) bump(r.staffUserid, 'newCustomers');
      if ((r.status === 'lost' || r.status === 'removed') && within(r.endedAt, w.start, w.end)) bump(r.staffUserid, 'lost');
      const lastContact = c.lastContactAt ?? r.addedAt;
      if (r.status === 'active' && ['lead', 'prospect', 'opportunity'].includes(c.stage) && lastContact < w.silentBefore) bump(r.staffUserid, 'silent');
    }
    for (const f of c.followUps) if (within(f.createdAt, w.start, w.end)) bump(f.staffUserid, 'followUps');
    for (const r of c.reminders) {
      if (r.status === 'done' && within(r.doneAt, w.start, w.end)) bump(r.staffUserid, 'remindersDone');
      if (!isOpen(r.status)) continue;
      // an open reminder whose relation ended after it was set is closed at its time: not counted as open
      const relation = c.relations.find((x) => x.staffUserid === r.staffUserid);
      if (relation && relation.status !== 'active' && (relation.endedAt === null || r.createdAt <= relation.endedAt)) continue;
      if (within(r.dueAt, w.dayStart, w.dayEnd)) bump(r.staffUserid, 'dueOpen');
      if (r.dueAt < w.dayStart) bump(r.staffUserid, 'overdue');
      if (within(r.dueAt, w.dayEnd, w.nextDayEnd)) bump(r.staffUserid, 'dueTomorrow');
    }
  }
  return result;
}

export function recountTeam(customers: SeedCustomer[], w: DigestWindow, scope: string[] | null, channelsSince: Date = w.start): TeamFigures {
  const inScope = (userid: string | null) => userid !== null && (scope === null || scope.includes(userid));
  const figures: TeamFigures = {
    funnel: { lead: 0, prospect: 0, opportunity: 0, won: 0, lost: 0 },
    deletedByCustomer: 0,
    deletedBySalesperson: 0,
    markedLost: 0,
    won: 0,
    channels: [],
  };
  const channels = new Map<string, { customers: Set<number>; opportunity: Set<number>; won: Set<number> }>();
  for (const c of customers) {
    if (c.relations.some((r) => r.status === 'active' && inScope(r.staffUserid))) figures.funnel[c.stage] += 1;
    for (const r of c.relations) {
      if (!inScope(r.staffUserid) || !within(r.endedAt, w.start, w.end)) continue;
      if (r.status === 'lost') figures.deletedByCustomer += 1;
      if (r.status === 'removed') figures.deletedBySalesperson += 1;
    }
    // everyone's figures include moves nobody made by hand (a channel rule's stage); a team's only its members' moves
    const moves = c.stageChanges.filter((s) => (scope === null || inScope(s.staffUserid)) && within(s.createdAt, w.start, w.end));
    if (moves.some((s) => s.toStage === 'lost')) figures.markedLost += 1;
    if (moves.some((s) => s.toStage === 'won')) figures.won += 1;
    const reachedOpportunity = c.stage === 'opportunity' || c.stage === 'won' || c.stageChanges.some((s) => s.toStage === 'opportunity' || s.toStage === 'won');
    const reachedWon = c.stage === 'won' || c.stageChanges.some((s) => s.toStage === 'won');
    for (const r of c.relations) {
      if (!inScope(r.staffUserid) || !within(r.addedAt, channelsSince, w.end)) continue;
      const key = r.state ?? '';
      const entry = channels.get(key) ?? { customers: new Set(), opportunity: new Set(), won: new Set() };
      entry.customers.add(c.index);
      if (reachedOpportunity) entry.opportunity.add(c.index);
      if (reachedWon) entry.won.add(c.index);
      channels.set(key, entry);
    }
  }
  figures.channels = [...channels].map(([state, e]) => ({
    state,
    customers: e.customers.size,
    reachedOpportunity: e.opportunity.size,
    reachedWon: e.won.size,
  }));
  return figures;
}

/** Channels in a stable order, for comparing. */
export function byState<T extends { channels: Array<{ state: string }> }>(t: T): T {
  return { ...t, channels: [...t.channels].sort((a, b) => a.state.localeCompare(b.state)) };
}

/** The salesperson's longest-silent customers as the digest names them: "王五3 21天", oldest first. */
export function recountLongestSilent(customers: SeedCustomer[], w: DigestWindow, userid: string, limit = 3): string[] {
  const silent = customers.flatMap((c) =>
    c.relations
      .filter((r) => r.staffUserid === userid && r.status === 'active' && ['lead', 'prospect', 'opportunity'].includes(c.stage))
      .map((r) => ({ c, last: c.lastContactAt ?? r.addedAt }))
      .filter((x) => x.last < w.silentBefore),
  );
  silent.sort((a, b) => a.last.getTime() - b.last.getTime() || a.c.index - b.c.index);
  return silent.slice(0, limit).map((x) => `${x.c.name} ${Math.floor((w.dayEnd.getTime() - x.last.getTime()) / 86_400_000)}天`);
}
