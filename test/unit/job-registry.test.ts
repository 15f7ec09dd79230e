import { EventHandlerRegistry } from '../../src/platform/events/event-handler.registry';
import { createLogger } from '../../src/platform/logger';
import { processor, type WorkModule } from '../../src/platform/module';
import { defineJob } from '../../src/platform/queue/job-definition';
import { JOB_OPTIONS } from '../../src/platform/queue/job-options';
import { bindWork } from '../../src/platform/queue/job-registry';
import type { Queue, QueueSet } from '../../src/platform/queue/queues';

/** Queues that record what was bound, without Redis. */
function fakeQueues(): { queues: QueueSet; bound: string[] } {
  const bound: string[] = [];
  const queue = (name: string) =>
    ({
      name,
      process: (job: string) => {
        bound.push(`${name}/${job}`);
        return Promise.resolve();
      },
      getRepeatableJobs: async () => [],
      add: async () => undefined,
    }) as unknown as Queue;
  const queues = { get: (name: string) => queue(name), all: () => [] } as unknown as QueueSet;
  return { queues, bound };
}

const STEP = defineJob<{ id: number }>({ queue: 'sop', name: 'step', concurrency: 4, options: JOB_OPTIONS.rowTimed, jobId: (d) => `step-${d.id}` });
const SCAN = defineJob({ queue: 'maintenance', name: 'scan', concurrency: 1, options: JOB_OPTIONS.scheduled });
const run = async () => undefined;

describe('the job registry', () => {
  const deps = () => ({ ...fakeQueues(), handlers: new EventHandlerRegistry(), logger: createLogger('silent') });

  it('binds one processor per job and every event handler', () => {
    const d = deps();
    const modules: WorkModule[] = [
      { name: 'a', processors: [processor(STEP, run)], produces: [STEP], events: [{ kind: 'text', handle: run }] },
      { name: 'b', processors: [processor(SCAN, run)], schedules: [{ job: SCAN, cron: '0 3 * * *', tz: 'Asia/Shanghai' }] },
    ];
    expect(bindWork(d, modules).jobs).toEqual(['maintenance/scan', 'sop/step']);
    expect(d.bound.sort()).toEqual(['maintenance/scan', 'sop/step']);
    expect(d.handlers.kinds()).toEqual(['text']);
  });

  it('refuses at start a job that is added or scheduled but has no processor, and binds nothing', () => {
    const d = deps();
    const modules: WorkModule[] = [{ name: 'a', produces: [STEP], schedules: [{ job: SCAN, every: 1000 }] }];
    expect(() => bindWork(d, modules)).toThrow(
      /job sop\/step \(from module a\) has no processor[\s\S]*job maintenance\/scan \(from module a\) has no processor/,
    );
    expect(d.bound).toEqual([]);
  });

  it('a schedule that is off needs no processor (its old entries are only removed)', () => {
    expect(() => bindWork(deps(), [{ name: 'a', schedules: [{ job: SCAN, cron: undefined, tz: 'Asia/Shanghai' }] }])).not.toThrow();
  });

  it('refuses a job with two processors', () => {
    const d = deps();
    const modules: WorkModule[] = [
      { name: 'a', processors: [processor(STEP, run)] },
      { name: 'b', processors: [processor(STEP, run)] },
    ];
    expect(() => bindWork(d, modules)).toThrow(/job sop\/step has two processors \(modules a and b\)/);
    expect(d.bound).toEqual([]);
  });

  it('refuses an event kind with two handlers, also against one registered before, and a kind with two failure notices', () => {
    const d = deps();
    expect(() =>
      bindWork(d, [
        { name: 'a', events: [{ kind: 'text', handle: run }] },
        { name: 'b', events: [{ kind: 'text', handle: run }] },
      ]),
    ).toThrow(/event kind "text" has two handlers \(module a and module b\)/);
    expect(d.handlers.kinds()).toEqual([]);

    d.handlers.register('change_contact', run);
    expect(() => bindWork(d, [{ name: 'a', events: [{ kind: 'change_contact', handle: run }] }])).toThrow(/event kind "change_contact" has two handlers/);
    const notice = { kind: 'text', notice: run };
    expect(() =>
      bindWork(d, [
        { name: 'a', failureNotices: [notice] },
        { name: 'b', failureNotices: [notice] },
      ]),
    ).toThrow(/event kind "text" has two failure notices \(modules a and b\)/);
  });
});
