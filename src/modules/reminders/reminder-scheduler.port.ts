/** How services schedule reminder jobs without knowing the queue (implemented in src/queue/). */
export interface ReminderScheduler {
  /** (re)schedules the job that fires reminder `id` at `dueAt`; replaces an earlier schedule. */
  schedule(id: number, dueAt: Date): Promise<void>;
  cancel(id: number): Promise<void>;
}
