import { answerWecom } from '../../src/modules/sandbox/fake-wecom/fake-wecom.api';
import { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';

/** Handover in the fake WeCom: WeCom's per-call and per-customer limits, the 24-hour wait, refusals and the callbacks they send. */
describe('the fake WeCom hands customers over as WeCom does', () => {
  let clock = Date.UTC(2026, 11, 1, 2);
  const make = () => {
    const world = new FakeWecomWorld({
      corpId: 'wwfake',
      corpSecret: 'secret',
      agentId: '1000002',
      staff: [
        { userid: 'zhangwei', name: '张伟' },
        { userid: 'lina', name: '李娜' },
        { userid: 'wangfang', name: '王芳' },
      ],
      teams: [],
      now: () => clock,
    });
    const ids = Array.from({ length: 120 }, (_, i) => world.addCustomer({ userid: 'zhangwei', name: `客户${i}` }).customer.external_contact.external_userid);
    return { world, ids };
  };
  const call = async (world: FakeWecomWorld, api: string, body: Record<string, unknown>) => {
    const token = await answerWecom(world, { method: 'GET', api: 'gettoken', query: { corpid: 'wwfake', corpsecret: 'secret' } });
    const access_token = String((token.body as Record<string, unknown>).access_token);
    return (await answerWecom(world, { method: 'POST', api, query: { access_token }, body: JSON.stringify(body) })).body as Record<string, any>;
  };
  const transfer = (world: FakeWecomWorld, ids: string[], takeover = 'lina') =>
    call(world, 'externalcontact/transfer_customer', {
      handover_userid: 'zhangwei',
      takeover_userid: takeover,
      external_userid: ids,
      transfer_success_msg: '您好',
    });
  const result = (world: FakeWecomWorld, takeover = 'lina') =>
    call(world, 'externalcontact/transfer_result', { handover_userid: 'zhangwei', takeover_userid: takeover });

  it('takes at most 100 customers a call, answers each with its own errcode, and hands them over after 24 hours', async () => {
    const { world, ids } = make();
    expect(await transfer(world, ids.slice(0, 101))).toMatchObject({ errcode: 40058 });
    expect(await transfer(world, [])).toMatchObject({ errcode: 41035 });
    expect(
      await call(world, 'externalcontact/transfer_customer', { handover_userid: 'zhangwei', takeover_userid: 'zhangwei', external_userid: [ids[0]] }),
    ).toMatchObject({
      errcode: 40130,
    });
    const started = await transfer(world, [ids[0]!, ids[1]!, 'wmNobody']);
    expect(started.customer).toEqual([
      { external_userid: ids[0], errcode: 0 },
      { external_userid: ids[1], errcode: 0 },
      { external_userid: 'wmNobody', errcode: 40096 },
    ]);
    expect((await transfer(world, [ids[0]!])).customer[0].errcode).toBe(40129);
    expect((await result(world)).customer.map((c: { status: number }) => c.status)).toEqual([2, 2]);
    expect(world.customer(ids[0]).follow_user.map((f) => f.userid)).toEqual(['zhangwei']);

    clock += 24 * 3600_000;
    expect((await result(world)).customer.map((c: { status: number }) => c.status)).toEqual([1, 1]);
    expect(world.customer(ids[0]).follow_user.map((f) => f.userid)).toEqual(['lina']);
    expect(world.drainTransferEvents()).toEqual([
      { changeType: 'del_external_contact', userId: 'zhangwei', externalUserId: ids[0], source: 'DELETE_BY_TRANSFER' },
      { changeType: 'add_external_contact', userId: 'lina', externalUserId: ids[0] },
      { changeType: 'del_external_contact', userId: 'zhangwei', externalUserId: ids[1], source: 'DELETE_BY_TRANSFER' },
      { changeType: 'add_external_contact', userId: 'lina', externalUserId: ids[1] },
    ]);
    expect(world.drainTransferEvents()).toEqual([]);
    // No longer zhangwei's customer.
    expect((await transfer(world, [ids[0]!])).customer[0].errcode).toBe(84061);
  });

  it('lets the customer refuse, stops at the takeover member’s limit, and moves a customer at most twice in 90 days', async () => {
    const { world, ids } = make();
    await transfer(world, [ids[0]!, ids[1]!]);
    world.refuseTransfer(ids[0]!);
    world.customerLimits.set('lina', 0);
    world.settleTransfers({ all: true });
    expect((await result(world)).customer.map((c: { status: number }) => c.status)).toEqual([3, 4]);
    expect(world.drainTransferEvents()).toEqual([
      { changeType: 'transfer_fail', userId: 'lina', externalUserId: ids[0], failReason: 'customer_refused' },
      { changeType: 'transfer_fail', userId: 'lina', externalUserId: ids[1], failReason: 'customer_limit_exceed' },
    ]);
    expect(world.customer(ids[0]).follow_user.map((f) => f.userid)).toEqual(['zhangwei']);
    // Two transfers started in 90 days: a third is refused, and allowed again once 90 days have passed.
    expect((await transfer(world, [ids[0]!], 'wangfang')).customer[0].errcode).toBe(0);
    world.refuseTransfer(ids[0]!);
    expect((await transfer(world, [ids[0]!], 'wangfang')).customer[0].errcode).toBe(40128);
    clock += 91 * 24 * 3600_000;
    expect((await transfer(world, [ids[0]!], 'wangfang')).customer[0].errcode).toBe(0);
  });

  it('lists a leaver’s customers as unassigned and hands them and their groups over (离职继承)', async () => {
    const { world, ids } = make();
    world.groupChats.set('wrGroup1', { chat_id: 'wrGroup1', name: '老客户群', owner: 'zhangwei', create_time: 0, member_list: [] });
    expect(
      (await call(world, 'externalcontact/resigned/transfer_customer', { handover_userid: 'zhangwei', takeover_userid: 'lina', external_userid: [ids[0]] }))
        .errcode,
    ).toBe(40097);
    expect((await call(world, 'externalcontact/groupchat/transfer', { chat_id_list: ['wrGroup1'], new_owner: 'lina' })).failed_chat_list[0].errcode).toBe(
      90500,
    );
    world.leave('zhangwei');
    expect(() => world.member('zhangwei')).toThrow(expect.objectContaining({ errcode: 60111 }));
    const page = await call(world, 'externalcontact/get_unassigned_list', { page_size: 100 });
    expect(page).toMatchObject({ is_last: false });
    expect(page.info).toHaveLength(100);
    expect(page.info[0]).toMatchObject({ handover_userid: 'zhangwei', external_userid: ids[0] });
    const started = await call(world, 'externalcontact/resigned/transfer_customer', {
      handover_userid: 'zhangwei',
      takeover_userid: 'lina',
      external_userid: [ids[0]],
    });
    expect(started.customer).toEqual([{ external_userid: ids[0], errcode: 0 }]);
    expect((await call(world, 'externalcontact/get_unassigned_list', {})).info).toHaveLength(119);
    world.settleTransfers({ all: true });
    const done = await call(world, 'externalcontact/resigned/transfer_result', { handover_userid: 'zhangwei', takeover_userid: 'lina' });
    expect(done.customer.map((c: { status: number }) => c.status)).toEqual([1]);
    expect((await call(world, 'externalcontact/groupchat/transfer', { chat_id_list: ['wrGroup1', 'wrNone'], new_owner: 'lina' })).failed_chat_list).toEqual([
      { chat_id: 'wrNone', errcode: 49008, errmsg: expect.any(String) },
    ]);
    expect(world.groupChats.get('wrGroup1')!.owner).toBe('lina');
  });
});
