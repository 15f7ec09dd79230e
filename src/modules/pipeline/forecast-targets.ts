/**
 * Monthly targets from templates/teams.json (`monthlyTarget` per team, `memberTargets` per member,
 * yuan). A team without its own target is the sum of its members'.
 */
export interface TargetsFile {
  teams: Array<{ name: string; monthlyTarget?: number; memberTargets?: Record<string, number> }>;
}

export class ForecastTargets {
  private readonly members = new Map<string, number>();
  private readonly teams = new Map<string, number>();

  constructor(file: TargetsFile) {
    for (const team of file.teams) {
      let sum = 0;
      for (const [userid, target] of Object.entries(team.memberTargets ?? {})) {
        this.members.set(userid.toLowerCase(), target);
        sum += target;
      }
      if (team.monthlyTarget ?? sum) this.teams.set(team.name, team.monthlyTarget ?? sum);
    }
  }

  /** A member's target over `months` months, null when none is set. */
  member(userid: string, months: number): number | null {
    const monthly = this.members.get(userid);
    return monthly === undefined ? null : monthly * months;
  }

  /** The teams' targets summed over `months` months (`names`: these teams; null: every team), null when none is set. */
  teamsTotal(names: string[] | null, months: number): number | null {
    const picked = [...this.teams].filter(([name]) => names === null || names.includes(name));
    return picked.length ? picked.reduce((sum, [, t]) => sum + t, 0) * months : null;
  }
}
