/**
 * The fake WeCom of bench:capture, in a process of its own (see startFakeWecom there): every API
 * answers after BENCH_WECOM_LATENCY_MS; per API per corp at most BENCH_BUDGET_PER_MINUTE calls in
 * any minute, 45009 beyond, as WeCom counts them (PROTOCOL.md §5.9); a welcome code works once
 * (41051 after). Tells its parent its port, each welcome as it is used, and its ledger when asked.
 */
import { createServer } from 'node:http';

const BUDGET_PER_MINUTE = Number(process.env.BENCH_BUDGET_PER_MINUTE ?? 10_000);
const WECOM_LATENCY_MS = Number(process.env.BENCH_WECOM_LATENCY_MS ?? 50);
const SALESPEOPLE = Number(process.env.BENCH_SALESPEOPLE ?? 20);
const staffId = (i: number) => `sales${String((i % SALESPEOPLE) + 1).padStart(2, '0')}`;
const send = (message: unknown) => process.send?.(message);

interface WecomLedger {
  /** welcome code → when it was used (the first time) */
  welcomes: Map<string, number>;
  /** calls per API */
  counts: Record<string, number>;
  /** welcome codes sent a second time (WeCom answers 41051) */
  usedTwice: number;
  /** calls refused with 45009 (over the per-API budget) */
  overBudget: number;
}

/** Calls per API in the last minute, as WeCom counts them (on arrival). */
function budgetCounter(limit: number) {
  const calls = new Map<string, number[]>();
  return (api: string, now: number): boolean => {
    const times = calls.get(api) ?? [];
    while (times.length > 0 && times[0]! <= now - 60_000) times.shift();
    if (times.length >= limit) return false;
    times.push(now);
    calls.set(api, times);
    return true;
  };
}

function fakeWecom(ledger: WecomLedger) {
  const { welcomes, counts } = ledger;
  const withinBudget = budgetCounter(BUDGET_PER_MINUTE);
  const tagGroups: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const api = url.pathname.replace('/cgi-bin/', '');
      counts[api] = (counts[api] ?? 0) + 1;
      const answer = (json: unknown) => setTimeout(() => res.end(JSON.stringify(json)), api === 'gettoken' ? 0 : WECOM_LATENCY_MS);
      if (api === 'gettoken') return answer({ errcode: 0, errmsg: 'ok', access_token: 'T', expires_in: 7200 });
      if (!withinBudget(api, Date.now())) {
        ledger.overBudget += 1;
        return answer({ errcode: 45009, errmsg: 'api freq out of limit' });
      }
      if (api === 'externalcontact/send_welcome_msg') {
        const code = (JSON.parse(body) as { welcome_code: string }).welcome_code;
        if (welcomes.has(code)) {
          ledger.usedTwice += 1;
          return answer({ errcode: 41051, errmsg: 'externaluser has started chatting' });
        }
        welcomes.set(code, Date.now());
        send({ type: 'welcome', code, at: welcomes.get(code) });
        return answer({ errcode: 0, errmsg: 'ok' });
      }
      if (api === 'externalcontact/get') {
        const id = url.searchParams.get('external_userid') ?? '';
        const i = Number(id.replace('wmBench', ''));
        return answer({
          errcode: 0,
          errmsg: 'ok',
          external_contact: { external_userid: id, name: `观众${i}`, type: 1, gender: 2 },
          follow_user: [{ userid: staffId(i), createtime: Math.floor(Date.now() / 1000), state: 'live-bench', tags: [] }],
        });
      }
      if (api === 'user/get')
        return answer({
          errcode: 0,
          errmsg: 'ok',
          userid: url.searchParams.get('userid'),
          name: `销售${url.searchParams.get('userid')}`,
          department: [1],
          status: 1,
        });
      if (api === 'externalcontact/get_corp_tag_list') return answer({ errcode: 0, errmsg: 'ok', tag_group: tagGroups });
      if (api === 'externalcontact/add_corp_tag') {
        const parsed = JSON.parse(body) as { group_name: string; tag: Array<{ name: string }> };
        if (tagGroups.length > 0) return answer({ errcode: 40071, errmsg: 'tag name exists' });
        const group = {
          group_id: 'etBenchGroup',
          group_name: parsed.group_name,
          create_time: 1,
          order: 0,
          tag: [{ id: 'etBenchTag', name: parsed.tag[0]!.name, create_time: 1, order: 0 }],
        };
        tagGroups.push(group);
        return answer({ errcode: 0, errmsg: 'ok', tag_group: group });
      }
      return answer({ errcode: 0, errmsg: 'ok' });
    });
  });
  return server;
}

const ledger: WecomLedger = { welcomes: new Map(), counts: {}, usedTwice: 0, overBudget: 0 };
const server = fakeWecom(ledger);
server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as { port: number }).port }));
process.on('message', (message: { type: string }) => {
  if (message.type === 'ledger') send({ type: 'ledger', ledger: { counts: ledger.counts, usedTwice: ledger.usedTwice, overBudget: ledger.overBudget } });
});
// the benchmark is gone: so is its WeCom
process.on('disconnect', () => process.exit(0));
