import type { DataSource } from 'typeorm';
import { ContactWay } from '../../entities';
import type { WecomApiClient } from '../wecom/api/wecom-api.client';
import type { ChannelRules } from './channel-rules';

export class ContactWayError extends Error {}

/**
 * 「联系我」 QR codes per channel `state` (add_contact_way). One per state: asking again returns the
 * stored one instead of creating a second QR that WeCom would count against the corp's quota.
 */
export class ContactWayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Pick<WecomApiClient, 'addContactWay'>,
    private readonly rules: ChannelRules,
  ) {}

  async create(input: { state: string; users: string[]; remark?: string; createdBy?: string }): Promise<{ way: ContactWay; created: boolean }> {
    const state = input.state.trim();
    if (!state || Buffer.byteLength(state) > 30) throw new ContactWayError('state 必须是 1-30 字节 (WeCom limit)');
    if (input.users.length === 0 || input.users.length > 100) throw new ContactWayError('需要 1-100 个成员 userid (--user a,b)');
    const repo = this.dataSource.getRepository(ContactWay);
    const existing = await repo.findOneBy({ state });
    if (existing) return { way: existing, created: false };
    const rule = this.rules.match(state).rule;
    if (!rule) throw new ContactWayError(`no channel rule matches state "${state}": add one to the channel rules file first`);
    const answer = await this.api.addContactWay({
      type: input.users.length > 1 ? 2 : 1,
      scene: 2,
      state,
      user: input.users,
      skip_verify: true,
      ...(input.remark ? { remark: input.remark.slice(0, 30) } : {}),
    });
    // Keep config_id at once: WeCom has no list API for contact ways created through the API.
    const way = await repo.save({ state, configId: answer.config_id, qrCode: answer.qr_code ?? null, ruleName: rule.name, users: input.users.map((u) => u.toLowerCase()), createdBy: input.createdBy ?? null });
    return { way, created: true };
  }

  list(): Promise<ContactWay[]> {
    return this.dataSource.getRepository(ContactWay).find({ order: { id: 'ASC' } });
  }
}
