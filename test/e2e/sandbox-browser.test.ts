import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';

/**
 * The sandbox page in a real headless Chromium (Debian's `chromium`, driven by playwright-core: no
 * browser download), against the whole product in sandbox mode on MariaDB and Redis: a newcomer's
 * first minute, clicked through as they would. `SANDBOX_SCREENSHOT=<file.png>` also saves a
 * screenshot at the end (`npm run sandbox:screenshot` makes the README's).
 */
const CHROMIUM = '/usr/bin/chromium';

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

  const card = (title: string) => page.locator('#messages .card').filter({ has: page.locator('.title', { hasText: title }) }).last();

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

  it('shows the 删人提醒 in the team group chat when the customer deletes the salesperson', async () => {
    const customer = page.locator('#customer-list [data-customer="刘洋"]');
    await customer.getByRole('button', { name: '客户删除销售' }).click();
    await page.locator('#customer-list [data-customer="刘洋"].gone').waitFor();
    await page.click('[data-conversation="group"]');
    await page.locator('#messages .msg.robot', { hasText: '刘洋' }).first().waitFor();
    await expect(page.locator('#chat-title').textContent()).resolves.toBe('华东销售一组（群机器人）');
    await page.click('[data-conversation="app"]');
  });
});
