import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { InboundEvent, OutboundMessage, Staff } from '../../entities';
import { parseTeamsFile, syncTeams } from '../../src/modules/capture/teams-file';
import { say } from './bot-chat';
import { FakeWecomWorld } from './fake-wecom-world';
import { resetState, waitFor } from './test-env';
import { startWebhookHarness, type WebhookHarness } from './webhook-harness';
import { externalContactXml } from './wecom-callbacks';

export const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=capture-team-key';

export interface CaptureDefinitions {
  rules?: unknown;
  teams?: { teams: unknown[] };
  /** extra environment (CRM_ADMINS, …) */
  env?: Record<string, string>;
}

/**
 * The whole product (webhook, queues, worker, every handler) with WeCom played by FakeWecomWorld
 * (nock), and channel rules, teams and SOPs read from files named by the config as in production.
 * SOPs are empty so that the only app messages are the ones a test provokes.
 */
export class CaptureHarness {
  world = new FakeWecomWorld();
  private constructor(
    readonly harness: WebhookHarness,
    private readonly teams: { teams: unknown[] },
  ) {}

  static async start(label: string, defs: CaptureDefinitions = {}): Promise<CaptureHarness> {
    const dir = mkdtempSync(join(tmpdir(), `wecom-crm-${label}-`));
    const file = (name: string, json: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(json, null, 2));
      return path;
    };
    const teams = defs.teams ?? { teams: [] };
    // The start-up work (tag dictionary, staff directory) talks to WeCom before the first test's world exists.
    const startWorld = new FakeWecomWorld().install();
    const harness = await startWebhookHarness(label, {
      OUTBOUND_PACING_WINDOW_MS: '200',
      CRM_CHANNEL_RULES_FILE: file('channel-rules.json', defs.rules ?? { rules: [], default: {} }),
      CRM_TEAMS_FILE: file('teams.json', teams),
      CRM_SOPS_FILE: file('sops.json', { sops: [] }),
      CRM_RECONCILE_CRON: 'off',
      ...defs.env,
    });
    const h = new CaptureHarness(harness, teams);
    h.world = startWorld;
    return h;
  }

  get container() {
    return this.harness.container;
  }

  /** An empty database and queues, a new world, the teams file synced again. */
  async reset(): Promise<FakeWecomWorld> {
    await resetState(this.container);
    nock.cleanAll();
    this.world = new FakeWecomWorld().install();
    await syncTeams(this.container.dataSource, parseTeamsFile(this.teams));
    return this.world;
  }

  async nameStaff(names: Record<string, string>): Promise<void> {
    for (const [userid, name] of Object.entries(names)) {
      await this.container.dataSource.getRepository(Staff).update({ userid: userid.toLowerCase() }, { name });
    }
  }

  post(xml: string): Promise<void> {
    return this.harness.post(xml);
  }

  contactEvent(
    changeType: string,
    externalUserId: string,
    extra: { userId?: string; state?: string; welcomeCode?: string; source?: string; createTime?: number } = {},
  ): string {
    return externalContactXml({ corpId: this.container.wecom.corpId, changeType, userId: extra.userId ?? 'ZhangSan', externalUserId, ...extra });
  }

  /** Every stored event handled, and every outbound message settled (sent or failed). */
  async settled(): Promise<void> {
    const ds = this.container.dataSource;
    await waitFor(
      () => ds.getRepository(InboundEvent).find(),
      (rows) => rows.every((r) => r.status === 'done' || r.status === 'ignored' || r.status === 'failed'),
      20_000,
      'every event handled',
    );
    await waitFor(
      () => ds.getRepository(OutboundMessage).find(),
      (rows) => rows.every((r) => r.status !== 'queued' && r.status !== 'sending'),
      20_000,
      'every message sent',
    );
  }

  /** Types to the app as `from` and returns the bot's reply as WeCom received it. */
  say(from: string, content: string): Promise<string> {
    return say(this.container, this.harness.app, this.world.calls, from, content);
  }

  repo<T extends object>(entity: new () => T) {
    return this.container.dataSource.getRepository(entity);
  }

  close(): Promise<void> {
    return this.harness.close();
  }
}
