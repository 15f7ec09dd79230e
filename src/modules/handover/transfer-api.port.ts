import type * as T from '../../platform/wecom/api/wecom-api.types';

/** WeCom's handover APIs as the handover service uses them (the WeCom client implements it). */
export interface TransferApi {
  transferCustomer(request: T.TransferCustomerRequest): Promise<T.TransferCustomerResponse>;
  resignedTransferCustomer(request: Omit<T.TransferCustomerRequest, 'transfer_success_msg'>): Promise<T.TransferCustomerResponse>;
  transferResults(request: Omit<T.TransferResultRequest, 'cursor'>, resigned?: boolean): Promise<NonNullable<T.TransferResultResponse['customer']>>;
}

/** WeCom's 离职继承 APIs beyond the transfer itself: the unassigned list and the leaver's customer groups. */
export interface LeaverApi {
  unassignedCustomers(): Promise<NonNullable<T.UnassignedListResponse['info']>>;
  transferGroupChats(request: T.GroupChatTransferRequest): Promise<T.GroupChatTransferResponse>;
}
