import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';

/**
 * The sandbox page in a real headless Chromium (Debian's `chromium`, driven by playwright-core: no
 * browser download), against the whole product in sandbox mode (the test environment's database and
 * Redis): a newcomer's first minute, clicked through as they would, on a desktop and on a phone.
 * `SANDBOX_SCREENSHOT=<file.png>` also saves a screenshot at the end (`npm run sandbox:screenshot`
 * makes the README's); `SANDBOX_PHONE_SCREENSHOT=<file.png>` one at phone width.
 */
const CHROMIUM = '/usr/bin/chromium';

// Browser globals, used only inside page.evaluate callbacks (the project's tsconfig has no DOM library).
declare const document: any;
declare const window: { markdown(text: string): any };
declare function getComputedStyle(el: unknown): { color: string; fontSize: string };

describe('the sandbox page in a browser', () => {
  jest.setTimeout(120_000);
  let app: SandboxApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    app = await startSandboxApp('browser');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}/sandbox?user=zhangwei`);
    await page.locator('#staff-picker option[value="zhangwei"]').waitFor({ state: 'attached' });
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const card = (title: string) =>
    page
      .locator('#messages .card')
      .filter({ has: page.locator('.title', { hasText: title }) })
      .last();

  it('adds a customer from a channel, shows the profile with its tags, records a follow-up, fires its reminder and closes it with 完成', async () => {
    // A customer scans 张伟's live-stream channel QR code.
    await page.selectOption('#scan-state', 'live-demo');
    await page.fill('#scan-name', '刘洋');
    await page.click('#scan');
    const customer = page.locator('#customer-list [data-customer="刘洋"]');
    await customer.locator('.tag', { hasText: '直播间' }).waitFor();
    await expect(customer.locator('.stage').textContent()).resolves.toBe('线索');
    await customer.locator('.welcome', { hasText: '感谢您从直播间添加我' }).waitFor();

    // The profile card, asked for from the customer list (fills the composer) and sent.
    await customer.getByRole('button', { name: '查客户' }).click();
    await expect(page.inputValue('#composer-input')).resolves.toBe('查客户 刘洋');
    await page.click('#send');
    const profile = card('刘洋');
    await profile.waitFor();
    await expect(profile.locator('dl.rows').innerText()).resolves.toMatch(/标签\s+直播间/);

    // A follow-up typed in Chinese with a date: the confirmation card echoes the date in full.
    await page.fill('#composer-input', '记录跟进 刘洋 电话沟通了报价，明天下午3点再联系');
    await page.press('#composer-input', 'Enter');
    const confirmation = card('已记录跟进：刘洋');
    await confirmation.waitFor();
    await expect(confirmation.locator('.emphasis b').textContent()).resolves.toBe('15:00');
    await expect(confirmation.locator('.quote').textContent()).resolves.toBe('电话沟通了报价，明天下午3点再联系');
    await page.locator('#pending-count', { hasText: '1' }).waitFor();

    // Tomorrow is a click away.
    await page.click('#fire-due');
    const reminder = card('该联系 刘洋 了');
    await reminder.waitFor();
    await expect(reminder.locator('.quote').textContent()).resolves.toContain('电话沟通了报价');
    await page.locator('#pending-count', { hasText: '0' }).waitFor();

    // 完成 on the card: a real template_card_event; the product closes the reminder and the card
    // changes in place (update_template_card): the buttons give way to what was done.
    await reminder.getByRole('button', { name: '完成' }).click();
    const replaced = reminder.locator('button[data-replaced]');
    await replaced.waitFor();
    await expect(replaced.textContent()).resolves.toContain('已完成');
    await expect(reminder.getByRole('button', { name: '推迟1小时' }).count()).resolves.toBe(0);
    await reminder.locator('.updated').waitFor();

    if (process.env.SANDBOX_SCREENSHOT) {
      await page.locator('#toast').waitFor({ state: 'hidden' });
      await confirmation.scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.SANDBOX_SCREENSHOT });
    }
  });

  /** Clicks a quick button and waits for the message it sent (the salesperson's bubble) and the reply after it. */
  async function quickSend(label: string): Promise<string> {
    const sent = page.locator('#messages .msg.in .bubble', { hasText: label });
    const before = await sent.count();
    await page.locator('#quick-commands button', { hasText: label }).click();
    await page.locator('#messages .msg.in .bubble', { hasText: label }).nth(before).waitFor();
    const reply = page.locator(`#messages .msg.in:has(.bubble:text-is("${label}")) ~ .msg.out`).last();
    await reply.waitFor({ timeout: 10_000 });
    return reply.innerText();
  }

  it('each quick button sends its command at once, and the reply comes back', async () => {
    await page.fill('#composer-input', '草稿还在');
    expect(await quickSend('我的客户')).toMatch(/我的客户[\s\S]*共1位[\s\S]*刘洋/);
    expect(await quickSend('待办')).toContain('没有待办提醒'); // the one reminder was closed with 完成 above
    expect(await quickSend('今日')).toContain('今日简报');
    expect(await quickSend('报表')).toContain('只对团队主管和管理员开放');
    // What the salesperson had typed is not lost.
    await expect(page.inputValue('#composer-input')).resolves.toBe('草稿还在');
    await page.fill('#composer-input', '');
  });

  it('the 帮助 quick button gets the command list', async () => {
    expect(await quickSend('帮助')).toContain('记录跟进');
  });

  it('shows the 删人提醒 in the team group chat when the customer deletes the salesperson', async () => {
    const customer = page.locator('#customer-list [data-customer="刘洋"]');
    await customer.getByRole('button', { name: '客户删除销售' }).click();
    await page.locator('#customer-list [data-customer="刘洋"].gone').waitFor();
    await page.click('[data-conversation="group"]');
    await page.locator('#messages .msg.robot', { hasText: '刘洋' }).first().waitFor();
    await expect(page.locator('#chat-title').textContent()).resolves.toBe('华东销售一组（群机器人）');
    await page.click('[data-conversation="app"]');
  });

  it('draws the robot’s 删人提醒 notice card: its title, the salesperson as @name, the customer', async () => {
    await page.click('[data-conversation="group"]');
    const alert = page.locator('#messages .msg.robot .card.text_notice', { hasText: '删人提醒' }).last();
    await alert.waitFor();
    await expect(alert.locator('.title').textContent()).resolves.toBe('客户 刘洋 删除了 张伟');
    await expect(alert.locator('dd').first().textContent()).resolves.toBe('@张伟');
    await expect(alert.innerText()).resolves.toContain('刘洋');
    await page.click('[data-conversation="app"]');
  });

  it('draws every mark of WeCom markdown, and only http(s) links', async () => {
    const drawn = await page.evaluate(() => {
      const el = window.markdown(
        [
          '# 大标题',
          '### 小标题',
          '<font color="info">绿</font><font color="comment">灰</font><font color="warning">**橙**</font>',
          '> 引用 `代码`',
          '[链接](https://work.weixin.qq.com) [坏](javascript:alert(1)) <@lina>',
        ].join('\n'),
      );
      document.body.append(el);
      const color = (selector: string) => getComputedStyle(el.querySelector(selector)!).color;
      const result = {
        h1: getComputedStyle(el.querySelector('.h1')!).fontSize,
        h3: getComputedStyle(el.querySelector('.h3')!).fontSize,
        info: color('.font-info'),
        comment: color('.font-comment'),
        warning: color('.font-warning'),
        boldInColour: el.querySelector('.font-warning b')?.textContent,
        quote: el.querySelector('.quote-line')?.textContent,
        code: el.querySelector('.quote-line code')?.textContent,
        links: [...el.querySelectorAll('a')].map((a: any) => a.getAttribute('href')),
        text: el.innerText,
      };
      el.remove();
      return result;
    });
    expect(drawn).toMatchObject({
      h1: '20px',
      h3: '16px',
      info: 'rgb(7, 193, 96)',
      comment: 'rgb(143, 149, 158)',
      warning: 'rgb(255, 125, 0)',
      boldInColour: '橙',
      quote: '引用 代码',
      code: '代码',
    });
    expect(drawn.links).toEqual(['https://work.weixin.qq.com']);
    expect(drawn.text).toContain('[坏](javascript:alert(1))');
    expect(drawn.text).toContain('@李娜');
    expect(drawn.text).not.toMatch(/<font|\*\*|^#/m);
  });

  it('shows chart images as pictures: 报表 图 from the lead draws the report, then each chart as an <img> of the chart', async () => {
    await page.goto(`${app.url}/sandbox?user=wangfang`);
    await page.locator('#staff-picker option[value="wangfang"]').waitFor({ state: 'attached' });
    await page.fill('#composer-input', '报表 本月 图');
    await page.press('#composer-input', 'Enter');
    // the funnel, the pipeline and won against target at least (the trend needs two days of the month)
    const pictures = page.locator('#messages .bubble.image img');
    await pictures.nth(2).waitFor();
    // (runs in the page: the DOM's image type, named loosely here as the suite has no DOM typings)
    const sizes = await pictures.evaluateAll((imgs) =>
      Promise.all(
        imgs.map((img) => {
          const picture = img as unknown as { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
          return picture.decode().then(() => [picture.naturalWidth, picture.naturalHeight]);
        }),
      ),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes) expect(size).toEqual([800, 480]);
    await page.goto(`${app.url}/sandbox?user=zhangwei`);
    await page.locator('#staff-picker option[value="zhangwei"]').waitFor({ state: 'attached' });
  });

  it('works at phone width (390×844): the chat and its composer fill the screen, the simulation panel is a tab that never covers them', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    phone.setDefaultTimeout(20_000);
    try {
      await phone.goto(`${app.url}/sandbox?user=zhangwei`);
      await phone.locator('#staff-picker option[value="zhangwei"]').waitFor({ state: 'attached' });
      await phone.locator('#messages > *').first().waitFor();
      const layout = () =>
        phone.evaluate(() => {
          const box = (id: string) => document.getElementById(id)!.getBoundingClientRect();
          const onTop = (id: string) => {
            const r = box(id);
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            // true, or what covers it (a toast, a panel)
            return hit && (hit.id === id || document.getElementById(id)!.contains(hit)) ? true : `${hit?.tagName}#${hit?.id}.${hit?.className}`;
          };
          const visible = (id: string) => document.getElementById(id)!.offsetParent !== null;
          return {
            scrollWidth: document.documentElement.scrollWidth,
            input: { ...box('composer-input').toJSON(), onTop: onTop('composer-input') },
            send: { ...box('send').toJSON(), onTop: onTop('send') },
            quick: [...document.querySelectorAll('#quick-commands button')].map((b: any) => b.getBoundingClientRect().right as number),
            simulatorVisible: visible('scan'),
            chatVisible: visible('messages'),
          };
        });
      const chatting = await layout();
      expect(chatting.scrollWidth).toBeLessThanOrEqual(390);
      for (const el of [chatting.input, chatting.send]) {
        expect(el.onTop).toBe(true);
        expect(el.left).toBeGreaterThanOrEqual(0);
        expect(el.right).toBeLessThanOrEqual(390);
        expect(el.bottom).toBeLessThanOrEqual(844);
      }
      expect(Math.max(...chatting.quick)).toBeLessThanOrEqual(390);
      expect(chatting.simulatorVisible).toBe(false);

      // The simulation panel is a tab: a customer scans from there, and the chat is one tap back.
      await phone.tap('[data-conversation="simulator"]');
      const simulating = await layout();
      expect([simulating.simulatorVisible, simulating.chatVisible, simulating.scrollWidth <= 390]).toEqual([true, false, true]);
      await phone.fill('#scan-name', '周杰');
      await phone.tap('#scan');
      await phone.locator('#customer-list [data-customer="周杰"] .welcome').waitFor();
      await phone.locator('#customer-list [data-customer="周杰"]').getByRole('button', { name: '查客户' }).tap();
      const back = await layout();
      expect([back.chatVisible, back.simulatorVisible, back.input.onTop]).toEqual([true, false, true]);
      await expect(phone.inputValue('#composer-input')).resolves.toBe('查客户 周杰');
      await phone.tap('#send');
      const profile = phone
        .locator('#messages .card')
        .filter({ has: phone.locator('.title', { hasText: '周杰' }) })
        .last();
      await profile.waitFor();
      const card = await profile.boundingBox();
      expect(card!.x).toBeGreaterThanOrEqual(0);
      expect(card!.x + card!.width).toBeLessThanOrEqual(390);
      expect((await layout()).scrollWidth).toBeLessThanOrEqual(390);
      if (process.env.SANDBOX_PHONE_SCREENSHOT) await phone.screenshot({ path: process.env.SANDBOX_PHONE_SCREENSHOT });
    } finally {
      await phone.close();
    }
  });
});
