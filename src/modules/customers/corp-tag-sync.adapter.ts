import type { CorpTagSync } from './corp-tag-sync.port';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';

/** Marks corp tags in WeCom through the API client (only worker code reaches this). */
export function corpTagSync(client: WecomApiClient): CorpTagSync {
  return {
    async markTags({ userid, externalUserid, add, remove }) {
      await client.markTag({ userid, external_userid: externalUserid, add_tag: add, remove_tag: remove });
    },
  };
}
