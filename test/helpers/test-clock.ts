/**
 * The product's clock in a test: what the container (`now`) and the handlers (`handlersNow`) read
 * when they decide by the time — due and overdue times, SOP offsets, quiet hours. It moves only when
 * the test says so. Bull still waits on the real clock: a job delayed by the product is due when the
 * real time comes, or at once with fireDelayedWorkNow (sandbox.module.ts).
 */
export interface TestClock {
  /** the time in ms (the container's `now`) */
  now(): number;
  /** the time as a Date (the handlers' `now`) */
  date(): Date;
  set(at: Date | number): void;
  advance(ms: number): void;
}

export function testClock(start: Date | number): TestClock {
  let at = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => at,
    date: () => new Date(at),
    set(to) {
      at = typeof to === 'number' ? to : to.getTime();
    },
    advance(ms) {
      at += ms;
    },
  };
}
