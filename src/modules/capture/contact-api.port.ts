import type { GetExternalContactResponse, MarkTagRequest } from '../../platform/wecom/api/wecom-api.types';

/** What customer capture asks WeCom (implemented by the WeCom API client). */
export interface ContactApi {
  /**
   * externalcontact/get, one page of follow users (`cursor`: the next page); `forWelcome`: the
   * lookup a welcome waits for, which may use the budget's share reserved for welcomes
   */
  getExternalContact(externalUserid: string, cursor?: string, options?: { forWelcome?: boolean }): Promise<GetExternalContactResponse>;
  /** externalcontact/mark_tag */
  markTag(request: MarkTagRequest): Promise<unknown>;
}
