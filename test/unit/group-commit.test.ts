import { GroupCommit, type ItemOutcome } from '../../src/platform/events/group-commit';

/** A flush the test releases by hand, recording every batch it was given. */
function controlledFlush() {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const flush = (items: string[]): Promise<Array<ItemOutcome<string>>> => {
    batches.push(items);
    return new Promise((resolve) => releases.push(() => resolve(items.map((i) => ({ ok: true, value: i.toUpperCase() })))));
  };
  return { batches, releases, flush };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('flushes an item alone at once, without waiting for company', async () => {
    const f = controlledFlush();
    const group = new GroupCommit({ flush: f.flush, maxItems: 100 });
    const a = group.submit('a');
    await turn();
    expect(f.batches).toEqual([['a']]);
    f.releases[0]!();
    await expect(a).resolves.toBe('A');
  });

  it('writes what was submitted in one turn as one batch, and what came during a flush as the next one', async () => {
    const f = controlledFlush();
    const group = new GroupCommit({ flush: f.flush, maxItems: 100 });
    const first = ['a', 'b', 'c'].map((i) => group.submit(i));
    await turn();
    const second = ['d', 'e'].map((i) => group.submit(i));
    await turn();
    expect(f.batches).toEqual([['a', 'b', 'c']]); // d and e wait for the flush in flight
    expect(group.waiting).toBe(2);
    f.releases[0]!();
    await expect(Promise.all(first)).resolves.toEqual(['A', 'B', 'C']);
    await turn();
    expect(f.batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    f.releases[1]!();
    await expect(Promise.all(second)).resolves.toEqual(['D', 'E']);
  });

  it('caps a batch by count and by weight; one item heavier than the cap still goes, alone', async () => {
    const batches: string[][] = [];
    const group = new GroupCommit<string, string>({
      flush: async (items) => {
        batches.push(items);
        return items.map((value) => ({ ok: true, value }));
      },
      maxItems: 3,
      maxWeight: 10,
      weight: (i) => i.length,
    });
    await Promise.all(['a', 'b', 'c', 'd', 'xxxxxxxxxxxx', 'e', 'f'].map((i) => group.submit(i)));
    expect(batches).toEqual([['a', 'b', 'c'], ['d'], ['xxxxxxxxxxxx'], ['e', 'f']]);
  });

  it('a failed flush fails every item of its batch, and the next batch still runs', async () => {
    let calls = 0;
    const group = new GroupCommit<string, string>({
      flush: async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return items.map((value) => ({ ok: true, value }));
      },
      maxItems: 100,
    });
    const failed = ['a', 'b'].map((i) => group.submit(i));
    const results = await Promise.allSettled(failed);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(group.submit('c')).resolves.toBe('c');
  });

  it('an item the flush refuses alone fails alone', async () => {
    const group = new GroupCommit<string, string>({
      flush: async (items) => items.map((i) => (i === 'bad' ? { ok: false, error: new Error('too long') } : { ok: true, value: i })),
      maxItems: 100,
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((i) => group.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
