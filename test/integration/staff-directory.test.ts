import { Staff } from '../../entities';
import { STAFF_DIRECTORY_JOB } from '../../src/modules/capture/staff-directory.job';
import { changeContactXml } from '../helpers/capture-callbacks';
import { CaptureHarness, ROBOT } from '../helpers/capture-harness';
import { messageText } from '../helpers/fake-wecom';
import { waitFor } from '../helpers/test-env';

const WELCOME = '您好{name}，我是{staff}，很高兴为您服务';

/**
 * Staff names come from WeCom's staff directory (user/list_id + user/get over the app's visible
 * range): on first sight of a member, daily, and from change_contact events. Outside the sandbox
 * nothing else names them, so without this a welcome reads 「我是，」 and cards show userids.
 */
describe('the staff directory', () => {
  jest.setTimeout(60_000);
  let h: CaptureHarness;

  beforeAll(async () => {
    h = await CaptureHarness.start('staff-directory', {
      rules: { rules: [], default: { welcome: WELCOME } },
      teams: { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT }] },
      env: { CRM_STAFF_SYNC_CRON: '0 3 * * *' },
    });
  });

  beforeEach(async () => {
    await h.reset();
  });

  afterAll(() => h.close());

  const staff = (userid: string) => h.repo(Staff).findOneBy({ userid });
  const welcomes = () => h.world.callsTo('externalcontact/send_welcome_msg').map((c) => (c.body.text as { content: string }).content);

  it('a salesperson met for the first time is named in the first welcome, read once however many customers arrive at once', async () => {
    h.world.addMember('WangWu', '王五');
    h.world.addCustomer('wmA', '小红', [{ userid: 'WangWu' }]);
    h.world.addCustomer('wmB', '小明', [{ userid: 'WangWu' }]);
    await Promise.all([
      h.post(h.contactEvent('add_external_contact', 'wmA', { userId: 'WangWu', welcomeCode: 'WC-A' })),
      h.post(h.contactEvent('add_external_contact', 'wmB', { userId: 'WangWu', welcomeCode: 'WC-B' })),
    ]);
    await h.settled();
    expect(welcomes().sort()).toEqual([`您好小明，我是王五，很高兴为您服务`, `您好小红，我是王五，很高兴为您服务`]);
    expect(h.world.callsTo('user/get')).toHaveLength(1);
    expect(await staff('wangwu')).toMatchObject({ name: '王五', wecomUserid: 'WangWu', active: true, directorySyncedAt: expect.any(Date) });

    // Known now: the next customer's welcome reads no directory at all.
    h.world.addCustomer('wmC', '小刚', [{ userid: 'WangWu' }]);
    await h.post(h.contactEvent('add_external_contact', 'wmC', { userId: 'WangWu', welcomeCode: 'WC-C' }));
    await h.settled();
    expect(welcomes()).toContain('您好小刚，我是王五，很高兴为您服务');
    expect(h.world.callsTo('user/get')).toHaveLength(1);
  });

  it('a slow directory does not hold the welcome: it goes with what is known, and the name arrives for the next one', async () => {
    h.world.addMember('ZhaoLiu', '赵六');
    h.world.faults.delay('user/get', 4000);
    h.world.addCustomer('wmSlow', '小李', [{ userid: 'ZhaoLiu' }]);
    const posted = Date.now();
    await h.post(h.contactEvent('add_external_contact', 'wmSlow', { userId: 'ZhaoLiu', welcomeCode: 'WC-S' }));
    await waitFor(
      async () => welcomes(),
      (w) => w.length === 1,
      10_000,
      'the welcome',
    );
    expect(Date.now() - posted).toBeLessThan(3500);
    expect(welcomes()[0]).not.toContain('赵六');
    await waitFor(
      () => staff('zhaoliu'),
      (s) => s?.name === '赵六',
      10_000,
      'the name, learned in the background',
    );
  });

  it('the daily refresh reads the visible range page by page: new members, new names, and a userid WeCom no longer knows (60111) marked inactive', async () => {
    await h.nameStaff({ zhangsan: '张三旧名' });
    await h.repo(Staff).save({ userid: 'leftalready', wecomUserid: 'LeftAlready', name: '已离职', active: true });
    h.world.addMember('ZhangSan', '张三');
    h.world.addMember('Boss', '王经理', { department: [1, 2] }); // in two departments: listed twice, read once
    h.world.addMember('NewHire', '新同事');
    h.world.pageSizes['user/list_id'] = 2;

    const job = await h.container.queues.get('maintenance').add(STAFF_DIRECTORY_JOB, {}, { removeOnComplete: true });
    await job.finished();

    expect(h.world.callsTo('user/list_id').map((c) => c.body.cursor ?? '')).toEqual(['', '2']);
    expect((await h.repo(Staff).find({ order: { userid: 'ASC' } })).map((s) => [s.userid, s.name, s.active])).toEqual([
      ['boss', '王经理', true],
      ['leftalready', '已离职', false],
      ['newhire', '新同事', true],
      ['zhangsan', '张三', true],
    ]);
    expect(
      h.world
        .callsTo('user/get')
        .map((c) => c.body.userid)
        .sort(),
    ).toEqual(['Boss', 'LeftAlready', 'NewHire', 'ZhangSan']);
    // the schedule is a repeatable job kept equal to the config
    expect((await h.container.queues.get('maintenance').getRepeatableJobs()).filter((j) => j.name === STAFF_DIRECTORY_JOB).map((j) => j.cron)).toEqual([
      '0 3 * * *',
    ]);
  });

  it('an empty visible range is taken for a glitch (nothing marked inactive), and a member WeCom disabled (status 2) is inactive', async () => {
    await h.nameStaff({ zhangsan: '张三', boss: '王经理' });
    const refresh = async () => (await h.container.queues.get('maintenance').add(STAFF_DIRECTORY_JOB, {}, { removeOnComplete: true })).finished();
    await refresh();
    expect(h.world.callsTo('user/get')).toEqual([]);
    expect(await h.repo(Staff).countBy({ active: true })).toBe(2);

    h.world.addMember('ZhangSan', '张三', { status: 2 });
    h.world.addMember('Boss', '王经理');
    await refresh();
    expect(await staff('zhangsan')).toMatchObject({ active: false });
    expect(await staff('boss')).toMatchObject({ active: true });
  });

  it('change_contact events keep names in step: create_user, update_user (a new name), delete_user', async () => {
    const corpId = h.container.wecom.corpId;
    h.world.addMember('Fresh', '新人');
    await h.post(changeContactXml({ corpId, changeType: 'create_user', userId: 'Fresh' }));
    await h.settled();
    expect(await staff('fresh')).toMatchObject({ name: '新人', active: true });

    h.world.addMember('Fresh', '新人改名');
    await h.post(changeContactXml({ corpId, changeType: 'update_user', userId: 'Fresh' }));
    await h.settled();
    expect(await staff('fresh')).toMatchObject({ name: '新人改名' });

    await h.post(changeContactXml({ corpId, changeType: 'delete_user', userId: 'Fresh' }));
    await h.settled();
    expect(await staff('fresh')).toMatchObject({ name: '新人改名', active: false });
  });

  it('cards name the salesperson once the directory has: the 删人提醒 in the team group reads 张三, not ZhangSan', async () => {
    h.world.addMember('ZhangSan', '张三');
    h.world.addCustomer('wmGone', '王小姐', [{ userid: 'ZhangSan' }]);
    await h.post(h.contactEvent('add_external_contact', 'wmGone'));
    await h.settled();
    h.world.customers.get('wmGone')!.follow_user = [];
    await h.post(h.contactEvent('del_follow_user', 'wmGone'));
    await h.settled();
    expect(h.world.callsTo('webhook/send').map((c) => messageText(c.body))).toEqual([expect.stringContaining('删除了 张三')]);
  });
});
