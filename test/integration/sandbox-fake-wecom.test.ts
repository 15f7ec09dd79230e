import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import request from 'supertest';
import { fakeWecomRouter } from '../../src/modules/sandbox/fake-wecom/fake-wecom.routes';
import { loadWorldSnapshot, persistWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.store';
import { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import { CallbackDeliveryError } from '../../src/modules/sandbox/callback-events';
import { Simulator } from '../../src/modules/sandbox/simulator';
import { waitFor } from '../helpers/test-env';

/**
 * The sandbox's fake WeCom behaves like WeCom for what the product calls: tokens, single-use welcome
 * codes valid 20 s, mark_tag, cards and their one-time update, robot limits, and WeCom's errcodes
 * for bad calls (PROTOCOL.md §5). Driven over HTTP, as the product's client drives it.
 */
describe('sandbox fake WeCom', () => {
  let clock: number;
  let world: FakeWecomWorld;
  let http: ReturnType<typeof request>;
  let token: string;

  const get = async (api: string, query: Record<string, string> = {}) =>
    (
      await http
        .get(`/sandbox/cgi-bin/${api}`)
        .query({ access_token: token, ...query })
        .expect(200)
    ).body as Record<string, any>;
  const post = async (api: string, body: unknown, query: Record<string, string> = { access_token: token }) =>
    (
      await http
        .post(`/sandbox/cgi-bin/${api}`)
        .query(query)
        .send(body as object)
        .expect(200)
    ).body as Record<string, any>;

  beforeEach(async () => {
    clock = Date.parse('2026-11-22T02:00:00Z');
    world = new FakeWecomWorld({ corpId: 'wwsandboxtest', corpSecret: 'S'.repeat(43), agentId: '1000002', now: () => clock });
    const app = new Koa();
    app.use(fakeWecomRouter(world).routes());
    http = request(app.callback());
    token = (await http.get('/sandbox/cgi-bin/gettoken').query({ corpid: 'wwsandboxtest', corpsecret: 'S'.repeat(43) })).body.access_token;
  });

  it('issues tokens only for its own corp and secret, and refuses calls without a valid one', async () => {
    expect(token).toMatch(/^sandbox-/);
    const bad = (query: Record<string, string>) =>
      http
        .get('/sandbox/cgi-bin/gettoken')
        .query(query)
        .then((r) => r.body.errcode);
    expect(await bad({ corpid: 'wwother', corpsecret: 'S'.repeat(43) })).toBe(40013);
    expect(await bad({ corpid: 'wwsandboxtest', corpsecret: 'wrong' })).toBe(40001);
    expect((await http.post('/sandbox/cgi-bin/message/send').send({})).body).toEqual({ errcode: 41001, errmsg: 'access_token missing' });
    expect((await post('message/send', {}, { access_token: 'forged' })).errcode).toBe(40014);
    clock += 7201_000;
    expect((await get('user/list')).errcode).toBe(42001);
  });

  it('answers 47001 for a body that is not JSON, and names the API it does not fake', async () => {
    const notJson = await http.post('/sandbox/cgi-bin/message/send').query({ access_token: token }).set('content-type', 'application/json').send('{oops');
    expect(notJson.body.errcode).toBe(47001);
    const unknown = await http.post('/sandbox/cgi-bin/checkin/getcheckindata').query({ access_token: token }).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.errmsg).toContain('does not fake');
  });

  it('serves the staff directory as WeCom does for a self-built app: user/list_id pages by cursor, user/get names without phones or avatars, 60111 for an unknown userid', async () => {
    const first = await post('user/list_id', { limit: 2 });
    expect(first).toMatchObject({
      errcode: 0,
      dept_user: [
        { userid: 'zhangwei', department: 1 },
        { userid: 'lina', department: 1 },
      ],
    });
    expect(first.next_cursor).toEqual(expect.any(String));
    const rest = await post('user/list_id', { cursor: first.next_cursor, limit: 2 });
    expect(rest).toMatchObject({ dept_user: [{ userid: 'wangfang', department: 1 }], next_cursor: '' });
    expect((await post('user/list_id', {})).dept_user).toHaveLength(3); // default limit
    expect((await post('user/list_id', { limit: 10_001 })).errcode).toBe(40058);
    expect((await post('user/list_id', { cursor: 'forged' })).errcode).toBe(40058);

    const user = await get('user/get', { userid: 'ZhangWei' }); // userids are case-insensitive
    expect(user).toMatchObject({ errcode: 0, userid: 'zhangwei', name: '张伟', status: 1 });
    expect(user).not.toHaveProperty('mobile');
    expect(user).not.toHaveProperty('avatar');
    expect((await get('user/get', { userid: 'nobody' })).errcode).toBe(60111);
    expect((await get('user/get')).errcode).toBe(41009);
  });

  it('a welcome code works once, within 20 seconds of the add', async () => {
    const first = world.addCustomer({ userid: 'zhangwei', state: 'live-a', name: '刘洋' });
    const text = { content: '您好刘洋' };
    expect(await post('externalcontact/send_welcome_msg', { welcome_code: first.welcomeCode, text })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await post('externalcontact/send_welcome_msg', { welcome_code: first.welcomeCode, text })).errcode).toBe(41051);

    const late = world.addCustomer({ userid: 'lina', name: '陈静' });
    clock += 20_001;
    const expired = await post('externalcontact/send_welcome_msg', { welcome_code: late.welcomeCode, text });
    expect(expired).toMatchObject({ errcode: 41051, errmsg: expect.stringContaining('expired') });
    expect((await post('externalcontact/send_welcome_msg', { welcome_code: 'WELCOMEMADEUP', text })).errcode).toBe(41051);

    // Exactly one welcome reached a customer: the first one. The refused ones are shown as refused, with the errcode.
    const delivered = world.chat.filter((c) => c.conversation.kind === 'customer' && c.msgtype !== 'rejected');
    expect(delivered.map((c) => c.text)).toEqual(['您好刘洋']);
    expect(world.chat.filter((c) => c.msgtype === 'rejected').map((c) => c.errcode)).toEqual([41051, 41051]);
  });

  it('mark_tag adds and removes corp tags on the follow user, once however often, and refuses unknown ids and strangers', async () => {
    const { customer } = world.addCustomer({ userid: 'zhangwei', name: '刘洋' });
    const id = customer.external_contact.external_userid;
    const mark = (body: Record<string, unknown>) => post('externalcontact/mark_tag', { userid: 'zhangwei', external_userid: id, ...body });
    expect((await mark({ add_tag: ['etSandboxTagLive', 'etSandboxTagA'] })).errcode).toBe(0);
    expect((await mark({ add_tag: ['etSandboxTagLive'] })).errcode).toBe(0);
    const tagsNow = async () =>
      ((await get('externalcontact/get', { external_userid: id })).follow_user[0].tags as Array<{ tag_name: string }>).map((t) => t.tag_name);
    expect(await tagsNow()).toEqual(['直播间', 'A类']);
    expect((await mark({ remove_tag: ['etSandboxTagA'] })).errcode).toBe(0);
    expect(await tagsNow()).toEqual(['直播间']);

    expect((await mark({ add_tag: ['etNoSuchTag'] })).errcode).toBe(40068);
    expect((await post('externalcontact/mark_tag', { userid: 'lina', external_userid: id, add_tag: ['etSandboxTagA'] })).errcode).toBe(84061);
    expect((await post('externalcontact/mark_tag', { userid: 'nobody', external_userid: id, add_tag: ['etSandboxTagA'] })).errcode).toBe(60111);
    expect((await get('externalcontact/get', { external_userid: 'wmUnknown' })).errcode).toBe(84061);
    expect(await tagsNow()).toEqual(['直播间']);
  });

  it('creates corp tags once per name and pages customers by cursor', async () => {
    const added = await post('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '官网' }] });
    expect(added.tag_group.tag.map((t: { name: string }) => t.name)).toEqual(['官网']);
    expect((await post('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '官网' }] })).errcode).toBe(40071);
    expect((await post('externalcontact/get_corp_tag_list', {})).tag_group.find((g: { group_name: string }) => g.group_name === '渠道').tag).toHaveLength(3);

    for (let i = 0; i < 5; i++) world.addCustomer({ userid: 'zhangwei' });
    const page1 = await post('externalcontact/batch/get_by_user', { userid_list: ['ZhangWei'], limit: 3 });
    const page2 = await post('externalcontact/batch/get_by_user', { userid_list: ['zhangwei'], limit: 3, cursor: page1.next_cursor });
    expect(page1.external_contact_list).toHaveLength(3);
    expect(page2.external_contact_list).toHaveLength(2);
    expect(page2.next_cursor).toBe('');
    expect((await post('externalcontact/batch/get_by_user', { userid_list: [], limit: 3 })).errcode).toBe(40058);
  });

  it('delivers app messages to known staff only and checks them as WeCom does', async () => {
    const send = (body: Record<string, unknown>) => post('message/send', { agentid: 1000002, ...body });
    expect(await send({ touser: 'zhangwei|ghost', msgtype: 'text', text: { content: '你好' } })).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect((await send({ touser: 'ghost', msgtype: 'text', text: { content: '你好' } })).errcode).toBe(81013);
    expect((await post('message/send', { agentid: 1, touser: 'zhangwei', msgtype: 'text', text: { content: '你好' } })).errcode).toBe(40056);
    expect((await send({ touser: 'zhangwei', msgtype: 'voice', voice: {} })).errcode).toBe(40008);
    expect((await send({ touser: 'zhangwei', msgtype: 'text', text: { content: '长'.repeat(700) } })).errcode).toBe(45002);
    expect(
      (await send({ touser: 'zhangwei', msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: 't' } } })).errcode,
    ).toBe(40058);
    expect(
      (
        await send({
          touser: 'zhangwei',
          msgtype: 'template_card',
          template_card: { card_type: 'button_interaction', main_title: { title: 't' }, button_list: [{ text: '完成', key: 'done' }] },
        })
      ).errcode,
    ).toBe(40058);
    // each card field has its own limit (26 characters' worth of bytes for a title)
    const card = { card_type: 'text_notice', main_title: { title: '标'.repeat(27) }, card_action: { type: 1, url: 'https://work.weixin.qq.com' } };
    expect(await send({ touser: 'zhangwei', msgtype: 'template_card', template_card: card })).toMatchObject({
      errcode: 45002,
      errmsg: expect.stringContaining('main_title.title is 81 bytes'),
    });
    expect((await send({ touser: 'zhangwei', msgtype: 'markdown', markdown: { content: '长'.repeat(683) } })).errcode).toBe(45002);
    const delivered = () => world.chat.filter((c) => c.conversation.kind === 'app' && c.msgtype !== 'rejected');
    expect(delivered()).toHaveLength(1);
    // What WeCom refused shows in the salesperson's chat as refused, with WeCom's errcode and reason.
    const refused = world.chat.filter((c) => c.msgtype === 'rejected');
    expect(refused.map((c) => c.errcode)).toEqual([40056, 40008, 45002, 40058, 40058, 45002, 45002]);
    expect(refused[2]!.text).toContain('2100 字节');
    expect(refused[2]!.errmsg).toContain('content size out of limit');

    // A retry that asks for the duplicate check is dropped when identical; without it, it is delivered.
    const again = { touser: 'zhangwei', msgtype: 'text', text: { content: '你好' } };
    expect((await send({ ...again, enable_duplicate_check: 1, duplicate_check_interval: 1800 })).errcode).toBe(0);
    expect(delivered()).toHaveLength(1);
    await send(again);
    expect(delivered()).toHaveLength(2);
  });

  it('an interactive card gets a response code that updates that user’s card once', async () => {
    const card = {
      card_type: 'button_interaction',
      task_id: 'reminder-1',
      main_title: { title: '该联系 刘洋 了' },
      button_list: [
        { text: '完成', key: 'done', style: 1 },
        { text: '推迟1小时', key: 'snooze', style: 2 },
      ],
    };
    const sent = await post('message/send', { agentid: 1000002, touser: 'zhangwei', msgtype: 'template_card', template_card: card });
    expect(sent.response_code).toMatch(/^RC/);
    const seq = world.chat.at(-1)!.seq;

    const { responseCode } = world.click(seq, 'zhangwei', 'done');
    expect(() => world.click(seq, 'lina', 'done')).toThrow(/belongs to zhangwei/);
    const update = (code: string) =>
      post('message/update_template_card', { agentid: 1000002, userids: ['zhangwei'], response_code: code, button: { replace_name: '已完成' } });
    expect(await update(responseCode)).toMatchObject({ errcode: 0 });
    expect(world.chat.at(-1)).toMatchObject({ seq, clickedKey: 'done', replacedButton: '已完成' });
    expect((await update(responseCode)).errcode).toBe(40058);
    expect((await update('RCmadeup')).errcode).toBe(40058);
  });

  it('a whole-card update draws its replace_text in place of the buttons, and a drop-down click carries the chosen option', async () => {
    const todo = {
      card_type: 'button_interaction',
      task_id: 'todo-1',
      main_title: { title: '待办提醒（2）' },
      button_selection: {
        question_key: 'reminder',
        title: '提醒',
        option_list: [
          { id: '7', text: '#7' },
          { id: '9', text: '#9' },
        ],
        selected_id: '7',
      },
      button_list: [{ text: '完成', key: 'todo:done', style: 1 }],
    };
    await post('message/send', { agentid: 1000002, touser: 'zhangwei', msgtype: 'template_card', template_card: todo });
    const seq = world.chat.at(-1)!.seq;
    const click = world.click(seq, 'zhangwei', 'todo:done', { reminder: ['9', 'made-up'] });
    expect(click.selected).toEqual({ reminder: ['9'] });
    const updated = await post('message/update_template_card', {
      agentid: 1000002,
      userids: ['zhangwei'],
      response_code: click.responseCode,
      template_card: { ...todo, replace_text: '已完成 #9' },
    });
    expect(updated.errcode).toBe(0);
    expect(world.chat.at(-1)).toMatchObject({ seq, replacedButton: '已完成 #9' });
    expect(() => world.click(seq, 'zhangwei', 'todo:done')).toThrow(/already been handled/);

    await post('message/send', { agentid: 1000002, touser: 'zhangwei', msgtype: 'template_card', template_card: { ...todo, task_id: 'todo-2' } });
    expect(world.click(world.chat.at(-1)!.seq, 'zhangwei', 'todo:done').selected).toEqual({ reminder: ['7'] });
  });

  it('a whole-card update without replace_text draws the card anew, its buttons clickable again (the 待办 card after a click)', async () => {
    const todo = {
      card_type: 'button_interaction',
      task_id: 'todo-3',
      main_title: { title: '待办提醒（2）' },
      button_selection: {
        question_key: 'reminder',
        title: '提醒',
        option_list: [
          { id: '7', text: '#7' },
          { id: '9', text: '#9' },
        ],
        selected_id: '7',
      },
      button_list: [{ text: '完成', key: 'todo:done', style: 1 }],
    };
    await post('message/send', { agentid: 1000002, touser: 'zhangwei', msgtype: 'template_card', template_card: todo });
    const seq = world.chat.at(-1)!.seq;
    const click = world.click(seq, 'zhangwei', 'todo:done');
    expect(world.chat.at(-1)!.clickedKey).toBe('todo:done');
    const redrawn = {
      ...todo,
      main_title: { title: '待办提醒（1）', desc: '#7 ✅ 已完成' },
      button_selection: { ...todo.button_selection, option_list: [{ id: '9', text: '#9' }], selected_id: '9' },
    };
    expect(
      (await post('message/update_template_card', { agentid: 1000002, userids: ['zhangwei'], response_code: click.responseCode, template_card: redrawn }))
        .errcode,
    ).toBe(0);
    // the page draws a card whose clickedKey is set with every button disabled
    expect(world.chat.at(-1)).toMatchObject({ seq, card: { main_title: { title: '待办提醒（1）' } } });
    expect(world.chat.at(-1)!.clickedKey).toBeUndefined();
    expect(world.chat.at(-1)!.replacedButton).toBeUndefined();
    expect(world.click(seq, 'zhangwei', 'todo:done').selected).toEqual({ reminder: ['9'] });
  });

  it('a click the app never received leaves the card’s buttons clickable', async () => {
    const card = { card_type: 'button_interaction', task_id: 'rem-1', main_title: { title: '提醒' }, button_list: [{ text: '完成', key: 'rem:done:1' }] };
    await post('message/send', { agentid: 1000002, touser: 'zhangwei', msgtype: 'template_card', template_card: card });
    const seq = world.chat.at(-1)!.seq;
    const keys = { corpId: 'wwsandboxtest', token: 'T'.repeat(32), encodingAesKey: 'K'.repeat(43), agentId: '1000002' };
    const offline = new Simulator({ world, keys, callbackUrl: 'http://127.0.0.1:1/wecom/callback', fireDue: async () => 0 });
    await expect(offline.run('click', { userid: 'zhangwei', card: seq, key: 'rem:done:1' })).rejects.toBeInstanceOf(CallbackDeliveryError);
    expect(world.chat.at(-1)!.clickedKey).toBeUndefined();
    expect(() => world.click(seq, 'zhangwei', 'rem:done:1')).not.toThrow();
  });

  it('keeps its customers across a restart, so the CRM’s customers still exist in WeCom', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-world-'));
    try {
      persistWorld(world, dir);
      const { customer } = world.addCustomer({ userid: 'zhangwei', name: '刘洋' });
      world.markTag({ userid: 'zhangwei', external_userid: customer.external_contact.external_userid, add_tag: ['etSandboxTagA'] });
      // the coalesced write lands by itself: wait until the file holds the world as it is now
      await waitFor(
        async () => JSON.stringify(loadWorldSnapshot(dir)),
        (onDisk) => onDisk === JSON.stringify(world.snapshot()),
        5_000,
        'the world written to the data directory',
      );
      const restarted = new FakeWecomWorld({ corpId: 'wwsandboxtest', corpSecret: 'S'.repeat(43), agentId: '1000002', snapshot: loadWorldSnapshot(dir) });
      expect(restarted.customer(customer.external_contact.external_userid).follow_user[0]!.tags!.map((t) => t.tag_name)).toEqual(['A类']);
      expect(restarted.seq).toBe(world.seq);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a group robot takes its own key only, and 20 messages a minute', async () => {
    const robot = (key: string, content: string) => post('webhook/send', { msgtype: 'text', text: { content } }, { key });
    expect((await robot('wrong-key', 'hi')).errcode).toBe(93000);
    for (let i = 1; i <= 20; i++) expect((await robot('sandbox-east-1', `#${i}`)).errcode).toBe(0);
    expect((await robot('sandbox-east-1', '#21')).errcode).toBe(45009);
    clock += 60_001;
    expect((await robot('sandbox-east-1', '#22')).errcode).toBe(0);
    expect(world.chat.filter((c) => c.conversation.kind === 'robot' && c.msgtype !== 'rejected')).toHaveLength(21);
    expect(world.chat.filter((c) => c.conversation.kind === 'robot' && c.msgtype === 'rejected').map((c) => c.errcode)).toEqual([45009]);
  });
});
