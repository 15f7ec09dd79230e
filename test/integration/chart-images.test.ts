import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import { PNG } from 'pngjs';
import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, Opportunity, OutboundMessage } from '../../entities';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import dayjs from '../../src/platform/dayjs';
import { DIGEST_JOBS } from '../../src/modules/digests/digest.jobs';
import { sendAppMessage } from '../../src/modules/sandbox/fake-wecom/app-messages.area';
import { answerWecom } from '../../src/modules/sandbox/fake-wecom/fake-wecom.api';
import type { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import type { OutboundPayload } from '../../src/platform/outbound/outbound.types';
import { md5Hex, ROBOT_IMAGE_MAX_BYTES } from '../../src/platform/wecom/limits/media-limits';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import type { BarChart, FunnelChart, LineChart } from '../../templates/charts';
import { TEST_TRUST, testWecom, type WecomCall } from '../helpers/fake-wecom';
import { interceptWecom } from '../helpers/fake-wecom.nock';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/** The weekly digest of Monday 30 November 2026 covers 23–29 November. */
const MONDAY = dayjs.tz('2026-11-30 09:00', TZ).toDate();
const WEEK_START = dayjs.tz('2026-11-23 00:00', TZ);
const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=chart-team';
const TEAM = '图表组';
const MEMBERS = ['zhang', 'li'];
const LEAD = 'wang';
/** a second team, posting into an app group chat: its charts are uploaded, then sent by media_id */
const CHAT_TEAM = { name: '群聊组', members: ['zhao'], appChatId: 'wrChartTeam' };

/**
 * The charts reach WeCom as WeCom takes pictures: after the weekly digest's markdown, four PNGs to the
 * team's group robot (base64 whose md5 is the one sent, at most 2 MB); for 报表 图, each uploaded as
 * temporary media and sent to the lead as an app image by its media_id. The charts show the figures
 * of the rows (recounted here), and a rerun or a lost answer sends each picture once.
 */
describe('charts in the chat', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let world: FakeWecomWorld;
  let calls: WecomCall[];
  let dir: string;
  const opportunities: Array<{ staff: string; stage: Customer['stage']; amount: number; status: 'open' | 'won' }> = [];
  const stageOf: Array<{ staff: string; stage: Customer['stage'] }> = [];
  const added: Array<{ staff: string; at: Date }> = [];
  const followUps: Array<{ staff: string; at: Date }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chart-images-'));
    const teamsFile = join(dir, 'teams.json');
    writeFileSync(
      teamsFile,
      JSON.stringify({
        teams: [{ name: TEAM, lead: LEAD, members: MEMBERS, robotWebhookUrl: ROBOT, memberTargets: { zhang: 100_000, li: 60_000 } }, CHAT_TEAM],
      }),
    );
    container = await createTestContainer('charts', {
      CRM_CHARTS: 'on',
      CRM_QUIET_HOURS: 'off',
      CRM_TEAMS_FILE: teamsFile,
      INBOUND_RETRY_DELAY_MS: '50',
      OUTBOUND_RETRY_BASE_MS: '50',
    });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 3_600_000, modules: workerModules(container, () => MONDAY) });
    await worker.ready;
    await seed();
  }, 60_000);

  beforeEach(() => {
    world = testWecom([...TEST_TRUST, 'customers']);
    interceptWecom(world, { apis: ['message/send', 'webhook/send', 'appchat/send', 'media/upload'] });
    calls = world.calls;
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Customers across the stages, added and followed up on days of the week, with open and won opportunities. */
  async function seed(): Promise<void> {
    const ds = container.dataSource;
    const stages: Array<Customer['stage']> = ['lead', 'prospect', 'opportunity', 'won', 'lost'];
    for (let i = 0; i < 33; i++) {
      const staff = i < 30 ? MEMBERS[i % 2]! : CHAT_TEAM.members[0]!;
      const at = WEEK_START.add(i % 7, 'day')
        .add(10, 'hour')
        .toDate();
      const customer = await ds.getRepository(Customer).save({ name: `客户${i}`, externalUserid: `wmchart${i}`, stage: stages[i % 5]! });
      stageOf.push({ staff, stage: customer.stage });
      await ds.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: staff, addedAt: at, status: 'active' });
      added.push({ staff, at });
      for (let k = 0; k < (i % 3) + 1; k++) {
        const when = dayjs(at).add(k, 'hour').toDate();
        await ds.getRepository(FollowUp).save({ customerId: customer.id, staffUserid: staff, content: '电话沟通', createdAt: when });
        followUps.push({ staff, at: when });
      }
      if (i % 5 !== 4) {
        const won = i % 4 === 3;
        const o = { staff, stage: customer.stage, amount: 10_000 * (i + 1), status: won ? ('won' as const) : ('open' as const) };
        await ds.getRepository(Opportunity).save({
          customerId: customer.id,
          staffUserid: staff,
          amount: o.amount,
          probability: 50,
          status: o.status,
          closedAt: won ? at : null,
          expectedCloseAt: at,
        });
        opportunities.push(o);
      }
    }
  }

  async function runJob(name: string, at: Date, id: string): Promise<void> {
    // Bull takes `timestamp` (not in its typings) as the job's creation time: the time the job covers.
    const options = { jobId: id, timestamp: at.getTime() };
    const job = await container.queues.get('maintenance').add(name, {}, options);
    await waitFor(
      async () => (await job.getState()) as string,
      (s) => s === 'completed' || s === 'failed',
      60_000,
      `${name} to finish`,
    );
    expect(await job.getState()).toBe('completed');
  }

  async function type(content: string, msgId: string): Promise<() => Promise<void>> {
    const callback = signedCallback(container.wecom, textMessageXml({ corpId: container.wecom.corpId, from: LEAD, content, msgId }));
    const post = async () => expect((await request(app.callback()).post(callback.path).send(callback.body)).status).toBe(200);
    await post();
    return post;
  }

  const delivered = (api: string) => calls.filter((c) => c.api === api && c.errcode === undefined);
  const images = (api: string) => delivered(api).filter((c) => c.body.msgtype === 'image');
  const pictures = (kind: 'app' | 'robot') => world.chat.filter((c) => c.conversation.kind === kind && c.msgtype === 'image');
  const specOf = async (key: string) => {
    const row = await container.dataSource.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: key });
    return (row.payload as unknown as OutboundPayload).image!.source;
  };

  it('the weekly digest posts its markdown, then the four charts: robot images (PNGs whose md5 is the one sent, under 2 MB), app chat images by media_id', async () => {
    await runJob(DIGEST_JOBS.weekly, MONDAY, 'weekly-1');
    const posts = await waitFor(
      async () => delivered('webhook/send'),
      (p) => p.length >= 5,
      30_000,
      'the digest and four charts',
    );
    expect(posts.map((p) => p.body.msgtype)).toEqual(['markdown', 'image', 'image', 'image', 'image']);
    for (const post of posts.slice(1)) {
      const { base64, md5 } = post.body.image as { base64: string; md5: string };
      const bytes = Buffer.from(base64, 'base64');
      expect(md5Hex(bytes)).toBe(md5);
      expect(bytes.length).toBeLessThanOrEqual(ROBOT_IMAGE_MAX_BYTES);
      const png = PNG.sync.read(bytes);
      expect([png.width, png.height]).toEqual([800, 480]);
    }
    // the team group shows them as pictures
    expect(pictures('robot').map((c) => c.image?.slice(0, 22))).toEqual(Array(4).fill('data:image/png;base64,'));

    // What the charts show is what the rows say.
    const key = 'digest:weekly:2026-11-23:1';
    const funnel = (await specOf(`${key}:chart:funnel`)) as unknown as FunnelChart;
    const count = (stage: string) => stageOf.filter((c) => MEMBERS.includes(c.staff) && c.stage === stage).length;
    expect(funnel.steps.map((s) => s.value)).toEqual([count('lead'), count('prospect'), count('opportunity'), count('won')]);
    const pipeline = (await specOf(`${key}:chart:pipeline`)) as unknown as BarChart;
    const openBy = (stage: string) =>
      opportunities.filter((o) => MEMBERS.includes(o.staff) && o.status === 'open' && o.stage === stage).reduce((n, o) => n + o.amount, 0);
    expect(pipeline.series[0]!.values).toEqual(['lead', 'prospect', 'opportunity', 'won'].map(openBy));
    const won = (await specOf(`${key}:chart:won`)) as unknown as BarChart;
    const wonBy = (staff: string) => opportunities.filter((o) => o.status === 'won' && o.staff === staff).reduce((n, o) => n + o.amount, 0);
    // every member of the team (the lead is one), by userid until the directory names them
    const drawn = Object.fromEntries(won.categories.map((name, i) => [name, [won.series[0]!.values[i], won.series[1]!.values[i]]]));
    expect(drawn).toEqual({ zhang: [wonBy('zhang'), 100_000], li: [wonBy('li'), 60_000], [LEAD]: [0, null] });
    expect(won.title).toBe(`${TEAM} 11月赢单与目标`);
    const trend = (await specOf(`${key}:chart:trend`)) as unknown as LineChart;
    const sameDay = (at: Date, d: number) => dayjs(at).tz(TZ).format('YYYY-MM-DD') === WEEK_START.add(d, 'day').format('YYYY-MM-DD');
    const perDay = (rows: Array<{ staff: string; at: Date }>) =>
      Array.from({ length: 7 }, (_, d) => rows.filter((r) => MEMBERS.includes(r.staff) && sameDay(r.at, d)).length);
    expect(trend.series.map((s) => s.values)).toEqual([perDay(added), perDay(followUps)]);
    expect(trend.categories[0]).toBe('11/23 周一');

    // The team with an app group chat: its charts were uploaded and sent by media_id.
    const chat = await waitFor(
      async () => delivered('appchat/send'),
      (p) => p.length >= 5,
      30_000,
      'the app chat team digest and charts',
    );
    expect(chat.map((p) => p.body.msgtype)).toEqual(['markdown', 'image', 'image', 'image', 'image']);
    expect(chat.every((p) => p.body.chatid === CHAT_TEAM.appChatId)).toBe(true);
    expect(delivered('media/upload')).toHaveLength(4);
    for (const p of chat.slice(1)) expect(world.media.has((p.body.image as { media_id: string }).media_id)).toBe(true);
    expect(world.chat.filter((c) => c.conversation.kind === 'appchat' && c.msgtype === 'image')).toHaveLength(4);

    // A rerun of the same week sends nothing again.
    await runJob(DIGEST_JOBS.weekly, MONDAY, 'weekly-2');
    await waitForQuiet(container);
    expect(delivered('webhook/send')).toHaveLength(5);
    expect(delivered('appchat/send')).toHaveLength(5);
    expect(delivered('media/upload')).toHaveLength(4);
  }, 60_000);

  it('报表 图 answers with the report, then each chart uploaded as temporary media and sent to the lead by its media_id', async () => {
    const again = await type('报表 本月 图', '8200000000000000001');
    const sent = await waitFor(
      async () => images('message/send'),
      (s) => s.length >= 4,
      30_000,
      'four chart images',
    );
    expect(delivered('message/send')[0]!.body.msgtype).toBe('markdown');
    expect(delivered('media/upload')).toHaveLength(4);
    const mediaIds = sent.map((s) => (s.body.image as { media_id: string }).media_id);
    expect(new Set(mediaIds).size).toBe(4);
    for (const id of mediaIds) expect(world.media.get(id)?.dataUrl).toMatch(/^data:image\/png;base64,/);
    expect(sent.every((s) => s.body.touser === LEAD)).toBe(true);
    expect(pictures('app')).toHaveLength(4);

    // WeCom delivering the same message again (a redelivery) answers nothing twice.
    await again();
    await waitForQuiet(container);
    expect(images('message/send')).toHaveLength(4);
    expect(delivered('media/upload')).toHaveLength(4);
  }, 60_000);

  it('an image delivered whose answer was lost is sent again with the same media_id, which WeCom drops: one picture, one upload', async () => {
    // The first image send is delivered, then its answer never arrives (HTTP 502).
    world.faults.add({
      apis: ['message/send'],
      when: (call) => call.body.msgtype === 'image',
      times: 1,
      answer: (call) => {
        sendAppMessage(world, call.body);
        return { httpStatus: 502 };
      },
    });
    await type('报表 本月 图', '8200000000000000002');
    await waitFor(
      async () => images('message/send'),
      (s) => s.length >= 5,
      30_000,
      'the chart images and the retry',
    );
    await waitForQuiet(container);
    expect(pictures('app')).toHaveLength(4);
    expect(delivered('media/upload')).toHaveLength(4);
    // the retry went with the media_id of its first attempt, asking WeCom to drop a duplicate
    const [first, ...others] = images('message/send');
    const retry = others.find((c) => c.body.enable_duplicate_check === 1);
    expect((retry!.body.image as { media_id: string }).media_id).toBe((first!.body.image as { media_id: string }).media_id);
    const rows = await container.dataSource.getRepository(OutboundMessage).find({ where: { kind: 'image', channel: 'user', status: 'sent' } });
    expect(rows.filter((r) => r.attempts === 2)).toHaveLength(1);
  }, 60_000);

  it('the fake refuses what WeCom refuses: a robot picture over 2 MB or with a wrong md5, an upload that is not a JPG or PNG, an unknown media_id', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array(56).fill(1)]);
    const big = Buffer.concat([png, Buffer.alloc(ROBOT_IMAGE_MAX_BYTES)]);
    const robot = (image: Record<string, unknown>) =>
      answerWecom(world, { method: 'POST', api: 'webhook/send', query: { key: 'chart-team' }, body: { msgtype: 'image', image } });
    expect((await robot({ base64: big.toString('base64'), md5: md5Hex(big) })).body).toMatchObject({ errcode: 40009 });
    expect((await robot({ base64: png.toString('base64'), md5: 'f'.repeat(32) })).body).toMatchObject({
      errcode: 40058,
      errmsg: expect.stringContaining('md5'),
    });
    expect((await robot({ base64: png.toString('base64'), md5: md5Hex(png) })).body).toMatchObject({ errcode: 0 });

    const token = (await answerWecom(world, { method: 'GET', api: 'gettoken', query: { corpid: world.options.corpId, corpsecret: world.options.corpSecret } }))
      .body as { access_token: string };
    const upload = (type: string, bytes: Buffer) => {
      const body = Buffer.concat([
        Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="media"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'),
        bytes,
        Buffer.from('\r\n--XyZ--\r\n'),
      ]);
      return answerWecom(world, {
        method: 'POST',
        api: 'media/upload',
        query: { access_token: token.access_token, type },
        body,
        contentType: 'multipart/form-data; boundary=XyZ',
      });
    };
    expect((await upload('image', Buffer.from('GIF89a-not-a-png'))).body).toMatchObject({ errcode: 40004 });
    expect((await upload('image', Buffer.from('abc'))).body).toMatchObject({ errcode: 40006 });
    expect((await upload('sticker', png)).body).toMatchObject({ errcode: 40005 });
    expect((await upload('image', png)).body).toMatchObject({ errcode: 0, type: 'image', media_id: expect.any(String) });
    const send = await answerWecom(world, {
      method: 'POST',
      api: 'message/send',
      query: { access_token: token.access_token },
      body: { touser: LEAD, agentid: world.agentId, msgtype: 'image', image: { media_id: 'nope' } },
    });
    expect(send.body).toMatchObject({ errcode: 40007 });
  });
});

describe('charts off', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'charts-off-'));
    const teamsFile = join(dir, 'teams.json');
    writeFileSync(teamsFile, JSON.stringify({ teams: [{ name: TEAM, lead: LEAD, members: MEMBERS, robotWebhookUrl: ROBOT }] }));
    // CRM_CHARTS=off, as the tests' environment has it unless a test asks
    container = await createTestContainer('charts-off', { CRM_QUIET_HOURS: 'off', CRM_TEAMS_FILE: teamsFile });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 3_600_000, modules: workerModules(container, () => MONDAY) });
    await worker.ready;
  }, 60_000);

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('报表 图 answers the report and says in a line that charts are off, uploading nothing', async () => {
    const world = testWecom([...TEST_TRUST, 'customers']);
    interceptWecom(world, { apis: ['message/send', 'webhook/send', 'media/upload'] });
    expect(container.images).toBeUndefined();
    const callback = signedCallback(
      container.wecom,
      textMessageXml({ corpId: container.wecom.corpId, from: LEAD, content: '报表 图', msgId: '8200000000000000009' }),
    );
    expect((await request(app.callback()).post(callback.path).send(callback.body)).status).toBe(200);
    const sent = await waitFor(
      async () => world.calls.filter((c) => c.api === 'message/send'),
      (s) => s.length >= 2,
      15_000,
      'the report and the note',
    );
    expect(sent.map((s) => s.body.msgtype)).toEqual(['markdown', 'text']);
    expect((sent[1]!.body.text as { content: string }).content).toContain('图表未开启');
    await waitForQuiet(container);
    expect(world.calls.filter((c) => c.api === 'media/upload')).toHaveLength(0);
  }, 30_000);
});
