import { Customer, CustomerRelation, FollowUp, Opportunity, Reminder, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { mediaMessageXml, textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/** The bot's clock: 10:00 Shanghai a week ahead (reminders are delayed jobs timed by the real clock). */
const NOW = dayjs().tz(TZ).add(7, 'day').hour(10).minute(0).second(0).millisecond(0);
const tomorrowAt = (hour: number) => NOW.add(1, 'day').hour(hour).toDate().toISOString();

/**
 * Commands typed the way salespeople type them — full-width punctuation, amounts in 万 and 成, the
 * customer before the time, typos, everyday phrasings, several lines, a voice message — through the
 * webhook, the queue, the worker and MariaDB, answered through the outbound queue (nock).
 */
describe('input as salespeople type it', () => {
  let harness: WebhookHarness;
  let container: Container;
  let calls: WecomCall[];
  let msgId = 8_400_000_000_000_000_000n;

  beforeAll(async () => {
    harness = await startWebhookHarness('typed-input', {}, () => NOW.toDate());
    container = harness.container;
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await deleteRedisPrefix(`${container.queues.prefix}:conversation`);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' });
    for (const name of ['刘洋', '陈静', '赵敏', '孙丽']) await addCustomer(name);
  });

  afterAll(() => harness.close());

  let n = 0;
  async function addCustomer(name: string): Promise<Customer> {
    const customer = await container.dataSource.getRepository(Customer).save({ name, externalUserid: `wmTyped${(n += 1)}` });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan' });
    return customer;
  }
  const sends = () => calls.filter((c) => c.api === 'message/send');
  async function postAndWait(xml: string, what: string): Promise<string> {
    const before = sends().length;
    await harness.post(xml);
    const all = await waitFor(
      async () => sends(),
      (s) => s.length > before,
      15_000,
      `a reply to ${what}`,
    );
    return messageText(all[before]!.body);
  }
  const say = (content: string) =>
    postAndWait(textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content, msgId: String((msgId += 1n)) }), `"${content}"`);
  const customerNamed = (name: string) => container.dataSource.getRepository(Customer).findOneByOrFail({ name });
  const followUpsOf = async (name: string) => container.dataSource.getRepository(FollowUp).findBy({ customerId: (await customerNamed(name)).id });

  describe('我的客户 pages', () => {
    it('a page past the last says how many there are and shows the last, not an empty page', async () => {
      const reply = await say('我的客户 2');
      expect(reply).toContain('没有第2页：只有1页，下面是第1页');
      expect(reply).toContain('共4位 · 第1/1页');
      for (const name of ['刘洋', '陈静', '赵敏', '孙丽']) expect(reply).toContain(name);
      expect(reply).not.toContain('第2/1页');
    });

    it('第2页 and a stage with a page are read as pages', async () => {
      for (let i = 0; i < 8; i += 1) await addCustomer(`客户${i}`);
      const second = await say('我的客户 第2页');
      expect(second).toContain('共12位 · 第2/2页');
      expect(second).toMatch(/11\. \*\*/);
      expect(await say('我的客户 商机 2')).toContain('没有「商机」的客户');
      await container.dataSource.getRepository(Customer).update({ name: '刘洋' }, { stage: 'opportunity' });
      const stage = await say('我的客户 商机 第2页');
      expect(stage).toContain('没有第2页：只有1页');
      expect(stage).toContain('刘洋');
    });
  });

  describe('full-width punctuation separates', () => {
    it('记录跟进 刘洋：… records for 刘洋 what follows the colon', async () => {
      expect(await say('记录跟进 刘洋：客户说月底前定')).toContain('已记录跟进：刘洋');
      expect(await followUpsOf('刘洋')).toEqual([expect.objectContaining({ content: '客户说月底前定' })]);
    });

    it('打标签 刘洋，高意向，教育行业 adds two tags', async () => {
      expect(await say('打标签 刘洋，高意向，教育行业')).toContain('高意向、教育行业');
      expect((await container.services.tags.namesFor((await customerNamed('刘洋')).id)).sort()).toEqual(['教育行业', '高意向'].sort());
    });
  });

  it('商机 with 5万元 and 六成 stores 50,000 at 60%', async () => {
    expect(await say('商机 刘洋 5万元 六成 月底')).toContain('¥50,000');
    const [opportunity] = await container.dataSource.getRepository(Opportunity).find();
    expect(opportunity).toMatchObject({ amount: 50_000, probability: 60 });
  });

  describe('提醒 in the orders people say it', () => {
    it('the customer first: 提醒 刘洋 明天下午3点 发报价', async () => {
      const reply = await say('提醒 刘洋 明天下午3点 发报价');
      expect(reply).toContain('刘洋');
      const [reminder] = await container.dataSource.getRepository(Reminder).find();
      expect(reminder).toMatchObject({ customerId: (await customerNamed('刘洋')).id, content: '发报价' });
      expect(reminder!.dueAt.toISOString()).toBe(tomorrowAt(15));
    });

    it('the customer inside the matter: 提醒 明天下午三点 给刘洋发报价 links 刘洋', async () => {
      await say('提醒 明天下午三点 给刘洋发报价');
      const [reminder] = await container.dataSource.getRepository(Reminder).find();
      expect(reminder).toMatchObject({ customerId: (await customerNamed('刘洋')).id, content: '给刘洋发报价' });
      expect(reminder!.dueAt.toISOString()).toBe(tomorrowAt(15));
    });

    it('a word before the time that names no customer stores nothing and says who was meant', async () => {
      const reply = await say('提醒 刘阳 明天下午3点 发报价');
      expect(reply).toContain('没有找到客户「刘阳」，提醒没有设。你是不是要找：刘洋？');
      expect(reply).toContain('提醒 明天下午3点 发报价');
      expect(await container.dataSource.getRepository(Reminder).count()).toBe(0);
    });

    it('a matter naming two customers of one name links neither, and the card says so and how to link one', async () => {
      await addCustomer('刘洋');
      const card = await say('提醒 明天下午三点 给刘洋发报价');
      const [reminder] = await container.dataSource.getRepository(Reminder).find();
      expect(reminder).toMatchObject({ customerId: null, content: '给刘洋发报价' });
      expect(card).toContain('"keyname":"客户","value":"未关联"');
      expect(card).toContain('你有2位「刘洋」，这条提醒没有关联客户。要关联：发送「撤销」，再发「提醒 <时间> 刘洋 <事项>」从列表里选');
    });
  });

  describe('typos and phrasings', () => {
    it('跟近 is run as 记录跟进, says so, and 撤销 takes it back', async () => {
      const reply = await say('跟近 刘洋 打了电话，客户有兴趣');
      expect(reply).toContain('按“记录跟进”记录（你输入的是“跟近”），不对请发送「撤销」');
      expect(reply).toContain('已记录跟进：刘洋');
      expect(await followUpsOf('刘洋')).toHaveLength(1);
      expect(await say('撤销')).toContain('已撤销：刘洋 的跟进「打了电话，客户有兴趣」');
      expect(await followUpsOf('刘洋')).toHaveLength(0);
    });

    it('a typo whose arguments do not read, or that two commands are as near, only suggests', async () => {
      expect(await say('跟近 刘洋')).toContain('你是不是想用「记录跟进」');
      const several = await say('改标签 刘洋 高意向');
      expect(several).toContain('「打标签」');
      expect(several).toContain('「去标签」');
      expect(await container.dataSource.getRepository(FollowUp).count()).toBe(0);
      expect(await container.services.tags.namesFor((await customerNamed('刘洋')).id)).toEqual([]);
    });

    it('我的待办 and 今天 are understood', async () => {
      expect(await say('我的待办')).toContain('没有待办提醒');
      expect(await say('今天')).toContain('今日简报');
      expect(await say('代办')).toContain('按“待办”处理（你输入的是“代办”）');
    });
  });

  it('a follow-up written on several lines keeps them, stored and shown', async () => {
    const card = await say('记录跟进 刘洋\n上午电话沟通了报价\n客户要先看合同\n下周二再联系');
    expect(JSON.parse(card).quote_area.quote_text).toBe('上午电话沟通了报价\n客户要先看合同\n下周二再联系');
    expect(await followUpsOf('刘洋')).toEqual([expect.objectContaining({ content: '上午电话沟通了报价\n客户要先看合同\n下周二再联系' })]);
    const timeline = JSON.parse(await say('查客户 刘洋 全部')).content as string;
    expect(timeline).toContain('跟进：上午电话沟通了报价\n> 客户要先看合同\n> 下周二再联系');
  });

  it.each([
    ['voice', { MediaId: 'media-1', Format: 'amr' }, '暂不支持语音，请输入文字命令'],
    ['image', { PicUrl: 'https://example.invalid/p.jpg', MediaId: 'media-2' }, '暂不支持图片'],
    ['video', { MediaId: 'media-3', ThumbMediaId: 'thumb-3' }, '暂不支持视频'],
    ['file', { MediaId: 'media-4' }, '暂不支持文件'],
    ['location', { Location_X: '31.17', Location_Y: '121.40', Scale: '15', Label: '上海市徐汇区漕河泾' }, '上门拜访（上海市徐汇区漕河泾）'],
    ['link', { Title: '产品白皮书', Description: 'd', Url: 'https://example.invalid/a', PicUrl: '' }, '发了《产品白皮书》'],
  ])('a %s message gets a hint instead of silence', async (msgType, fields, hint) => {
    const reply = await postAndWait(
      mediaMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', msgType, fields, msgId: String((msgId += 1n)) }),
      `a ${msgType} message`,
    );
    expect(reply).toContain(hint);
    expect(reply).toContain('发送「帮助」查看全部命令');
  });
});
