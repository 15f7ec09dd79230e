import { parseSopFile } from '../../src/modules/sop/sop-definitions';
import { decideStep, type StepFacts } from '../../src/modules/sop/sop-step-rules';

const defs = parseSopFile({
  sops: [
    {
      name: 'welcome',
      title: '新客户跟进',
      trigger: { type: 'customer_added' },
      steps: [
        { key: 'hello', offset: '+0', audience: 'owner', message: '你好' },
        { key: 'quote', offset: '+1d', audience: 'owner', message: '报价', when: { stageIn: ['lead', 'prospect'], noFollowUpSinceStart: true } },
      ],
    },
    {
      name: 'won',
      title: '成交',
      trigger: { type: 'stage_changed', to: 'won' },
      steps: [{ key: 'thanks', offset: '+0', audience: 'team_group', message: '谢谢' }],
    },
    { name: 'quiet', title: '沉默', trigger: { type: 'silent', days: 7 }, steps: [{ key: 'nudge', offset: '+0', audience: 'owner', message: '问候' }] },
    { name: 'off', title: '停用', enabled: false, trigger: { type: 'customer_added' }, steps: [{ key: 'x', offset: '+0', audience: 'owner', message: 'x' }] },
  ],
});

const started = new Date('2026-12-01T02:00:00Z');
const facts = (
  sop: string,
  stepKey: string,
  customer: Partial<StepFacts['customer']> = {},
  relation: StepFacts['relation'] = { status: 'active' },
): StepFacts => ({
  definition: defs.byName(sop),
  stepKey,
  run: { startedAt: started },
  customer: { stage: 'lead', doNotContact: false, lastContactAt: null, ...customer },
  relation,
});
const reason = (f: StepFacts) => {
  const decision = decideStep(f);
  return decision.send ? `send:${decision.step.key}` : decision.reason;
};

describe('SOP step rules: decided when the step fires, by the current definition', () => {
  it('sends a step whose customer is still followed and in reach', () => {
    expect(reason(facts('welcome', 'hello'))).toBe('send:hello');
    expect(reason(facts('won', 'thanks', { stage: 'won' }))).toBe('send:thanks');
  });

  it('a step no longer in the file, of an SOP gone or disabled, is step_removed', () => {
    expect(reason(facts('welcome', 'gone'))).toBe('step_removed');
    expect(reason(facts('nobody', 'hello'))).toBe('step_removed');
    expect(reason(facts('off', 'x'))).toBe('step_removed');
  });

  it('a customer lost (the relation ended, or marked 流失) comes before every other reason', () => {
    expect(reason(facts('welcome', 'hello', {}, { status: 'lost' }))).toBe('customer_lost');
    expect(reason(facts('welcome', 'hello', {}, null))).toBe('customer_lost');
    expect(reason(facts('welcome', 'hello', { stage: 'lost', doNotContact: true }))).toBe('customer_lost');
  });

  it('勿扰 is do_not_contact', () => {
    expect(reason(facts('welcome', 'hello', { doNotContact: true }))).toBe('do_not_contact');
  });

  it('a customer moved off the stage the SOP or the step is for is stage_moved', () => {
    expect(reason(facts('won', 'thanks', { stage: 'opportunity' }))).toBe('stage_moved');
    expect(reason(facts('welcome', 'quote', { stage: 'opportunity' }))).toBe('stage_moved');
    expect(reason(facts('welcome', 'quote', { stage: 'prospect' }))).toBe('send:quote');
  });

  it('a follow-up after the run started skips steps that ask for none, and every step of a silent SOP', () => {
    const after = { lastContactAt: new Date(started.getTime() + 60_000) };
    const before = { lastContactAt: new Date(started.getTime() - 60_000) };
    expect(reason(facts('welcome', 'quote', after))).toBe('followed_up');
    expect(reason(facts('welcome', 'quote', before))).toBe('send:quote');
    expect(reason(facts('welcome', 'hello', after))).toBe('send:hello');
    expect(reason(facts('quiet', 'nudge', after))).toBe('followed_up');
    expect(reason(facts('quiet', 'nudge', before))).toBe('send:nudge');
  });
});
