import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import { findChineseDates, parseChineseDate } from '../../bots/dates/chinese-date.parser';
import { formatChineseDateTime } from '../../templates/format-date';

dayjs.extend(utc);
dayjs.extend(timezone);

const SH = 'Asia/Shanghai';

/** The clocks the phrases are read against, written in Shanghai time; the process runs in UTC. */
const SUNDAY_10 = new Date('2026-11-22T10:00:00+08:00'); // the STACK.md table's "now"
const WEDNESDAY_1630 = new Date('2026-11-25T16:30:00+08:00');
const SUNDAY_2330 = new Date('2026-11-22T23:30:00+08:00');
const MONTH_END = new Date('2026-01-31T10:00:00+08:00'); // a Saturday

/** "2026-11-23 10:00" in Shanghai, plus "·" when the time was chosen by us (hasTime false). */
function read(phrase: string, now: Date, zone = SH): string | null {
  const parsed = parseChineseDate(phrase, now, zone);
  if (!parsed) return null;
  return dayjs(parsed.at).tz(zone).format('YYYY-MM-DD HH:mm') + (parsed.hasTime ? '' : ' ·');
}

type Row = [phrase: string, expected: string | null];

describe('parseChineseDate: the STACK.md table (now = Sunday 2026-11-22 10:00 Shanghai)', () => {
  it.each<Row>([
    ['明天上午10点回访', '2026-11-23 10:00'],
    ['12/3 14:00', '2026-12-03 14:00'],
    ['下周二再联系', '2026-11-24 09:00 ·'],
    ['半小时后', '2026-11-22 10:30'],
    ['3天后', '2026-11-25 09:00 ·'],
    ['两周后', '2026-12-06 09:00 ·'],
    ['月底', '2026-11-30 09:00 ·'],
    ['下周一早上九点', '2026-11-23 09:00'],
    ['周五下午', '2026-11-27 14:00 ·'],
    ['后天', '2026-11-24 09:00 ·'],
    ['下个月5号', '2026-12-05 09:00 ·'],
    ['今晚8点', '2026-11-22 20:00'],
    ['2026年12月1日', '2026-12-01 09:00 ·'],
    ['过两天', '2026-11-24 09:00 ·'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase, SUNDAY_10)).toBe(expected);
  });
});

describe('parseChineseDate: more phrases on Sunday 2026-11-22 10:00', () => {
  describe('days and weeks (weeks start on Monday)', () => {
    it.each<Row>([
      ['今天下午', '2026-11-22 14:00 ·'],
      ['明早', '2026-11-23 09:00 ·'],
      ['明晚', '2026-11-23 20:00 ·'],
      ['今晚', '2026-11-22 20:00 ·'],
      ['明天中午', '2026-11-23 12:00 ·'],
      ['明天傍晚', '2026-11-23 18:00 ·'],
      ['大后天', '2026-11-25 09:00 ·'],
      ['后日', '2026-11-24 09:00 ·'],
      ['下周一', '2026-11-23 09:00 ·'],
      ['下周', '2026-11-23 09:00 ·'], // the Monday of next week
      ['下下周', '2026-11-30 09:00 ·'],
      ['下下周三', '2026-12-02 09:00 ·'],
      ['下个星期四', '2026-11-26 09:00 ·'],
      ['周五', '2026-11-27 09:00 ·'],
      ['本周五', '2026-11-27 09:00 ·'], // on a Sunday "this week" looks ahead
      ['这周五', '2026-11-27 09:00 ·'],
      ['这个礼拜五', '2026-11-27 09:00 ·'],
      ['这周日', '2026-11-22 11:00 ·'], // today; 09:00 has passed, so the next whole hour
      ['周日', '2026-11-29 09:00 ·'], // a bare weekday is the next one after today
      ['星期天', '2026-11-29 09:00 ·'],
      ['礼拜三', '2026-11-25 09:00 ·'],
      ['周3', '2026-11-25 09:00 ·'],
      ['周末', '2026-11-28 09:00 ·'],
      ['下周末', '2026-11-28 09:00 ·'],
      ['上周五', '2026-11-13 09:00 ·'], // strict Monday weeks backwards: past, the caller says so
      ['昨天', '2026-11-21 09:00 ·'],
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });
  });

  describe('months and years', () => {
    it.each<Row>([
      ['月初', '2026-12-01 09:00 ·'], // this month's 1st has passed
      ['月中', '2026-12-15 09:00 ·'],
      ['月末', '2026-11-30 09:00 ·'],
      ['下个月底', '2026-12-31 09:00 ·'],
      ['下月初', '2026-12-01 09:00 ·'],
      ['下个月', '2026-12-01 09:00 ·'],
      ['这个月25号', '2026-11-25 09:00 ·'],
      ['年底', '2026-12-31 09:00 ·'],
      ['明年底', '2027-12-31 09:00 ·'],
      ['2026年底', '2026-12-31 09:00 ·'],
      ['12月底', '2026-12-31 09:00 ·'],
      ['1月中旬', '2027-01-15 09:00 ·'],
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });
  });

  describe('offsets from now', () => {
    it.each<Row>([
      ['2小时后', '2026-11-22 12:00'],
      ['两个小时以后', '2026-11-22 12:00'],
      ['一个半小时后', '2026-11-22 11:30'],
      ['1.5小时后', '2026-11-22 11:30'],
      ['两个钟后', '2026-11-22 12:00'],
      ['30分钟后', '2026-11-22 10:30'],
      ['十五分钟之后', '2026-11-22 10:15'],
      ['过10分钟', '2026-11-22 10:10'],
      ['过半小时', '2026-11-22 10:30'],
      ['十天后', '2026-12-02 09:00 ·'],
      ['一周后', '2026-11-29 09:00 ·'],
      ['2个礼拜后', '2026-12-06 09:00 ·'],
      ['3个月后', '2027-02-22 09:00 ·'],
      ['半个月后', '2026-12-07 09:00 ·'],
      ['半年后', '2027-05-22 09:00 ·'],
      ['两年后', '2028-11-22 09:00 ·'],
      ['过一周', '2026-11-29 09:00 ·'],
      ['3天后下午3点', '2026-11-25 15:00'],
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });
  });

  describe('explicit dates (a month and day that has passed is next year)', () => {
    it.each<Row>([
      ['12月3日', '2026-12-03 09:00 ·'],
      ['12月3号', '2026-12-03 09:00 ·'],
      ['12月3 下午', '2026-12-03 14:00 ·'],
      ['十二月三号', '2026-12-03 09:00 ·'],
      ['十一月二十五号', '2026-11-25 09:00 ·'],
      ['12/3', '2026-12-03 09:00 ·'],
      ['2026-12-03', '2026-12-03 09:00 ·'],
      ['2026/12/03 15:00', '2026-12-03 15:00'],
      ['2026.12.03', '2026-12-03 09:00 ·'],
      ['二零二六年十二月一日', '2026-12-01 09:00 ·'],
      ['2027年1月5日上午10点', '2027-01-05 10:00'],
      ['1月5日', '2027-01-05 09:00 ·'],
      ['11月21日', '2027-11-21 09:00 ·'],
      ['11月22日下午', '2026-11-22 14:00 ·'],
      ['12月3日（周四）下午3点', '2026-12-03 15:00'],
      ['5号', '2026-12-05 09:00 ·'], // the 5th has passed this month
      ['25号', '2026-11-25 09:00 ·'],
      ['25日上午', '2026-11-25 09:00 ·'],
      ['31号', '2026-12-31 09:00 ·'], // November has no 31st: the next month that does
      ['１２／３ １４：００', '2026-12-03 14:00'], // full-width, as some input methods type it
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });
  });

  describe('times of day', () => {
    it.each<Row>([
      ['下午3点', '2026-11-22 15:00'], // said in the morning: today
      ['3点', '2026-11-22 15:00'], // 1–7点 without a marker: afternoon
      ['7点', '2026-11-22 19:00'],
      ['9点', '2026-11-23 09:00'], // 8–12点 as written; 09:00 has passed: tomorrow
      ['11点', '2026-11-22 11:00'],
      ['十二点', '2026-11-22 12:00'],
      ['3点半', '2026-11-22 15:30'],
      ['三点一刻', '2026-11-22 15:15'],
      ['下午三点三刻', '2026-11-22 15:45'],
      ['两点', '2026-11-22 14:00'],
      ['十点十五分', '2026-11-22 10:15'],
      ['10点30', '2026-11-22 10:30'],
      ['3点05', '2026-11-22 15:05'],
      ['三点零五分', '2026-11-22 15:05'],
      ['下午三点钟', '2026-11-22 15:00'],
      ['下午3点整', '2026-11-22 15:00'],
      ['15时30分', '2026-11-22 15:30'],
      ['15:30', '2026-11-22 15:30'],
      ['3:30pm', '2026-11-22 15:30'],
      ['3pm', '2026-11-22 15:00'],
      ['11am', '2026-11-22 11:00'],
      ['上午11点', '2026-11-22 11:00'],
      ['中午12点半', '2026-11-22 12:30'],
      ['中午1点', '2026-11-22 13:00'],
      ['晚上7点', '2026-11-22 19:00'],
      ['晚上12点', '2026-11-23 00:00'],
      ['凌晨2点', '2026-11-23 02:00'],
      ['晚上1点', '2026-11-23 01:00'],
      ['明天凌晨', '2026-11-23 06:00 ·'],
      ['24点', '2026-11-23 00:00'],
      ['明天早8点', '2026-11-23 08:00'],
      ['明天晚9点', '2026-11-23 21:00'],
      ['明天一点', '2026-11-23 13:00'],
      ['明天8点', '2026-11-23 08:00'],
      ['明天3点', '2026-11-23 15:00'],
      ['明天 下午 3点', '2026-11-23 15:00'],
      ['明天的下午3点', '2026-11-23 15:00'],
      ['下午', '2026-11-22 14:00 ·'],
      ['晚上', '2026-11-22 20:00 ·'],
      ['上午', '2026-11-22 11:00 ·'], // the morning is not over: the next whole hour
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });
  });

  describe('holidays (National Day and Labour Day every year, Spring Festival 2026–2030)', () => {
    it.each<Row>([
      ['国庆后', '2027-10-08 09:00 ·'],
      ['国庆节之后', '2027-10-08 09:00 ·'],
      ['五一后', '2027-05-06 09:00 ·'],
      ['春节后', '2027-02-13 09:00 ·'], // 正月初八 2027
      ['过完年', '2027-02-13 09:00 ·'],
      ['年后再联系', '2027-02-13 09:00 ·'],
    ])('%s → %s', (phrase, expected) => {
      expect(read(phrase, SUNDAY_10)).toBe(expected);
    });

    it('春节后 before the festival is this year’s', () => {
      expect(read('春节后', MONTH_END)).toBe('2026-02-24 09:00 ·');
    });
  });
});

describe('parseChineseDate on Wednesday 2026-11-25 16:30', () => {
  it.each<Row>([
    ['3点', '2026-11-26 15:00'], // 15:00 has passed: tomorrow
    ['下午3点', '2026-11-26 15:00'],
    ['下午', '2026-11-25 17:00 ·'], // the afternoon lasts until 18:00: the next whole hour
    ['今天下午', '2026-11-25 17:00 ·'],
    ['今天', '2026-11-25 17:00 ·'],
    ['上午', '2026-11-26 09:00 ·'], // the morning is over: tomorrow's
    ['今天上午', '2026-11-25 09:00 ·'], // the user named today: kept, and it is in the past
    ['晚上', '2026-11-25 20:00 ·'],
    ['今晚', '2026-11-25 20:00 ·'],
    ['20:00', '2026-11-25 20:00'],
    ['明天', '2026-11-26 09:00 ·'],
    ['周五', '2026-11-27 09:00 ·'],
    ['本周五', '2026-11-27 09:00 ·'],
    ['下周二', '2026-12-01 09:00 ·'],
    ['周一', '2026-11-30 09:00 ·'],
    ['这周一', '2026-11-23 09:00 ·'], // past, on purpose: the caller says it has passed
    ['周三', '2026-12-02 09:00 ·'], // on Wednesday, 周三 is next week's (today is 今天)
    ['这周三', '2026-11-25 17:00 ·'],
    ['周末', '2026-11-28 09:00 ·'],
    ['月底', '2026-11-30 09:00 ·'],
    ['月中', '2026-12-15 09:00 ·'],
    ['两周后', '2026-12-09 09:00 ·'],
    ['5号', '2026-12-05 09:00 ·'],
    ['半小时后', '2026-11-25 17:00'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase, WEDNESDAY_1630)).toBe(expected);
  });
});

describe('parseChineseDate late on Sunday 2026-11-22 23:30', () => {
  it.each<Row>([
    ['今晚', '2026-11-23 00:00 ·'], // what is left of tonight: midnight
    ['今晚8点', '2026-11-22 20:00'], // an explicit time the user gave is kept, even if past
    ['今天', '2026-11-23 00:00 ·'],
    ['晚上11点', '2026-11-23 23:00'],
    ['3点', '2026-11-23 15:00'],
    ['明天', '2026-11-23 09:00 ·'],
    ['明早', '2026-11-23 09:00 ·'],
    ['下周一', '2026-11-23 09:00 ·'],
    ['半小时后', '2026-11-23 00:00'],
    ['下午', '2026-11-23 14:00 ·'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase, SUNDAY_2330)).toBe(expected);
  });
});

describe('parseChineseDate at a month end, Saturday 2026-01-31 10:00', () => {
  it.each<Row>([
    ['下个月5号', '2026-02-05 09:00 ·'],
    ['月底', '2026-01-31 11:00 ·'], // today; 09:00 has passed
    ['下个月底', '2026-02-28 09:00 ·'],
    ['1个月后', '2026-02-28 09:00 ·'], // February has no 31st
    ['下个月', '2026-02-01 09:00 ·'],
    ['月中', '2026-02-15 09:00 ·'],
    ['30号', '2026-03-30 09:00 ·'], // February has no 30th
    ['周末', '2026-01-31 11:00 ·'], // Saturday: the weekend is today
    ['下周一', '2026-02-02 09:00 ·'],
    ['周一', '2026-02-02 09:00 ·'],
    ['明天', '2026-02-01 09:00 ·'],
    ['3天后', '2026-02-03 09:00 ·'],
    ['12月1日', '2026-12-01 09:00 ·'],
    ['1月5日', '2027-01-05 09:00 ·'],
    ['2月29日', '2028-02-29 09:00 ·'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase, MONTH_END)).toBe(expected);
  });

  it('formats the year when the date is not in the current year', () => {
    const parsed = parseChineseDate('1月5日', MONTH_END, SH)!;
    expect(formatChineseDateTime(parsed.at, SH, MONTH_END)).toBe('2027年1月5日 周二 09:00');
  });
});

describe('parseChineseDate in free text', () => {
  it('returns the matched phrase and where it starts, so callers can cut it out', () => {
    const text = '提醒 明天下午3点 张三 发报价';
    const parsed = parseChineseDate(text, SUNDAY_10, SH)!;
    expect(parsed).toMatchObject({ text: '明天下午3点', index: 3, hasTime: true, source: 'rules' });
    expect(text.slice(parsed.index + parsed.text.length).trim()).toBe('张三 发报价');
  });

  it.each<[text: string, phrase: string, expected: string]>([
    ['电话沟通了报价，下周二再联系', '下周二', '2026-11-24 09:00 ·'],
    ['客户说月底前给答复', '月底', '2026-11-30 09:00 ·'],
    ['约了周五下午两点半见面', '周五下午两点半', '2026-11-27 14:30'],
    ['对方出差，过两天再打', '过两天', '2026-11-24 09:00 ·'],
    ['报价已发，12月3日 10:00 复盘', '12月3日 10:00', '2026-12-03 10:00'],
    ['明天早一点联系他', '明天', '2026-11-23 09:00 ·'], // 早一点 = "a bit earlier"
    ['周总说下周三再谈', '下周三', '2026-11-25 09:00 ·'], // 周总 is Mr Zhou
    ['去3号楼拜访，明天上午', '明天上午', '2026-11-23 09:00 ·'],
    ['Call him tomorrow? 明天10:30', '明天10:30', '2026-11-23 10:30'],
  ])('%s → %s', (text, phrase, expected) => {
    const parsed = parseChineseDate(text, SUNDAY_10, SH)!;
    expect(parsed.text).toBe(phrase);
    expect(text.indexOf(phrase)).toBe(parsed.index);
    expect(read(text, SUNDAY_10)).toBe(expected);
  });

  it('finds every phrase with findChineseDates', () => {
    const found = findChineseDates('上午打过电话，下周二下午再联系，月底前签约', SUNDAY_10, SH);
    expect(found.map((f) => f.text)).toEqual(['上午', '下周二下午', '月底']);
  });
});

describe('what is not a date', () => {
  it.each<string>([
    '',
    '张三 电话沟通了报价',
    '快一点', // a bit faster
    '便宜一点', // a bit cheaper
    '有两点要求', // two points
    '第三点', // the third point
    '去3号楼', // building 3
    '坐1号线', // metro line 1
    '超过两天没回复', // more than two days
    '然后天天跟进', // 后天 inside 然后天天
    '目前天气不好', // 前天 inside 目前天气
    '3日内回复', // within 3 days
    '过几天再说', // vague: we do not guess
    '几天后',
    '几个小时后',
    '一两天后',
    '下周再说吧'.slice(2), // 再说吧
    '2月30日', // does not exist
    '13月1日',
    '12/45',
    '25点',
    '3点70分',
    '十二月', // a month alone: chrono would say the 22nd
    '12月3个客户', // 3 customers in December
    '周到的服务', // 周 is a word here
    '这周', // this week, no day
    '3小时', // a duration, not "in 3 hours"
    '20%',
    '付了1/2定金', // a fraction, not 1月2日
    '占1/3的预算',
  ])('%j → null', (text) => {
    expect(parseChineseDate(text, SUNDAY_10, SH)).toBeNull();
  });

  it('never throws on odd input', () => {
    const odd = ['😀明天😀', '\u0000', '月'.repeat(500), '1'.repeat(1000), '下下下下周', '点点点', '：：', '年后年后', '周周周一'];
    for (const text of odd) expect(() => parseChineseDate(text, SUNDAY_10, SH)).not.toThrow();
    expect(read('😀明天😀', SUNDAY_10)).toBe('2026-11-23 09:00 ·');
  });
});

describe('chrono-node fallback', () => {
  it('reads a day our rules leave alone, in the CRM zone', () => {
    const parsed = parseChineseDate('12月3.5 见面', SUNDAY_10, SH)!;
    expect(parsed).toMatchObject({ text: '12月3', index: 0, hasTime: false, source: 'chrono' });
    expect(read('12月3.5 见面', SUNDAY_10)).toBe('2026-12-03 09:00 ·');
  });

  it('is not asked when our rules found the phrase vague', () => {
    expect(parseChineseDate('过几天 12月3.5', SUNDAY_10, SH)).toBeNull();
  });
});

describe('time zones', () => {
  it('resolves in the zone it is given, not the process zone (UTC here)', () => {
    expect(parseChineseDate('明天上午10点', SUNDAY_10, SH)!.at.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    // 10:00 Shanghai on Sunday is 03:00 Sunday in Berlin: 明天 is Monday there too, 10:00 CET.
    expect(parseChineseDate('明天上午10点', SUNDAY_10, 'Europe/Berlin')!.at.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    // ... and 21:00 Saturday in New York, where 明天 is Sunday.
    expect(read('明天上午10点', SUNDAY_10, 'America/New_York')).toBe('2026-11-22 10:00');
  });

  it('keeps the wall-clock time across a daylight-saving change', () => {
    // Berlin leaves DST on 2026-10-25: Saturday 10:00 is 08:00 UTC, Sunday 10:00 is 09:00 UTC.
    const saturday = new Date('2026-10-24T08:00:00Z');
    expect(parseChineseDate('明天上午10点', saturday, 'Europe/Berlin')!.at.toISOString()).toBe('2026-10-25T09:00:00.000Z');
    expect(parseChineseDate('3天后', saturday, 'Europe/Berlin')!.at.toISOString()).toBe('2026-10-27T08:00:00.000Z');
  });

  it('gives instants, not wall-clock times of the process', () => {
    expect(parseChineseDate('下周二下午3点', SUNDAY_10, SH)!.at.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(parseChineseDate('半小时后', SUNDAY_10, SH)!.at.toISOString()).toBe('2026-11-22T02:30:00.000Z');
    expect(formatChineseDateTime(new Date('2026-11-23T16:30:00Z'), SH, SUNDAY_10)).toBe('11月24日 周二 00:30');
  });
});

describe('independent of the process time zone', () => {
  // Fixed instants, so a run under another process zone fails if anything leaks. This file is run
  // with TZ=Asia/Shanghai and TZ=America/New_York as well: a TZ given on the command line is the
  // zone the test worker really runs in (setting it from inside a test does not move the clock).
  it.each<[phrase: string, iso: string]>([
    ['明天上午10点回访', '2026-11-23T02:00:00.000Z'],
    ['下周二再联系', '2026-11-24T01:00:00.000Z'],
    ['半小时后', '2026-11-22T02:30:00.000Z'],
    ['月底', '2026-11-30T01:00:00.000Z'],
    ['周五下午', '2026-11-27T06:00:00.000Z'],
    ['今晚8点', '2026-11-22T12:00:00.000Z'],
    ['3点', '2026-11-22T07:00:00.000Z'],
    ['1月5日', '2027-01-05T01:00:00.000Z'],
    ['下个月5号', '2026-12-05T01:00:00.000Z'],
  ])('%s → %s', (phrase, iso) => {
    expect(parseChineseDate(phrase, SUNDAY_10, SH)!.at.toISOString()).toBe(iso);
  });
});

describe('formatChineseDateTime', () => {
  it.each<[at: string, expected: string]>([
    ['2026-11-24T15:00:00+08:00', '11月24日 周二 15:00'],
    ['2026-11-22T09:05:00+08:00', '11月22日 周日 09:05'],
    ['2026-12-31T23:59:00+08:00', '12月31日 周四 23:59'],
    ['2027-01-05T09:00:00+08:00', '2027年1月5日 周二 09:00'],
    ['2025-12-01T09:00:00+08:00', '2025年12月1日 周一 09:00'],
  ])('%s → %s', (at, expected) => {
    expect(formatChineseDateTime(new Date(at), SH, SUNDAY_10)).toBe(expected);
  });

  it('reads the current year in the CRM zone: 2026-12-31 17:00 UTC is already 2027 in Shanghai', () => {
    const now = new Date('2026-12-31T17:00:00Z');
    expect(formatChineseDateTime(new Date('2027-01-02T01:00:00Z'), SH, now)).toBe('1月2日 周六 09:00');
  });
});
