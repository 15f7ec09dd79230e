/**
 * Where the staff directory tells handover that a salesperson left the company (离职继承): the
 * directory found them gone (user/get 60111, or status disabled/left in the daily refresh), or a
 * `delete_user` event arrived. Called after the member is marked inactive; an implementation acts
 * once per leaver whatever it is called with (a redelivered event, a retried refresh).
 */
export interface LeaverHook {
  left(input: { userid: string; source: 'directory' | 'delete_user'; at: Date }): Promise<void>;
}

export const noopLeaverHook: LeaverHook = { left: async () => undefined };
