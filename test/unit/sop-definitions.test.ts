import { resolve } from 'node:path';
import { loadChannelRules, parseChannelRules } from '../../src/modules/capture/channel-rules';
import dayjs from '../../src/platform/dayjs';
import { checkChannelRuleSops } from '../../src/modules/sop/sop.module';
import { loadSopFile, parseSopFile } from '../../src/modules/sop/sop-definitions';
import { parseSopOffset, sopStepDueAt } from '../../src/modules/sop/sop-offset';
import { renderSopText } from '../../templates/cards/sop-messages';

const ROOT = resolve(__dirname, '../..');
const TZ = 'Asia/Shanghai';

describe('SOP step offsets', () => {
  // Started on a Tuesday 15:30 in Shanghai.
  const start = dayjs.tz('2026-11-24 15:30', TZ).toDate();
  const at = (offset: string) =>
    dayjs(sopStepDueAt(start, parseSopOffset(offset)!, TZ))
      .tz(TZ)
      .format('MM-DD HH:mm:ss');

  it.each([
    ['+0', '11-24 15:30:00'],
    ['+30s', '11-24 15:30:30'],
    ['+10m', '11-24 15:40:00'],
    ['+2h', '11-24 17:30:00'],
    ['+3d', '11-27 15:30:00'],
    ['+1d 10:00', '11-25 10:00:00'],
    ['+3d 9:30', '11-27 09:30:00'],
    ['+0d 18:00', '11-24 18:00:00'],
    ['+0d 10:00', '11-24 15:30:00'], // already past today: at once, never before the start
  ])('%s after Tuesday 15:30 is %s', (offset, expected) => {
    expect(at(offset)).toBe(expected);
  });

  it.each([
    ['Asia/Shanghai', '2026-11-24 23:59'],
    ['America/New_York', '2026-03-07 15:30'], // the next day has 23 hours (DST starts)
    ['America/New_York', '2026-10-31 09:00'], // the next day has 25 hours (DST ends)
    ['Europe/London', '2026-03-28 23:30'],
    ['Australia/Adelaide', '2026-04-04 12:00'],
  ])('in %s from %s, a clock time is that time on that local day, across DST changes too', (zone, startText) => {
    const from = dayjs.tz(startText, zone).toDate();
    const startDay = startText.slice(0, 10);
    for (const offset of ['+1d 10:00', '+1d 04:00', '+0d 23:00', '+3d 9:30']) {
      const parsed = parseSopOffset(offset)!;
      // the local day by calendar arithmetic, and the wall time parsed in the zone (dayjs.tz(text) resolves the offset of that time)
      const day = dayjs.utc(startDay).add(parsed.days, 'day').format('YYYY-MM-DD');
      const clock = `${String(parsed.clock!.hour).padStart(2, '0')}:${String(parsed.clock!.minute).padStart(2, '0')}`;
      const expected = dayjs.tz(`${day} ${clock}`, zone).toDate();
      expect([offset, sopStepDueAt(from, parsed, zone).toISOString()]).toEqual([offset, new Date(Math.max(expected.getTime(), from.getTime())).toISOString()]);
    }
  });

  it.each(['3d', '+3', '+2h 10:00', '+1d 25:00', '+1w', '', 'tomorrow'])('refuses %j', (offset) => {
    expect(parseSopOffset(offset)).toBeUndefined();
  });
});

describe('SOP definitions file', () => {
  const valid = {
    sops: [{ name: 'a', title: 'A', trigger: { type: 'customer_added' }, steps: [{ key: 's1', offset: '+0', audience: 'owner', message: '你好 {name}' }] }],
  };

  it('the shipped templates/sops.json is valid and covers every SOP the shipped channel rules name', () => {
    const defs = loadSopFile(resolve(ROOT, 'templates/sops.json'));
    expect(defs.byName('new-customer')?.steps.map((s) => s.offset)).toEqual(['+0', '+1d 10:00', '+3d 10:00']);
    expect(defs.withTrigger('silent').map((s) => s.trigger.days)).toEqual([30]);
    expect(() => checkChannelRuleSops(loadChannelRules(resolve(ROOT, 'templates/channel-rules.json')), defs, 'rules.json', 'sops.json')).not.toThrow();
  });

  it('names the file and the field path of every problem', () => {
    const broken = {
      sops: [
        {
          name: 'a',
          title: 'A',
          trigger: { type: 'customer_added' },
          steps: [
            { key: 's1', offset: '+0', audience: 'owner', message: 'x' },
            { key: 's1', offset: 'tomorrow', audience: 'boss', message: 'hi {nmae}' },
          ],
        },
        { name: 'b', title: 'B', trigger: { type: 'silent' }, steps: [] },
      ],
    };
    expect(() => parseSopFile(broken, 'SOP file templates/sops.json')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^Invalid SOP file templates\/sops\.json:[\s\S]*sops\.0\.steps\.1\.offset: must look like \+0[\s\S]*sops\.0\.steps\.1\.audience: must be owner or team_group[\s\S]*sops\.0\.steps\.1\.message: unknown field \{nmae\}[\s\S]*sops\.1\.trigger\.days[\s\S]*sops\.1\.steps/,
        ),
      }),
    );
  });

  it('refuses duplicate step keys and SOP names, and unknown triggers', () => {
    expect(() => parseSopFile({ sops: [valid.sops[0], valid.sops[0]] })).toThrow(/sops\.1\.name: duplicate SOP name "a"/);
    expect(() => parseSopFile({ sops: [{ ...valid.sops[0], trigger: { type: 'birthday' } }] })).toThrow(
      /sops\.0\.trigger\.type: type must be customer_added, stage_changed, tag_added or silent/,
    );
    expect(() => parseSopFile({ sops: [{ ...valid.sops[0], trigger: { type: 'stage_changed', to: '成交' } }] })).toThrow(/sops\.0\.trigger\.to/);
  });

  it('a channel rule naming an unknown SOP fails startup naming the rule', () => {
    const rules = parseChannelRules({ rules: [{ name: 'live', match: { prefix: 'live-' }, sops: ['a', 'nope'] }], default: {} });
    expect(() => checkChannelRuleSops(rules, parseSopFile(valid), 'templates/channel-rules.json', 'templates/sops.json')).toThrow(
      'Invalid channel rules templates/channel-rules.json:\n  - rules.0.sops: no SOP named "nope" in templates/sops.json',
    );
  });

  it('renders customer fields into the message', () => {
    expect(renderSopText('{name} 第 {days} 天，{staff}', { name: '小红', days: '3', staff: '张三' })).toBe('小红 第 3 天，张三');
  });
});
