import { type JobStanding, jobStanding, type QueueName, type QueueSet, removeEndedJob } from './queues';

/**
 * "Rows that should have a job, but whose job will not run → add it again", written once. A row
 * is the record (an event, a message, a reminder, an SOP step); Redis can lose its job (a crash
 * between the insert and the add, a Redis restore) or keep one that will not run again (completed,
 * failed by Bull after worker crashes, from before a database restore). Job ids come from rows, so
 * several workers sweeping at once collapse into one job per row.
 */
export interface RowSweep<Row> {
  /** for the log and the registry */
  name: string;
  queue: QueueName;
  /** the rows that should have a job (unfinished, still for a while) */
  rows(): Promise<Row[]>;
  jobId(row: Row): string;
  /** adds the row's job again */
  readd(row: Row): Promise<void>;
  /**
   * A job that has ended while its row is unfinished: `rerun` (the default) adds it again; a row that
   * has used its attempts is failed visibly instead (`failed`, or `skipped` when another sweeper did).
   */
  ended?(row: Row, standing: Extract<JobStanding, { state: 'ended' }>): Promise<'rerun' | 'failed' | 'skipped'>;
}

export interface SweepResult {
  readded: number;
  failed: number;
}

/** One pass: rows whose job is pending are left alone; a job that ended is removed first (a live worker's lock keeps it). */
export async function sweepRows<Row>(queues: QueueSet, sweep: RowSweep<Row>): Promise<SweepResult> {
  const queue = queues.get(sweep.queue);
  const result: SweepResult = { readded: 0, failed: 0 };
  for (const row of await sweep.rows()) {
    const standing = await jobStanding(queue, sweep.jobId(row));
    if (standing.state === 'pending') continue;
    if (standing.state === 'ended') {
      const verdict = sweep.ended ? await sweep.ended(row, standing) : 'rerun';
      if (verdict === 'failed') result.failed += 1;
      if (verdict !== 'rerun') continue;
      if (!(await removeEndedJob(queue, sweep.jobId(row)))) continue;
    }
    await sweep.readd(row);
    result.readded += 1;
  }
  return result;
}
