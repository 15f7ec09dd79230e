import type { DataSource } from 'typeorm';
import { ContactWay } from '../../../entities';
import { isUniqueViolation } from '../../platform/db/unique-violation';
import type { AddContactWayRequest, AddContactWayResponse } from '../../platform/wecom/api/wecom-api.types';
import { WecomApiError } from '../../platform/wecom/api/wecom-api.error';
import type { ChannelRules } from './channel-rules';

export class ContactWayError extends Error {}

/** externalcontact/add_contact_way (implemented by the WeCom API client) */
interface Api {
  addContactWay(request: AddContactWayRequest): Promise<AddContactWayResponse>;
}

/**
 * 「联系我」 QR codes per channel `state` (add_contact_way). One per state: asking again returns the
 * stored one instead of creating a second QR that WeCom would count against the corp's quota.
 */
export class ContactWayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly api: Api,
    private readonly rules: ChannelRules,
  ) {}

  /**
   * The QR for a state: the stored one, or a new one. The row is written (`creating`) before WeCom is
   * asked, so two admins cannot create two, and a crash after WeCom answered but before the answer
   * was kept is noticed: the next try refuses until told `retry` (WeCom may hold a QR we lost).
   */
  async create(input: {
    state: string;
    users: string[];
    remark?: string;
    createdBy?: string;
    retry?: boolean;
  }): Promise<{ way: ContactWay; created: boolean }> {
    const state = input.state.trim();
    if (!state || Buffer.byteLength(state) > 30) throw new ContactWayError('state 必须是 1-30 字节 (WeCom limit)');
    if (input.users.length === 0 || input.users.length > 100) throw new ContactWayError('需要 1-100 个成员 userid (--user a,b)');
    const repo = this.dataSource.getRepository(ContactWay);
    const existing = await repo.findOneBy({ state });
    if (existing?.status === 'created') return { way: existing, created: false };
    if (existing && !input.retry) {
      throw new ContactWayError(
        `state "${state}" 的上一次创建在 WeCom 应答后没有保存结果（进程中断）：WeCom 里可能已有一个找不回 config_id 的二维码。确认后加 --retry 重新创建。`,
      );
    }
    const rule = this.rules.match(state).rule;
    if (!rule) throw new ContactWayError(`no channel rule matches state "${state}": add one to the channel rules file first`);
    const fields = { ruleName: rule.name, users: input.users.map((u) => u.toLowerCase()), createdBy: input.createdBy ?? null };
    if (existing) await repo.update({ id: existing.id }, fields);
    else {
      try {
        await repo.insert({ state, configId: null, status: 'creating', ...fields });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ContactWayError(`state "${state}" 正在被另一个请求创建，请稍后用 list 查看`);
        throw error;
      }
    }

    let answer: AddContactWayResponse;
    try {
      answer = await this.api.addContactWay({
        type: input.users.length > 1 ? 2 : 1,
        scene: 2,
        state,
        user: input.users,
        skip_verify: true,
        ...(input.remark ? { remark: input.remark.slice(0, 30) } : {}),
      });
    } catch (error) {
      // WeCom said no (an errcode): nothing was created, the state is free again. Any other failure
      // (timeout, network) leaves the outcome unknown, and the row `creating` says so.
      if (error instanceof WecomApiError && error.errcode !== null) await repo.delete({ state, status: 'creating' });
      throw error;
    }
    // Keep config_id at once: WeCom has no list API for contact ways created through the API.
    await repo.update({ state }, { configId: answer.config_id, qrCode: answer.qr_code ?? null, status: 'created' });
    return { way: await repo.findOneByOrFail({ state }), created: true };
  }

  list(): Promise<ContactWay[]> {
    return this.dataSource.getRepository(ContactWay).find({ order: { id: 'ASC' } });
  }
}
