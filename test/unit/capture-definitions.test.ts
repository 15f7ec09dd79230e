import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseChannelRules, renderWelcome } from '../../src/modules/capture/channel-rules';
import { parseTeamsFile } from '../../src/modules/capture/teams-file';

const ROOT = resolve(__dirname, '../..');

describe('channel rules', () => {
  const rules = parseChannelRules({
    rules: [
      { name: 'live', match: { prefix: 'live-' }, tags: [{ group: '渠道', name: '直播间' }], welcome: '直播{name}' },
      { name: 'live-vip', match: { prefix: 'live-vip-' }, stage: 'prospect' },
      { name: 'expo', match: { exact: 'live-vip-expo' } },
    ],
    default: { welcome: '您好{name}' },
  });

  it.each([
    ['live-1122', 'live'],
    ['live-vip-7', 'live-vip'],
    ['live-vip-expo', 'expo'],
    ['other', undefined],
    ['', undefined],
  ])('state %j matches rule %j (exact first, then the longest prefix)', (state, name) => {
    expect(rules.match(state).rule?.name).toBe(name);
  });

  it('falls back to the default welcome, and renders placeholders', () => {
    expect(rules.match('other').welcome).toBe('您好{name}');
    expect(rules.match('live-vip-7').stage).toBe('prospect');
    expect(renderWelcome('您好{name}，我是{staff}', { name: '小红', staff: null })).toBe('您好小红');
  });

  it('rejects a bad file with every problem listed', () => {
    expect(() => parseChannelRules({ rules: [{ name: 'a b', match: { exact: 'x', prefix: 'y' }, stage: 'vip' }] })).toThrow(
      /rules\.0\.name[\s\S]*rules\.0\.match: must be \{ "exact"[\s\S]*rules\.0\.stage/,
    );
    expect(() =>
      parseChannelRules({
        rules: [
          { name: 'dup', match: { exact: 'x' } },
          { name: 'dup', match: { exact: 'z' } },
        ],
      }),
    ).toThrow(/duplicate rule name "dup"/);
  });

  it('the shipped templates/channel-rules.json and templates/teams.json are valid', () => {
    expect(() => parseChannelRules(JSON.parse(readFileSync(resolve(ROOT, 'templates/channel-rules.json'), 'utf8')))).not.toThrow();
    expect(() => parseTeamsFile(JSON.parse(readFileSync(resolve(ROOT, 'templates/teams.json'), 'utf8')))).not.toThrow();
  });
});

describe('teams file', () => {
  it('accepts a team with a robot URL carrying its key', () => {
    const file = parseTeamsFile({
      teams: [{ name: '华东', lead: 'Boss', members: ['a'], robotWebhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }],
    });
    expect(file.teams[0]).toMatchObject({ name: '华东', members: ['a'] });
  });

  it('rejects a robot URL without its key, unknown fields, and a member in two teams', () => {
    expect(() =>
      parseTeamsFile({
        teams: [
          { name: 'A', members: ['x'], robotWebhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
          { name: 'B', members: ['X'], colour: 'red' },
        ],
      }),
    ).toThrow(/robot URL must carry its key[\s\S]*(colour|Unrecognized)/);
    expect(() =>
      parseTeamsFile({
        teams: [
          { name: 'A', members: ['x'] },
          { name: 'B', members: ['X'] },
        ],
      }),
    ).toThrow(/x is already in team "A"/);
  });
});
