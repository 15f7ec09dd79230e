export type Within<T> = { state: 'value'; value: T } | { state: 'error'; error: unknown } | { state: 'late' };

/** What `promise` came to within `ms` (without cancelling it: a late answer is simply not waited for). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<Within<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Within<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'late' }), Math.max(0, ms));
  });
  const outcome = promise.then(
    (value): Within<T> => ({ state: 'value', value }),
    (error: unknown): Within<T> => ({ state: 'error', error }),
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}
