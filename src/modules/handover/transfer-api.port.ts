import type * as T from '../../platform/wecom/api/wecom-api.types';

/** WeCom's handover APIs as the handover service uses them (the WeCom client implements it). */
export interface TransferApi {
  transferCustomer(request: T.TransferCustomerRequest): Promise<T.TransferCustomerResponse>;
  resignedTransferCustomer(request: Omit<T.TransferCustomerRequest, 'transfer_success_msg'>): Promise<T.TransferCustomerResponse>;
  transferResults(request: Omit<T.TransferResultRequest, 'cursor'>, resigned?: boolean): Promise<NonNullable<T.TransferResultResponse['customer']>>;
}
