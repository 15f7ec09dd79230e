// The sandbox page: polls /sandbox/api/view and draws it like a WeCom client; every control posts an
// action to /sandbox/api/actions/<name>, which plays it against the fake WeCom and the real product.
'use strict';

const API = '/sandbox/api';
const state = { user: new URLSearchParams(location.search).get('user') || '', seq: -1, view: null, conversation: 'app', picks: {} };
const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (never parsed as HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function toast(text, isError) {
  const el = $('toast');
  el.textContent = text;
  el.className = isError ? 'toast error' : 'toast';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), isError ? 6000 : 2500);
}

async function act(name, params, done) {
  return post(`${API}/actions/${name}`, params, done);
}

/** The smart bot (智能机器人) in the team group: a member @-mentions it, or clicks one of its cards. */
function botAct(what, params, done) {
  return post(`${API}/bot/${what}`, params, done);
}

async function post(url, params, done) {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    const answer = await response.json();
    if (!answer.ok) throw new Error(answer.error || `HTTP ${response.status}`);
    if (done) toast(done(answer));
    setTimeout(poll, 150);
    return answer;
  } catch (error) {
    toast(`操作失败：${error.message}`, true);
    return null;
  }
}

// ---- drawing messages ----

// In CRM_TIMEZONE, like the dates on the cards, whatever the browser's zone.
const time = (ms) => new Date(ms).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: (state.view && state.view.timezone) || undefined });

/** One line for the conversation list: a card's title, or the text without markdown marks. */
function preview(item) {
  if (item.msgtype === 'rejected') return `[被拒收] errcode ${item.errcode}`;
  if (item.msgtype === 'image') return '[图片]';
  if (item.card) return `[卡片] ${(item.card.main_title && item.card.main_title.title) || item.card.sub_title_text || ''}`;
  return (item.text || '').replace(/<[^>]+>|\*\*|^(#+|>)\s*/gm, '').replace(/\s+/g, ' ');
}

function markdown(text) {
  // WeCom's markdown subset, drawn as the WeCom client draws it and safely (text only, never parsed
  // as HTML): # to ###### headings, > quotes, **bold**, `code`, [text](url) for http(s) links,
  // <font color="info|comment|warning"> (green, grey, orange), <@userid> mentions (shown as @name).
  const box = h('div', { class: 'bubble markdown' });
  for (const line of text.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    const el = h('div', { class: heading ? `h${heading[1].length}` : quote ? 'quote-line' : 'line' });
    inline(el, heading ? heading[2] : quote ? quote[1] : line);
    if (!el.childNodes.length || !el.textContent) el.append('\u200b'); // an empty line keeps its height
    box.append(el);
  }
  return box;
}

const FONT_COLORS = ['info', 'comment', 'warning'];
const INLINE = /\*\*(.+?)\*\*|<font color=["']?(\w+)["']?>(.+?)<\/font>|\[([^\]]+)\]\(([^)\s]+)\)|<@([\w.@-]+)>|`([^`]+)`/g;

/** One line's inline marks; bold and colour may hold each other (`<font color="warning">**3**</font>`). */
function inline(el, text) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    el.append(text.slice(last, m.index));
    if (m[1] !== undefined) el.append(inline(h('b', {}), m[1]));
    else if (m[2] !== undefined) el.append(inline(h('span', { class: FONT_COLORS.includes(m[2]) ? `font-${m[2]}` : '', 'data-font': m[2] }), m[3]));
    else if (m[4] !== undefined) el.append(/^https?:\/\//i.test(m[5]) ? h('a', { href: m[5], target: '_blank', rel: 'noopener' }, m[4]) : m[0]);
    else if (m[6] !== undefined) el.append(h('span', { class: 'mention', 'data-userid': m[6] }, `@${staffName(m[6])}`));
    else el.append(h('code', {}, m[7]));
    last = m.index + m[0].length;
  }
  el.append(text.slice(last));
  return el;
}

/** WeCom shows a mention by the member's name. */
function staffName(userid) {
  const member = state.view && state.view.staff.find((s) => s.userid.toLowerCase() === userid.toLowerCase());
  return member ? member.name : userid;
}

const SOURCE_COLORS = ['', 'black', 'red', 'green'];

function card(item) {
  const c = item.card;
  const el = h('div', { class: `card ${c.card_type}`, 'data-card': item.seq, 'data-card-type': c.card_type });
  if (c.source && c.source.desc) el.append(h('div', { class: `source ${SOURCE_COLORS[c.source.desc_color] || ''}` }, c.source.desc));
  if (c.main_title && c.main_title.title) el.append(h('div', { class: 'title' }, c.main_title.title));
  if (c.main_title && c.main_title.desc) el.append(h('div', { class: 'desc' }, c.main_title.desc));
  if (c.emphasis_content) el.append(h('div', { class: 'emphasis' }, h('b', {}, c.emphasis_content.title || ''), h('span', {}, c.emphasis_content.desc || '')));
  if (c.quote_area && (c.quote_area.quote_text || c.quote_area.title)) el.append(h('div', { class: 'quote' }, [c.quote_area.title, c.quote_area.quote_text].filter(Boolean).join('\n')));
  if (c.sub_title_text) el.append(h('div', { class: 'sub' }, c.sub_title_text));
  if (Array.isArray(c.horizontal_content_list) && c.horizontal_content_list.length) {
    el.append(h('dl', { class: 'rows' }, c.horizontal_content_list.map((r) => [h('dt', {}, r.keyname), h('dd', {}, r.type === 3 ? `@${r.value || r.userid}` : r.value || '')])));
  }
  let selection = null;
  if (c.button_selection) {
    const s = c.button_selection;
    selection = h('select', { disabled: item.clickedKey !== undefined || item.replacedButton !== undefined, 'aria-label': s.title || '选择' },
      (s.option_list || []).map((o) => h('option', { value: o.id, selected: o.id === (state.picks[item.seq] || s.selected_id) }, o.text)));
    // Kept across redraws (every poll that brings news redraws the chat).
    selection.addEventListener('change', () => (state.picks[item.seq] = selection.value));
    el.append(h('div', { class: 'selection' }, s.title || '', selection));
  }
  const picked = () => (selection ? { [c.button_selection.question_key]: [selection.value] } : {});
  // The smart bot's group cards: anyone in the group may click, and the card is redrawn for everyone.
  const fromBot = item.conversation.kind === 'bot';
  if (c.card_type === 'button_interaction' && fromBot) {
    el.append(
      h('div', { class: 'buttons' },
        (c.button_list || []).map((b) =>
          h('button', {
            class: `style-${b.style || 1}`,
            'data-key': b.key,
            onclick: () => botAct('click', { userid: state.user, card: item.seq, key: b.key, selected: picked() }, () => `已点击「${b.text}」`),
          }, b.text))),
    );
  } else if (c.card_type === 'button_interaction') {
    const buttons = h('div', { class: 'buttons' });
    if (item.replacedButton !== undefined) {
      buttons.append(h('button', { class: 'replaced', disabled: true, 'data-replaced': true }, item.replacedButton));
    } else {
      for (const b of c.button_list || []) {
        const clicked = item.clickedKey === b.key;
        buttons.append(
          h('button', {
            class: `style-${b.style || 1}${clicked ? ' clicked' : ''}`,
            'data-key': b.key,
            disabled: item.clickedKey !== undefined,
            onclick: () => (b.type === 1 ? window.open(b.url, '_blank') : act('click', { userid: state.user, card: item.seq, key: b.key, selected: picked() }, () => `已点击「${b.text}」`)),
          }, b.text),
        );
      }
    }
    el.append(buttons);
  }
  if (Array.isArray(c.jump_list)) for (const j of c.jump_list) el.append(h('a', { class: 'footer', href: j.url, target: '_blank', rel: 'noopener' }, j.title));
  if (c.card_type === 'text_notice' || c.card_type === 'news_notice') el.append(h('div', { class: 'footer' }, '查看详情'));
  if (item.updatedAt) el.append(h('div', { class: 'updated' }, `卡片已于 ${time(item.updatedAt)} 更新`));
  return el;
}

function message(item, view) {
  const inbound = item.direction === 'in';
  const group = item.conversation.kind !== 'app';
  const bot = item.conversation.kind === 'bot';
  const me = view.staff.find((s) => s.userid === view.user);
  const who = inbound ? (me ? me.name.slice(-1) : '我') : group ? '机器人' : 'CRM';
  let content;
  // A send WeCom refused: the salesperson would see nothing; the page shows why (errcode and WeCom's message).
  if (item.msgtype === 'rejected') content = h('div', { class: 'bubble rejected', 'data-errcode': item.errcode }, item.text || '');
  else if (item.card) content = card(item);
  // A picture (a chart): drawn as the WeCom client shows one, tap to open it full size.
  else if (item.msgtype === 'image' && item.image)
    content = h('a', { class: 'bubble image', href: item.image, target: '_blank', rel: 'noopener' }, h('img', { src: item.image, alt: '图片', loading: 'lazy' }));
  else if (item.msgtype === 'markdown') content = markdown(item.text || '');
  else content = h('div', { class: 'bubble' }, item.text || '');
  return h('div', { class: `msg ${inbound ? 'in' : 'out'}${group ? ' robot' : ''}`, 'data-seq': item.seq },
    h('div', { class: 'who' }, who),
    h('div', { class: 'body' }, h('div', { class: 'meta' }, `${inbound ? (me ? me.name : '我') : bot ? '客户助手（智能机器人）' : group ? '群机器人' : 'CRM助手'} ${time(item.at)}`), content));
}

function drawMessages(view) {
  const box = $('messages');
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const items = state.conversation === 'app' ? view.chat : view.group ? view.group.items : [];
  box.replaceChildren(...(items.length ? items.map((i) => message(i, view)) : [h('div', { class: 'empty' }, state.conversation === 'app' ? '还没有消息。发送「帮助」试试，或先在右侧让客户扫码添加。' : '群里还没有消息。客户删除销售（删人提醒）等预警会发到这里。')]));
  if (nearBottom || drawMessages.first) box.scrollTop = box.scrollHeight;
  drawMessages.first = false;
}
drawMessages.first = true;

// ---- the side panels ----

function drawCustomers(view) {
  const list = $('customer-list');
  if (!view.customers.length) return list.replaceChildren(h('li', { class: 'empty' }, '还没有客户。让客户扫码添加一个试试。'));
  list.replaceChildren(...view.customers.map((c) => {
    const mine = c.owners.find((o) => o.userid === view.user && o.status === 'active');
    const tagSelect = h('select', { 'aria-label': '标签' }, view.corpTags.map((t) => h('option', { value: t.name }, `${t.group}/${t.name}`)));
    return h('li', { class: `customer${c.owners.some((o) => o.status === 'active') ? '' : ' gone'}`, 'data-customer': c.name },
      h('div', { class: 'line' }, h('span', { class: 'name' }, c.name), h('span', { class: 'stage' }, c.stage), c.tags.map((t) => h('span', { class: 'tag' }, t))),
      h('div', { class: 'owner' }, c.owners.map((o) => `${o.name}${o.status === 'active' ? '' : `（${o.status === 'lost' ? '已被客户删除' : '已结束'}）`}${o.state ? ` · ${o.state}` : ''}`).join('，') || '无负责人'),
      c.welcome ? h('div', { class: 'welcome' }, `欢迎语：${c.welcome}`) : null,
      mine && c.externalUserid
        ? h('div', { class: 'actions' },
            h('button', { onclick: () => fillComposer(`查客户 ${c.name}`) }, '查客户'),
            tagSelect,
            h('button', { onclick: () => act('tag', { userid: view.user, customer: c.externalUserid, add: [tagSelect.value] }, () => `后台给 ${c.name} 打上了 ${tagSelect.value}`) }, '后台打标签'),
            h('button', { onclick: () => act('delete-staff', { userid: view.user, customer: c.externalUserid }, () => `${c.name} 删除了 ${view.staff.find((s) => s.userid === view.user).name}`) }, '客户删除销售'))
        : null);
  }));
}

function draw(view) {
  state.view = view;
  const picker = $('staff-picker');
  if (picker.options.length !== view.staff.length) {
    picker.replaceChildren(...view.staff.map((s) => h('option', { value: s.userid }, `${s.name}（${s.position}${s.team ? ` · ${s.team}` : ''}）`)));
  }
  picker.value = view.user;
  state.user = view.user;
  const me = view.staff.find((s) => s.userid === view.user);
  $('me-avatar').textContent = me ? me.name.slice(-1) : '?';
  const states = $('scan-state');
  if (states.options.length !== view.channels.length) states.replaceChildren(...view.channels.map((c) => h('option', { value: c.state }, c.label)));
  $('group-title').textContent = view.group ? view.group.name : '（没有团队群）';
  const lastApp = view.chat[view.chat.length - 1];
  if (lastApp) $('app-preview').textContent = preview(lastApp);
  const lastGroup = view.group && view.group.items[view.group.items.length - 1];
  if (lastGroup) $('group-preview').textContent = preview(lastGroup);
  $('chat-title').textContent = state.conversation === 'app' ? 'CRM助手' : view.group ? `${view.group.name}（${view.group.bot ? '@客户助手 发命令' : '群机器人'}）` : '团队群';
  $('composer').classList.toggle('readonly', state.conversation !== 'app' && !(state.conversation === 'group' && view.group && view.group.bot));
  $('pending-count').textContent = String(view.pendingReminders);
  const quiet = $('quiet-hint');
  quiet.hidden = !view.quietUntil;
  if (view.quietUntil) quiet.textContent = `现在是免打扰时段：SOP、日报、提醒超时等系统推送会在 ${time(Date.parse(view.quietUntil)).slice(0, 5)} 后送达（设置 CRM_QUIET_HOURS=off 并重启可关闭）。你设的提醒按时送达，命令的回复不受影响。`;
  drawMessages(view);
  drawCustomers(view);
  $('activity').replaceChildren(...view.activity.map((a) => h('li', {}, h('time', {}, time(a.at)), a.text)));
}

async function poll() {
  clearTimeout(poll.timer);
  try {
    const response = await fetch(`${API}/view?user=${encodeURIComponent(state.user)}&since=${state.seq}`, { cache: 'no-store' });
    const view = await response.json();
    if (!view.unchanged) {
      state.seq = view.seq;
      draw(view);
    }
  } catch {
    // The server restarts or is busy: try again on the next tick.
  }
  poll.timer = setTimeout(poll, 1000);
}

// ---- controls ----

function fillComposer(text) {
  selectConversation('app');
  $('composer-input').value = text;
  $('composer-input').focus();
}

function selectConversation(name) {
  // On a phone the simulation panel is a tab of its own (index.html's last tab): it never covers the chat.
  document.body.classList.toggle('show-simulator', name === 'simulator');
  for (const li of document.querySelectorAll('.conversation')) li.classList.toggle('active', li.dataset.conversation === name);
  if (name === 'simulator') return;
  state.conversation = name;
  $('composer').classList.toggle('readonly', name !== 'app' && !(name === 'group' && state.view && state.view.group && state.view.group.bot));
  drawMessages.first = true;
  if (state.view) draw(state.view);
}

/** Sends a message to the app as the current salesperson, and shows the chat it lands in. */
async function send(content) {
  // In the team group with the smart bot: the message @-mentions the bot, as a member would.
  if (state.conversation === 'group' && state.view && state.view.group && state.view.group.bot) {
    drawMessages.first = true;
    return botAct('say', { userid: state.user, content });
  }
  selectConversation('app');
  drawMessages.first = true;
  return act('type', { userid: state.user, content });
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const content = input.value.trim();
  if (!content) return;
  input.value = '';
  if (!(await send(content))) input.value = content;
});
$('composer-input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});
// A quick button sends its command at once, as tapping a menu item in WeCom does (whatever is typed stays).
$('quick-commands').addEventListener('click', (event) => {
  const command = event.target.dataset && event.target.dataset.send;
  if (command) send(command);
});
for (const li of document.querySelectorAll('.conversation')) li.addEventListener('click', () => selectConversation(li.dataset.conversation));
$('staff-picker').addEventListener('change', (event) => {
  state.user = event.target.value;
  state.seq = -1;
  drawMessages.first = true;
  history.replaceState(null, '', `?user=${encodeURIComponent(state.user)}`);
  poll();
});
$('scan').addEventListener('click', () =>
  act('scan', { userid: state.user, state: $('scan-state').value, name: $('scan-name').value.trim() || undefined }, (a) => {
    $('scan-name').value = '';
    return `${a.name} 扫码添加了你`;
  }));
$('fire-due').addEventListener('click', () => act('fire-due', {}, (a) => (a.fired ? `已触发 ${a.fired} 个提醒/SOP 步骤` : '现在没有待发的提醒')));
// 离职: the member leaves the pretend company; the page then shows their lead, who has the 离职继承 card.
$('leave').addEventListener('click', async () => {
  const me = state.view && state.view.staff.find((s) => s.userid === state.user);
  if (!window.confirm(`让 ${me ? me.name : state.user} 离职？名下客户会等主管分配（离职继承）。`)) return;
  const answer = await act('leave', { userid: state.user }, (a) => `${a.name || a.userid} 离职了${a.lead ? '，已切换到主管查看分配卡片' : ''}`);
  if (answer && answer.lead) {
    state.user = answer.lead;
    state.seq = -1;
    drawMessages.first = true;
    history.replaceState(null, '', `?user=${encodeURIComponent(state.user)}`);
    selectConversation('app');
  }
});
$('create-tag').addEventListener('click', () =>
  act('create-tag', { group: $('tag-group').value.trim(), name: $('tag-name').value.trim() }, () => `已新建标签 ${$('tag-name').value.trim()}`));

poll();
