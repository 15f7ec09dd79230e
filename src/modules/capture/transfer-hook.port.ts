/**
 * Where customer capture tells handover what WeCom said about a transfer: the old owner's delete by
 * transfer (del_external_contact, Source=DELETE_BY_TRANSFER) and a failed transfer (transfer_fail).
 * Called after capture has recorded the event; `dedupeKey` is the event's (stable across
 * redeliveries), and an implementation acts once per customer whatever it is called with.
 */
export interface TransferHook {
  /** `userid`: the member who handed the customer over */
  transferred(input: { externalUserid: string; userid: string; at: Date; dedupeKey: string }): Promise<void>;
  /** `userid`: the member who was to take the customer over; `reason`: customer_refused or customer_limit_exceed */
  failed(input: { externalUserid: string; userid: string; reason: string; at: Date; dedupeKey: string }): Promise<void>;
}

export const noopTransferHook: TransferHook = { transferred: async () => undefined, failed: async () => undefined };
