import { parseArgs } from 'node:util';
import { SandboxClient, SandboxClientError } from '../modules/sandbox';
import { describeTrace } from '../modules/sandbox';
import type { ChatItem, SandboxView } from '../modules/sandbox';

/**
 * `npm run simulate -- <action> [options]`: the sandbox page's actions from a terminal or a script,
 * against any running instance in sandbox mode (`--url`). It calls the instance's control API, so the
 * same simulator core plays the action there: the fake WeCom changes and a real encrypted callback
 * goes to that instance's /wecom/callback.
 */
const HELP = `用法 / usage: npm run simulate -- <操作 action> [选项 options]

操作 actions:
  scan        --user <userid> [--state <渠道state>] [--name <客户名>]   客户扫码添加销售 / a customer scans a channel QR code
  delete-staff --user <userid> --customer <客户名或external_userid>    客户删除了销售 / the customer deletes the salesperson
  delete-customer --user <userid> --customer <…>                       销售删除了客户 / the salesperson deletes the customer
  rename-staff --user <userid> --name <新姓名>                          通讯录里给成员改名 / the admin renames a member
  leave       --user <userid>                                           销售离职（通讯录删除成员），主管收到离职继承卡片 / the salesperson leaves the company
  refuse-transfer --customer <客户名或external_userid>                   客户拒绝转接 / the customer refuses their transfer
  tag         --user <userid> --customer <…> [--add A类,B类] [--remove …] 后台给客户打标签 / admin console tags a customer
  create-tag  --group <标签组> --name <标签名>                           后台新建企业标签 / admin console creates a corp tag
  type        --user <userid> <消息…>                                   销售给应用发消息，并打印回复 / a salesperson types; prints the reply
  click       --user <userid> --card <卡片编号> --key <按钮key> [--select <question_key>=<option_id>]
                                                                        点击卡片按钮（先在下拉框里选一项）并打印更新后的卡片
                                                                        / click a card button (picking a drop-down option first); prints the card after
  bot-say     --user <userid> <消息…>                                   在团队群里 @客户助手，并打印群里和私信里的回复（需 WECOM_BOT_ID=sandbox WECOM_BOT_SECRET=sandbox）
                                                                        / @-mention the smart bot in the team group; prints the answers
  bot-click   --user <userid> --card <卡片编号> --key <按钮key> [--select <question_key>=<option_id>]
                                                                        点击团队群里机器人卡片的按钮 / click a button of the bot's card in the group
  fire-due                                                              立即触发到期提醒和SOP / fire due reminders and SOP steps now
  view        [--user <userid>]                                         查看聊天、群和客户 / show chat, group and customers

选项 options:
  --url <url>   运行中的实例 / the running instance (default http://127.0.0.1:3000)
  --no-wait     type 之后不等回复 / do not wait for the reply after type
  --timeout <秒> type 等回复的秒数（默认 10）/ seconds type waits for the reply (default 10)
  --json        输出 JSON / print JSON
  -h, --help

例子 examples:
  npm run simulate -- scan --user zhangwei --state live-demo --name 刘洋
  npm run simulate -- type --user zhangwei 记录跟进 刘洋 电话沟通了报价，明天下午3点再联系
  npm run simulate -- fire-due
  npm run simulate -- type --user zhangwei 待办
  npm run simulate -- click --user zhangwei --card 12 --key todo:done --select reminder=3
  npm run simulate -- view --user zhangwei
  npm run simulate -- bot-say --user wangfang 报表
  npm run simulate -- bot-click --user zhangwei --card 31 --key group:done:7
`;

interface Options {
  url: string;
  user?: string;
  state?: string;
  name?: string;
  customer?: string;
  add?: string;
  remove?: string;
  group?: string;
  card?: string;
  key?: string;
  select?: string[];
  json: boolean;
  wait: boolean;
  timeoutSeconds: number;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      user: { type: 'string' },
      state: { type: 'string' },
      name: { type: 'string' },
      customer: { type: 'string' },
      add: { type: 'string' },
      remove: { type: 'string' },
      group: { type: 'string' },
      card: { type: 'string' },
      key: { type: 'string' },
      select: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [action, ...words] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return action || values.help ? 0 : 2;
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    process.stderr.write(`--timeout 要写秒数，例如 --timeout 20 / --timeout takes seconds (got "${values.timeout}")\n`);
    return 2;
  }
  const o: Options = { ...values, url: values.url!, json: values.json!, wait: !values['no-wait'], timeoutSeconds };
  const client = new SandboxClient(o.url);
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean);

  switch (action) {
    case 'view':
      return print(o, await client.view(o.user ?? ''), describeView);
    case 'scan':
      return print(
        o,
        await client.action('scan', { userid: o.user, state: o.state ?? '', name: o.name }),
        (r) => `${r.name} 扫码添加了 ${o.user}（external_userid ${r.customer}）`,
      );
    case 'delete-staff':
      return print(o, await client.action('delete-staff', { userid: o.user, customer: await customerId(client, o) }), () => `客户已删除 ${o.user}`);
    case 'delete-customer':
      return print(o, await client.action('delete-customer', { userid: o.user, customer: await customerId(client, o) }), () => `${o.user} 已删除客户`);
    case 'rename-staff':
      return print(o, await client.action('rename-staff', { userid: o.user, name: o.name }), (r) => `通讯录：${r.userid} 现在叫 ${r.name}`);
    case 'leave':
      return print(
        o,
        await client.action('leave', { userid: o.user }),
        (r) => `${r.name ?? r.userid} 离职了，名下客户待分配${r.lead ? `；主管 ${r.lead} 收到离职继承卡片（view --user ${r.lead}）` : ''}`,
      );
    case 'refuse-transfer':
      return print(o, await client.action('refuse-transfer', { customer: await customerId(client, o) }), () => '客户拒绝了转接');
    case 'tag':
      return print(
        o,
        await client.action('tag', { userid: o.user, customer: await customerId(client, o), add: list(o.add), remove: list(o.remove) }),
        () => '后台标签已修改',
      );
    case 'create-tag':
      return print(o, await client.action('create-tag', { group: o.group, name: o.name }), (r) => `已新建企业标签 ${o.group}/${o.name}（${r.tagId}）`);
    case 'click':
      return click(client, o);
    case 'fire-due': {
      const fired = await client.action('fire-due');
      const view = await client.view(o.user ?? '');
      const quiet = o.json ? '' : quietHint(view.quietUntil, view.timezone);
      return print(o, fired, (r) => `已触发 ${r.fired} 个提醒/SOP 步骤${quiet ? `\n${quiet}` : ''}`);
    }
    case 'type':
      return type(client, o, words.join(' '));
    case 'bot-say':
      return botSay(client, o, words.join(' '));
    case 'bot-click':
      return botClick(client, o);
    default:
      process.stderr.write(`没有这个操作 / unknown action: ${action}\n\n${HELP}`);
      return 2;
  }
}

function print<T>(o: Options, result: T, describe: (r: T) => string): number {
  process.stdout.write(`${o.json ? JSON.stringify(result, null, 2) : describe(result)}\n`);
  return 0;
}

/** A customer by external_userid, or by name among the CRM's customers. */
async function customerId(client: SandboxClient, o: Options): Promise<string | undefined> {
  if (!o.customer || o.customer.startsWith('wm') || o.customer.startsWith('wo')) return o.customer;
  const matches = (await client.view(o.user ?? '')).customers.filter((c) => c.name === o.customer && c.externalUserid);
  if (matches.length !== 1)
    throw new SandboxClientError(
      matches.length === 0 ? `没有叫「${o.customer}」的客户` : `有 ${matches.length} 个叫「${o.customer}」的客户，请用 external_userid`,
      null,
    );
  return matches[0]!.externalUserid!;
}

/**
 * Sends the text, then waits (`--timeout`, 10 s by default) for the product's answer in that chat
 * and prints it. A reply WeCom refused is printed with WeCom's errcode and message (exit code 1); with no reply at
 * all, what became of the message says why (handled, retrying, failed, a reply waiting or refused).
 */
async function type(client: SandboxClient, o: Options, content: string): Promise<number> {
  const sent = await client.action('type', { userid: o.user, content });
  if (!o.wait) return print(o, sent, () => '已发送');
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    const view = await client.view(o.user ?? '');
    const replies = view.chat.filter((c) => c.seq > Number(sent.seq) && c.direction === 'out');
    if (replies.length > 0) {
      // a moment more: the rest of a reply split into several messages, or a second reply
      await new Promise((r) => setTimeout(r, 500));
      const settled = (await client.view(o.user ?? '')).chat.filter((c) => c.seq > Number(sent.seq) && c.direction === 'out');
      print(o, settled, (r) => r.map((item) => describeItem(item, view.timezone)).join('\n\n'));
      const refused = settled.find((item) => item.msgtype === 'rejected');
      if (!refused) return 0;
      process.stderr.write(`回复被企业微信拒收：errcode ${refused.errcode}，${refused.errmsg} / WeCom refused the reply\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const why = typeof sent.msgId === 'string' ? describeTrace(await client.trace(sent.msgId)) : 'worker 在运行吗？';
  process.stderr.write(`${o.timeoutSeconds} 秒内没有回复：${why}\n`);
  return 1;
}

/**
 * Clicks a card button as the page does: `--select reminder=3` picks an option of the card's drop-down
 * first (checked against the card, so a typo never clicks with the preselected option instead). Then
 * waits (`--timeout`, 10 s by default) for the card to be updated or a new message, and prints it.
 */
async function click(client: SandboxClient, o: Options): Promise<number> {
  const before = await client.view(o.user ?? '');
  const item = before.chat.find((c) => c.seq === Number(o.card));
  const selected = parseSelect(o.select ?? [], item);
  const result = await client.action('click', { userid: o.user, card: o.card, key: o.key, selected });
  if (!o.wait) return print(o, result, () => `已点击卡片 #${o.card} 的 ${o.key}`);
  // the card redrawn (updatedAt moved), or a new message (查看客户 sends the profile)
  const { items, view } = await waitForNew(client, o, (v) =>
    v.chat.filter((c) => (c.seq === Number(o.card) && c.updatedAt !== item?.updatedAt) || (c.seq > before.seq && c.direction === 'out')),
  );
  if (items.length > 0) return print(o, items, (r) => [`已点击卡片 #${o.card} 的 ${o.key}`, ...r.map((i) => describeItem(i, view.timezone))].join('\n'));
  process.stderr.write(`已点击卡片 #${o.card} 的 ${o.key}，但 ${o.timeoutSeconds} 秒内卡片没有更新、也没有新消息。worker 在运行吗？\n`);
  return 1;
}

/** What the product sent since `afterSeq` that this salesperson sees: in the team group and in their own chat. */
function newSince(view: SandboxView, afterSeq: number, changedCard?: { seq: number; updatedAt: number | undefined }): ChatItem[] {
  const group = view.group?.items ?? [];
  const redrawn = changedCard ? group.filter((c) => c.seq === changedCard.seq && c.updatedAt !== changedCard.updatedAt) : [];
  const sent = [...group, ...view.chat].filter((c) => c.seq > afterSeq && c.direction === 'out');
  return [...redrawn, ...sent].sort((a, b) => a.seq - b.seq);
}

/** Polls the view until something new shows (then a moment more, for a second message), or the timeout. */
async function waitForNew(client: SandboxClient, o: Options, found: (view: SandboxView) => ChatItem[]): Promise<{ items: ChatItem[]; view: SandboxView }> {
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (found(await client.view(o.user ?? '')).length > 0) {
      await new Promise((r) => setTimeout(r, 500));
      const view = await client.view(o.user ?? '');
      return { items: found(view), view };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { items: [], view: await client.view(o.user ?? '') };
}

/** The group's side of the smart bot: the member's @-message, then what the bot answered in the group and privately. */
async function botSay(client: SandboxClient, o: Options, content: string): Promise<number> {
  if (!o.user || !content.trim()) throw new SandboxClientError('写成 bot-say --user <userid> <消息>，例如 bot-say --user wangfang 报表', null);
  const before = await client.view(o.user);
  if (!before.group?.bot) throw new SandboxClientError('沙盒没有扮演智能机器人：用 WECOM_BOT_ID=sandbox WECOM_BOT_SECRET=sandbox npm start 启动', null);
  await client.botSay(o.user, content);
  if (!o.wait) return print(o, { ok: true }, () => '已在群里发送');
  const { items, view } = await waitForNew(client, o, (v) => newSince(v, before.seq));
  if (items.length > 0)
    return print(o, items, (r) => r.map((i) => `${i.conversation.kind === 'bot' ? '[群] ' : '[私信] '}${describeItem(i, view.timezone)}`).join('\n\n'));
  process.stderr.write(`${o.timeoutSeconds} 秒内群里和私信里都没有回复。worker 在运行吗？\n`);
  return 1;
}

/** Clicks a button of the bot's card in the group, then prints the card redrawn (or what came instead). */
async function botClick(client: SandboxClient, o: Options): Promise<number> {
  const before = await client.view(o.user ?? '');
  const item = before.group?.items.find((c) => c.seq === Number(o.card));
  if (!o.user || !item?.card) throw new SandboxClientError('没有这张卡片：--card 用 view 或 bot-say 打印的群消息编号（#后面的数字）', null);
  const selected = parseSelect(o.select ?? [], item);
  await client.botClick(o.user, item.seq, o.key ?? '', selected);
  if (!o.wait) return print(o, { ok: true }, () => `已点击卡片 #${o.card} 的 ${o.key}`);
  const { items, view } = await waitForNew(client, o, (v) => newSince(v, before.seq, { seq: item.seq, updatedAt: item.updatedAt }));
  if (items.length > 0)
    return print(o, items, (r) =>
      [`已点击卡片 #${o.card} 的 ${o.key}`, ...r.map((i) => `${i.conversation.kind === 'bot' ? '[群] ' : '[私信] '}${describeItem(i, view.timezone)}`)].join(
        '\n',
      ),
    );
  process.stderr.write(`已点击卡片 #${o.card} 的 ${o.key}，但 ${o.timeoutSeconds} 秒内卡片没有更新、也没有新消息。worker 在运行吗？\n`);
  return 1;
}

/** `reminder=3` (or `reminder=3,5`) → { reminder: ['3'] }, each checked against the card's drop-down. */
function parseSelect(pairs: string[], item: ChatItem | undefined): Record<string, string[]> {
  if (pairs.length === 0) return {};
  if (!item?.card) throw new SandboxClientError('没有这张卡片：--card 用 view 或 type 打印的编号（#后面的数字）', null);
  const question = item?.card?.button_selection as { question_key?: string; title?: string; option_list?: Array<{ id: string; text: string }> } | undefined;
  if (!question?.question_key) throw new SandboxClientError(`卡片 #${item.seq} 没有下拉框，不能用 --select`, null);
  const choices = (question.option_list ?? []).map((opt) => `${opt.id}（${opt.text}）`).join('、');
  const selected: Record<string, string[]> = {};
  for (const pair of pairs) {
    const [key, ids = ''] = pair.split('=');
    if (key !== question.question_key)
      throw new SandboxClientError(
        `--select ${pair}：卡片 #${item.seq} 的下拉框是 ${question.question_key}（${question.title ?? ''}），写成 --select ${question.question_key}=<选项id>，可选：${choices}`,
        null,
      );
    const wanted = ids
      .split(/[,，]/)
      .map((id) => id.trim())
      .filter(Boolean);
    const unknown = wanted.filter((id) => !(question.option_list ?? []).some((opt) => opt.id === id));
    if (wanted.length === 0 || unknown.length > 0)
      throw new SandboxClientError(
        `--select ${pair}：卡片 #${item.seq} 的「${question.title ?? key}」没有选项 ${unknown.join('、') || '（空）'}，可选：${choices}`,
        null,
      );
    selected[key] = wanted;
  }
  return selected;
}

/** Quiet hours now: what the product sends on its own waits, so fire-due may show nothing yet. */
function quietHint(quietUntil: string | null, timeZone: string): string {
  if (!quietUntil) return '';
  const until = new Date(quietUntil).toLocaleTimeString('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
  return `现在是免打扰时段：SOP 步骤、日报、超时提醒等系统推送要到 ${until} 才发出（CRM_QUIET_HOURS=off 并重启可关闭）；你设的提醒和命令的回复不受影响。`;
}

/** A message as plain text; times in CRM_TIMEZONE, like the dates on the cards. */
function describeItem(item: ChatItem, timeZone: string): string {
  const head = `#${item.seq} ${new Date(item.at).toLocaleTimeString('zh-CN', { timeZone })} ${item.direction === 'in' ? '→' : '←'}`;
  if (item.msgtype === 'rejected') return `${head} ✖ ${item.text ?? ''}`;
  // a picture (a chart): the view links it; the page at /sandbox shows it
  if (item.msgtype === 'image') return `${head} [图片] ${item.image ?? ''}`;
  if (!item.card) return `${head} ${item.text ?? ''}`;
  // a card as WeCom would draw it: any template_card's fields, read loosely
  // biome-ignore lint/suspicious/noExplicitAny: template cards of every card_type are read here
  const c = item.card as Record<string, any>;
  const lines = [
    `${head} [${c.card_type}] ${c.main_title?.title ?? ''}${c.main_title?.desc ? ` · ${c.main_title.desc}` : ''}`,
    c.emphasis_content ? `  ${c.emphasis_content.title ?? ''} ${c.emphasis_content.desc ?? ''}` : '',
    c.quote_area?.quote_text ? `  「${c.quote_area.quote_text}」` : '',
    c.sub_title_text ? `  ${String(c.sub_title_text).replace(/\n/g, '\n  ')}` : '',
    // a member row (type 3) opens the member's profile in WeCom: shown as an @ like the page does
    ...((c.horizontal_content_list ?? []) as Array<{ keyname: string; value: string; type?: number }>).map(
      (r) => `  ${r.keyname}：${r.type === 3 ? '@' : ''}${r.value}`,
    ),
    ...selectionLines(c.button_selection, item),
    item.replacedButton !== undefined
      ? `  [${item.replacedButton}]`
      : ((c.button_list ?? []) as Array<{ text: string; key: string }>).map((b) => `  [${b.text}] --card ${item.seq} --key ${b.key}`).join('\n'),
  ];
  return lines.filter(Boolean).join('\n');
}

/** A card's drop-down: each option with the `--select` that picks it, the picked one marked. */
function selectionLines(
  selection: { question_key?: string; title?: string; selected_id?: string; option_list?: Array<{ id: string; text: string }> } | undefined,
  item: ChatItem,
): string[] {
  if (!selection?.question_key || item.replacedButton !== undefined) return [];
  const picked = selection.selected_id ?? selection.option_list?.[0]?.id;
  return [
    `  ${selection.title ?? '选择'}：`,
    ...(selection.option_list ?? []).map((opt) => `    ${opt.id === picked ? '●' : '○'} ${opt.text}   --select ${selection.question_key}=${opt.id}`),
  ];
}

function describeView(v: SandboxView): string {
  const customers = v.customers.map((c) => {
    const owners = c.owners.map((o) => `${o.name}${o.status === 'active' ? '' : `(${o.status})`}`).join('、');
    return `  ${c.name} · ${c.stage} · ${c.tags.join('、') || '无标签'} · ${owners} · ${c.externalUserid}`;
  });
  const quiet = quietHint(v.quietUntil, v.timezone);
  return [
    `销售 ${v.user}，待发提醒 ${v.pendingReminders} 个`,
    ...(quiet ? [`  ${quiet}`] : []),
    '— CRM助手 —',
    ...v.chat.slice(-10).map((item) => describeItem(item, v.timezone)),
    `— ${v.group?.name ?? '团队群'} —`,
    ...(v.group?.items.slice(-5).map((item) => describeItem(item, v.timezone)) ?? []),
    '— 客户 —',
    ...(customers.length ? customers : ['  （还没有客户）']),
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof SandboxClientError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
