import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware } from 'koa';
import type { Queue } from '../queue/queues';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Bull Board at /admin/queues (behind adminAuth): waiting, delayed and failed jobs, retry by hand. */
export function queueDashboard(queues: Queue[]): Middleware {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullAdapter(q)), serverAdapter });
  return serverAdapter.registerPlugin() as Middleware;
}
