import { forgetCachedRows, RowCache } from '../../src/platform/db/row-cache';

describe('RowCache', () => {
  afterEach(() => jest.useRealTimers());

  it('gives a row back until its TTL has passed, then forgets it', () => {
    jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') });
    const cache = new RowCache<{ name: string }>(60_000);
    cache.set('zhangwei', { name: '张伟' });
    jest.setSystemTime(new Date('2026-12-02T10:00:59Z'));
    expect(cache.get('zhangwei')).toEqual({ name: '张伟' });
    jest.setSystemTime(new Date('2026-12-02T10:01:00Z'));
    expect(cache.get('zhangwei')).toBeUndefined();
    expect(cache.get('lina')).toBeUndefined();
  });

  it('forgetCachedRows empties every cache of the process (the rows under them were deleted)', () => {
    const staff = new RowCache<string>(60_000);
    const tags = new RowCache<number[]>(30_000);
    staff.set('zhangwei', '张伟');
    tags.set('渠道/直播间', [1]);
    forgetCachedRows();
    expect(staff.get('zhangwei')).toBeUndefined();
    expect(tags.get('渠道/直播间')).toBeUndefined();
    staff.set('zhangwei', '张伟');
    staff.delete('zhangwei');
    expect(staff.get('zhangwei')).toBeUndefined();
  });
});
