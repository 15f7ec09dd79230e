import { AuditLog, Customer, CustomerRelation, InboundEvent, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

const NOW = dayjs().add(7, 'day').toDate();

/**
 * 勿扰 / 恢复 typed to the app, end to end through the webhook, the queue and the database (the jest
 * projects run it on MariaDB and on the embedded SQLite of `npm start`, which has no row locks:
 * SELECT … FOR UPDATE fails there).
 */
describe('勿扰 and 恢复', () => {
  let harness: WebhookHarness;
  let container: Container;
  let calls: WecomCall[];
  let msgId = 8_100_000_000_000_000_000n;

  beforeAll(async () => {
    harness = await startWebhookHarness('dnc', { INBOUND_MAX_ATTEMPTS: '2' }, () => NOW);
    container = harness.container;
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'zhangsan' });
    const customer = await container.dataSource.getRepository(Customer).save({ name: '赵六', externalUserid: 'wmZhao' });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan' });
  });

  afterAll(() => harness.close());

  async function say(content: string, id = String((msgId += 1n))): Promise<string> {
    const before = calls.filter((c) => c.api === 'message/send').length;
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content, msgId: id }));
    const sends = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length > before,
      15_000,
      `a reply to "${content}"`,
    );
    return messageText(sends[before]!.body);
  }
  const zhao = () => container.dataSource.getRepository(Customer).findOneByOrFail({ name: '赵六' });

  it('勿扰 marks the customer with the reason once, even when the message is redelivered', async () => {
    expect(await say('勿扰 赵六 客户说别再发了', '555001')).toContain('已将 赵六 设为勿扰');
    expect(await zhao()).toMatchObject({ doNotContact: true, doNotContactReason: '客户说别再发了' });
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content: '勿扰 赵六 客户说别再发了', msgId: '555001' }));
    // the redelivery is stored as such, and finds its event done: nothing runs again
    await waitFor(
      () => container.dataSource.getRepository(InboundEvent).findOneByOrFail({ dedupeKey: 'msg:555001' }),
      (e) => e.redeliveries === 1 && e.status === 'done',
      5000,
      'the redelivery counted',
    );
    expect(await container.dataSource.getRepository(AuditLog).countBy({ action: 'customer.do_not_contact' })).toBe(1);
    expect(await say('勿扰 赵六')).toContain('已经是勿扰状态');
  });

  it('恢复 clears it; 撤销 puts back what 勿扰 changed', async () => {
    expect(await say('恢复 赵六')).toContain('没有设为勿扰');
    await say('勿扰 赵六');
    expect((await zhao()).doNotContact).toBe(true);
    expect(await say('撤销')).toContain('已撤销：赵六 的勿扰设置');
    expect(await zhao()).toMatchObject({ doNotContact: false, doNotContactReason: null });
    await say('勿扰 赵六');
    // the profile says so first, before anyone reaches out
    expect(await say('查客户 赵六')).toMatch(/"desc":"勿扰 · /);
    expect(await say('恢复 赵六')).toContain('已恢复 赵六');
    expect((await zhao()).doNotContact).toBe(false);
    expect(await say('查客户 赵六')).not.toContain('勿扰 · ');
    // 恢复 undone: 勿扰 again, and said so
    expect(await say('撤销')).toContain('已撤销：赵六 的「恢复」，仍为勿扰');
    expect((await zhao()).doNotContact).toBe(true);
  });

  it('a missing customer gets the usage, an unknown one the closest names', async () => {
    expect(await say('勿扰')).toContain('请写上要设为勿扰的客户');
    expect(await say('勿扰 赵七')).toContain('没有找到客户「赵七」');
  });
});
