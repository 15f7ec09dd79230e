/** Marks WeCom corp tags on a customer for one salesperson (implemented over the WeCom API client). */
export interface CorpTagSync {
  markTags(input: { userid: string; externalUserid: string; add: string[]; remove: string[] }): Promise<void>;
}
