import type { Pool } from 'mysql2/promise';
import type { RecordingWorld } from './fake-wecom';
import { sleep } from './infra';
import type { Delivery } from './sender';

/** WeCom's welcome window, and how much of it the product needs at least to have a fair chance. */
const WELCOME_VALIDITY_MS = 20_000;
const WELCOME_NEEDS_MS = 5_000;

export interface TrackedEvent {
  kind: 'add' | 'command';
  /** set when the event happens (an add: when the customer scans, just before WeCom calls back) */
  plaintext: string;
  dedupeKey: string;
  staff: string;
  /** an add's customer name */
  name?: string;
  externalUserid?: string;
  welcomeCode?: string;
  /** a command's marker: it is quoted in the reply card, so its deliveries can be counted */
  marker?: string;
  delivery?: Delivery;
}

/** Intervals during which the product could not be expected to act (a dependency down, WeCom sick, no worker alive). */
export class Health {
  readonly down: Array<[number, number]> = [];
  private openedAt: number | undefined;

  begin(): void {
    this.openedAt ??= Date.now();
  }

  end(): void {
    if (this.openedAt === undefined) return;
    this.down.push([this.openedAt, Date.now()]);
    this.openedAt = undefined;
  }

  healthyMs(from: number, to: number): number {
    let healthy = Math.max(0, to - from);
    const spans = [...this.down, ...(this.openedAt !== undefined ? [[this.openedAt, Infinity] as [number, number]] : [])];
    for (const [start, end] of spans) healthy -= Math.max(0, Math.min(to, end) - Math.max(from, start));
    return healthy;
  }
}

export interface ScenarioRow {
  scenario: string;
  eventsIn: number;
  lost: number;
  doubled: number;
  welcomesDue: number;
  welcomesSent: number;
  welcomesDoubled: number;
  /** delivered welcomes recorded as failed, or not recorded */
  wrongRow: number;
  /** failures (events, welcomes) with no reason on any row */
  noReason: number;
  seconds: number;
  notes: string[];
  /** false when the row misses the goal */
  ok: boolean;
}

interface InboundRow {
  dedupe_key: string;
  status: string;
  last_error: string | null;
}

/** Reads what the product recorded for a scenario's events, from the database and the fake WeCom. */
export class Ledger {
  constructor(
    private readonly db: () => Promise<Pool>,
    private readonly world: RecordingWorld,
  ) {}

  private async inbound(events: TrackedEvent[]): Promise<Map<string, InboundRow>> {
    if (events.length === 0) return new Map();
    const [rows] = await (await this.db()).query('SELECT dedupe_key, status, last_error FROM inbound_events WHERE dedupe_key IN (?)', [
      events.map((e) => e.dedupeKey),
    ]);
    return new Map((rows as InboundRow[]).map((r) => [r.dedupe_key, r]));
  }

  /** Waits until every event is finished and its writes are there, or the deadline passes. */
  async settle(events: TrackedEvent[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.unfinished(events)) === 0) return;
      } catch {
        // the database is still coming back
      }
      await sleep(1000);
    }
  }

  private async unfinished(events: TrackedEvent[]): Promise<number> {
    const rows = await this.inbound(events);
    const relations = await this.relations(events);
    const followUps = await this.followUps(events);
    return events.filter((e) => {
      const row = rows.get(e.dedupeKey);
      if (!row) return e.delivery?.ackedAt !== undefined;
      if (row.status === 'failed' || row.status === 'ignored') return false;
      if (row.status !== 'done') return true;
      return e.kind === 'add' ? !relations.has(`${e.externalUserid}|${e.staff}`) : !followUps.has(e.dedupeKey) || !this.world.deliveriesByMarker.get(e.marker!);
    }).length;
  }

  private async relations(events: TrackedEvent[]): Promise<Set<string>> {
    const ids = events.filter((e) => e.kind === 'add').map((e) => e.externalUserid!);
    if (ids.length === 0) return new Set();
    const [rows] = await (await this.db()).query(
      'SELECT c.external_userid AS e, r.staff_userid AS s FROM customer_relations r JOIN customers c ON c.id = r.customer_id WHERE c.external_userid IN (?)',
      [ids],
    );
    return new Set((rows as Array<{ e: string; s: string }>).map((r) => `${r.e}|${r.s}`));
  }

  private async followUps(events: TrackedEvent[]): Promise<Map<string, number>> {
    const keys = events.filter((e) => e.kind === 'command').map((e) => e.dedupeKey);
    if (keys.length === 0) return new Map();
    const [rows] = await (await this.db()).query('SELECT source_key AS k, COUNT(*) AS n FROM follow_ups WHERE source_key IN (?) GROUP BY source_key', [keys]);
    return new Map((rows as Array<{ k: string; n: number }>).map((r) => [r.k, Number(r.n)]));
  }

  private async welcomeRows(events: TrackedEvent[]): Promise<Map<string, { status: string; errcode: number | null; errmsg: string | null }>> {
    const ids = events.filter((e) => e.kind === 'add').map((e) => e.externalUserid!);
    if (ids.length === 0) return new Map();
    const [rows] = await (await this.db()).query(
      "SELECT recipient, status, errcode, errmsg FROM outbound_messages WHERE channel = 'welcome' AND recipient IN (?)",
      [ids],
    );
    return new Map((rows as Array<{ recipient: string; status: string; errcode: number | null; errmsg: string | null }>).map((r) => [r.recipient, r]));
  }

  /** `cause`: what an undelivered welcome's rows must name (the fault behind it), when the scenario knows it */
  async evaluate(
    scenario: string,
    events: TrackedEvent[],
    health: Health,
    startedAt: number,
    extraNotes: string[] = [],
    options: { cause?: RegExp } = {},
  ): Promise<ScenarioRow> {
    const rows = await this.inbound(events);
    const relations = await this.relations(events);
    const followUps = await this.followUps(events);
    const welcomeRows = await this.welcomeRows(events);
    const lostWhy = new Map<string, number>();
    const why = (reason: string) => lostWhy.set(reason, (lostWhy.get(reason) ?? 0) + 1);
    let lost = 0;
    let doubled = 0;
    let noReason = 0;
    for (const e of events) {
      const row = rows.get(e.dedupeKey);
      let missing: string | undefined;
      if (!row) missing = e.delivery?.ackedAt ? 'acknowledged but not stored' : 'never acknowledged (WeCom gave up)';
      else if (row.status === 'failed') {
        missing = `failed: ${String(row.last_error ?? '(no reason)').slice(0, 60)}`;
        if (!row.last_error) noReason += 1;
      } else if (row.status !== 'done' && row.status !== 'ignored')
        missing = `stranded ${row.status}${row.last_error ? ` (${row.last_error.slice(0, 50)})` : ''}`;
      else if (e.kind === 'add' && !relations.has(`${e.externalUserid}|${e.staff}`)) missing = 'done but customer not recorded';
      else if (e.kind === 'command' && !followUps.has(e.dedupeKey)) missing = 'done but follow-up not recorded';
      else if (e.kind === 'command' && !this.world.deliveriesByMarker.get(e.marker!)) missing = 'reply never delivered';
      if (missing) {
        lost += 1;
        why(`${e.kind}: ${missing}`);
      }
      if (e.kind === 'command' && (this.world.deliveriesByMarker.get(e.marker!) ?? 0) > 1) doubled += 1;
    }

    let due = 0;
    let sent = 0;
    let welcomesDoubled = 0;
    let wrongRow = 0;
    let missed = 0;
    let resent = 0;
    const unexplained = new Map<string, number>();
    for (const e of events.filter((x) => x.kind === 'add')) {
      const record = this.world.welcomes.get(e.welcomeCode!);
      if (!record) continue;
      const ackedAt = e.delivery?.ackedAt;
      const isDue = ackedAt !== undefined && health.healthyMs(Math.max(record.issuedAt, ackedAt), record.issuedAt + WELCOME_VALIDITY_MS) >= WELCOME_NEEDS_MS;
      if (isDue) due += 1;
      if (record.delivered > 0) sent += 1;
      if (record.delivered > 1) welcomesDoubled += 1;
      if (record.refusedAsUsed > 0) resent += 1;
      const outbound = welcomeRows.get(e.externalUserid!);
      // A welcome that reached the customer must not be recorded as failed (or not at all); "outcome unknown" after a crash mid-call is the truth.
      if (record.delivered > 0 && (!outbound || outbound.status === 'failed')) wrongRow += 1;
      if (isDue && record.delivered === 0) missed += 1;
      if (record.delivered === 0) {
        const inbound = rows.get(e.dedupeKey);
        const reasons = [outbound?.errmsg, outbound?.errcode ? `errcode ${outbound.errcode}` : undefined, inbound?.last_error].filter((r): r is string => !!r);
        const explained = options.cause ? reasons.some((r) => options.cause!.test(r)) : reasons.length > 0;
        if (!explained) {
          noReason += 1;
          const said = reasons.join(' / ').slice(0, 70) || 'none';
          unexplained.set(said, (unexplained.get(said) ?? 0) + 1);
        }
      }
    }
    const notes = [...extraNotes];
    if (lostWhy.size) notes.push(`lost: ${[...lostWhy].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
    if (missed) notes.push(`${missed} due welcomes not sent`);
    if (unexplained.size) notes.push(`welcomes not sent without their cause on a row: ${[...unexplained].map(([k, n]) => `${n}× "${k}"`).join('; ')}`);
    if (resent) notes.push(`${resent} welcomes re-sent after delivery (WeCom refused: 41051 used)`);
    if (wrongRow) notes.push(`${wrongRow} delivered welcomes recorded as failed or not at all`);
    const ok = lost === 0 && doubled === 0 && missed === 0 && welcomesDoubled === 0 && wrongRow === 0 && noReason === 0;
    return {
      scenario,
      eventsIn: events.length,
      lost,
      doubled: doubled + welcomesDoubled,
      welcomesDue: due,
      welcomesSent: sent,
      welcomesDoubled,
      wrongRow,
      noReason,
      seconds: Math.round((Date.now() - startedAt) / 1000),
      notes,
      ok,
    };
  }
}
