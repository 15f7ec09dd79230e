import { reminderCustomerAction } from '../../bots/actions/reminder-customer.action';
import { reminderDoneAction } from '../../bots/actions/reminder-done.action';
import { reminderSnoozeHourAction } from '../../bots/actions/reminder-snooze-hour.action';
import { reminderTomorrowAction } from '../../bots/actions/reminder-tomorrow.action';
import { todoDoneAction } from '../../bots/actions/todo-done.action';
import { todoSnoozeHourAction } from '../../bots/actions/todo-snooze-hour.action';
import { todoTomorrowAction } from '../../bots/actions/todo-tomorrow.action';
import { handleCardClick, type CardActionDeps } from '../../bots/card-actions';
import type { BotServices } from '../../bots/core/bot-services';
import { type CardAction, type CardPress, type CardUpdate, defineCardAction } from '../../bots/core/card-action';
import { CardActionRouter } from '../../bots/core/card-action-router';
import { UserError } from '../../bots/core/errors';
import { createCardActionRouter } from '../../bots/registry';
import { createLogger } from '../../src/platform/logger';
import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { reminderButtonCard, todoCard } from '../../templates/cards/reminder-cards';

/** Each card action's pure parse, the registry's key rules, and the dispatcher's error boundary. */
const ctx = { now: new Date('2026-11-22T02:00:00Z'), timezone: 'Asia/Shanghai' };
const press = (args: string, selected: Record<string, string[]> = {}, taskId = 'rem-12-1'): CardPress => ({ args, taskId, selected });

describe('reminder card buttons parse the reminder id after their prefix', () => {
  describe.each([
    ['完成', reminderDoneAction, 'rem:done:'],
    ['推迟1小时', reminderSnoozeHourAction, 'rem:snooze1h:'],
    ['明天再提醒', reminderTomorrowAction, 'rem:tomorrow:'],
    ['查看客户', reminderCustomerAction, 'rem:customer:'],
  ])('%s', (_name, action, key) => {
    it('is registered for its key prefix', () => expect(action.key).toBe(key));

    it.each([
      ['12', {}, { reminderId: 12, taskId: 'rem-12-1' }],
      ['1234567890', {}, { reminderId: 1234567890, taskId: 'rem-12-1' }],
      // the pick of another card's drop-down is not what a reminder card's button names
      ['7', { reminder: ['9'] }, { reminderId: 7, taskId: 'rem-12-1' }],
      ['', {}, undefined],
      ['abc', {}, undefined],
      ['12x', {}, undefined],
      ['-1', {}, undefined],
      ['12345678901', {}, undefined],
      [':12', {}, undefined],
    ])('%j %j', (args, selected, expected) => {
      expect(action.parse!(press(args, selected), ctx)).toEqual(expected);
    });
  });
});

describe('待办 card buttons parse the reminder picked in the drop-down', () => {
  describe.each([
    ['完成', todoDoneAction, 'todo:done'],
    ['推迟1小时', todoSnoozeHourAction, 'todo:snooze1h'],
    ['明天再提醒', todoTomorrowAction, 'todo:tomorrow'],
  ])('%s', (_name, action, key) => {
    it('is registered for its key', () => expect(action.key).toBe(key));

    it.each([
      ['', { reminder: ['5'] }, 'todo-abc', { reminderId: 5, taskId: 'todo-abc' }],
      ['', { reminder: ['5', '6'] }, 'todo-abc', { reminderId: 5, taskId: 'todo-abc' }],
      ['', { reminder: ['5'] }, '', { reminderId: 5, taskId: '' }],
      ['', {}, 'todo-abc', undefined],
      ['', { reminder: [] }, 'todo-abc', undefined],
      ['', { other: ['5'] }, 'todo-abc', undefined],
      ['', { reminder: ['0'] }, 'todo-abc', undefined],
      ['', { reminder: ['x'] }, 'todo-abc', undefined],
      ['', { reminder: ['1.5'] }, 'todo-abc', undefined],
      // more after the key is another button's key, not this one
      ['x', { reminder: ['5'] }, 'todo-abc', undefined],
      [':5', { reminder: ['5'] }, 'todo-abc', undefined],
    ])('%j %j %j', (args, selected, taskId, expected) => {
      expect(action.parse!(press(args, selected, taskId), ctx)).toEqual(expected);
    });
  });
});

describe('the card-action registry', () => {
  const action = (key: string) => defineCardAction({ key, summary: key, run: async () => {} }) as CardAction;

  it('builds, and every button our cards show has an action', () => {
    const router = createCardActionRouter();
    const buttons = (card: TemplateCard) => card.button_list as Array<{ key: string }>;
    const keys = [
      ...buttons(reminderButtonCard({ reminderId: 12, taskId: 't', content: '回访', due: '11月24日 周二 15:00', customerName: '王老板' })),
      ...buttons(todoCard({ taskId: 't', items: [{ id: 5, line: 'x', short: 'x', overdue: false }] })),
    ].map((b) => b.key);
    expect(keys).toHaveLength(7);
    for (const key of keys) expect(router.match(key)).toBeDefined();
  });

  it.each([
    ['the same prefix twice', 'rem:done:', 'rem:done:'],
    ['one prefix inside another', 'rem:', 'rem:done:'],
    ['a longer one registered first', 'todo:done', 'todo:'],
  ])('refuses %s at start', (_what, first, second) => {
    expect(() => new CardActionRouter([action(first), action(second)])).toThrow(/overlaps/);
  });

  it('refuses an action without a key', () => {
    expect(() => new CardActionRouter([action('')])).toThrow(/no key prefix/);
  });

  it('matches by prefix and hands the rest of the key to parse', () => {
    const router = new CardActionRouter([action('rem:done:'), action('todo:done')]);
    expect(router.match('rem:done:12')).toMatchObject({ action: { key: 'rem:done:' }, args: '12' });
    expect(router.match('todo:done')).toMatchObject({ action: { key: 'todo:done' }, args: '' });
    expect(router.match('rem:snooze1h:12')).toBeUndefined();
    expect(router.match('')).toBeUndefined();
  });
});

describe('handleCardClick', () => {
  const logger = createLogger('silent');
  const click = (eventKey: string, responseCode = 'RC-1') => ({
    payload: { FromUserName: 'ZhangSan', EventKey: eventKey, TaskId: 'task-1', ResponseCode: responseCode, CardType: 'button_interaction' },
    fromUser: 'ZhangSan',
    sourceKey: 'card:event-1',
  });

  function setup(run: CardAction['run'], parse?: CardAction['parse']) {
    const updates: Array<{ to: string; responseCode: string; update: CardUpdate; key: string }> = [];
    const sent: Array<{ to: string; key: string }> = [];
    const seen: unknown[] = [];
    const router = new CardActionRouter([
      {
        key: 'test:',
        summary: 'test',
        parse,
        run: (input, c) => {
          seen.push({ input, clicker: c.clicker, sourceKey: c.sourceKey });
          return run(input, c);
        },
      },
    ]);
    const deps: CardActionDeps = {
      router,
      services: {} as BotServices,
      logger,
      timezone: ctx.timezone,
      now: () => ctx.now,
      updateCard: async (to, responseCode, update, key) => void updates.push({ to, responseCode, update, key }),
      send: async (to, _reply, key) => void sent.push({ to, key }),
    };
    return { deps, updates, sent, seen };
  }

  it('runs the action its key names, as the lower-cased clicker, and answers to the WeCom userid', async () => {
    const { deps, updates, sent, seen } = setup(async (_input, c) => {
      await c.update({ button: { replace_name: 'ok' } });
      await c.reply({ kind: 'text', content: 'a' });
      await c.reply({ kind: 'text', content: 'b' });
    });
    await handleCardClick(deps, click('test:42'));
    expect(seen).toEqual([{ input: { args: '42', taskId: 'task-1', selected: {} }, clicker: 'zhangsan', sourceKey: 'card:event-1' }]);
    expect(updates).toEqual([{ to: 'ZhangSan', responseCode: 'RC-1', update: { button: { replace_name: 'ok' } }, key: 'card:card:event-1' }]);
    expect(sent.map((s) => s.key)).toEqual(['card-reply:card:event-1:0', 'card-reply:card:event-1:1']);
    expect(sent.every((s) => s.to === 'ZhangSan')).toBe(true);
  });

  it('ignores a key no action has, and one its action cannot read', async () => {
    const unknown = setup(async () => {});
    await handleCardClick(unknown.deps, click('other:1'));
    expect(unknown.seen).toEqual([]);
    const unreadable = setup(
      async () => {},
      () => undefined,
    );
    await handleCardClick(unreadable.deps, click('test:x'));
    expect(unreadable.seen).toEqual([]);
    expect(unreadable.updates).toEqual([]);
  });

  it('greys the clicked button with a user error, from parse or run, and does not throw', async () => {
    const fromRun = setup(async () => {
      throw new UserError('提醒不存在');
    });
    await handleCardClick(fromRun.deps, click('test:1'));
    expect(fromRun.updates.map((u) => u.update)).toEqual([{ button: { replace_name: '提醒不存在' } }]);
    const fromParse = setup(
      async () => {},
      () => {
        throw new UserError('卡片已过期');
      },
    );
    await handleCardClick(fromParse.deps, click('test:1'));
    expect(fromParse.updates.map((u) => u.update)).toEqual([{ button: { replace_name: '卡片已过期' } }]);
  });

  it('acts without changing the card when the click has no ResponseCode', async () => {
    const { deps, updates, seen } = setup(async (_input, c) => c.update({ button: { replace_name: 'ok' } }));
    await handleCardClick(deps, click('test:1', ''));
    expect(seen).toHaveLength(1);
    expect(updates).toEqual([]);
  });

  it('lets any other failure through, so the queue retries the click', async () => {
    const { deps, updates } = setup(async () => {
      throw new Error('database gone');
    });
    await expect(handleCardClick(deps, click('test:1'))).rejects.toThrow('database gone');
    expect(updates).toEqual([]);
  });
});
