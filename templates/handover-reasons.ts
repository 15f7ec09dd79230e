/**
 * Why WeCom did not hand a customer over, in the words a lead reads: each errcode WeCom answers a
 * transfer call with (per customer or for the whole call), and the transfer_result statuses that end
 * without a takeover. Anything else is named by its errcode, so nobody is left guessing.
 */
export const TRANSFER_ERRCODE_TEXT: Readonly<Record<number, string>> = {
  40003: '成员账号不存在',
  40058: '请求不符合企业微信的要求（每次最多 100 位客户，转接语最多 200 字）',
  40096: '客户不存在或已删除',
  40097: '原跟进人尚未离职，请用在职转接',
  40098: '接替成员尚未激活或未实名认证',
  40099: '接替成员的客户数已达上限',
  40100: '这位客户已在转接流程中',
  40128: '这位客户 90 天内已转接过两次，暂时不能再转接',
  40129: '这位客户正在转接中，请等上一次转接结束',
  40130: '原跟进人与接替成员是同一个人',
  41035: '没有给出要转接的客户',
  45009: '企业微信接口调用太频繁，稍后会自动重试',
  45033: '企业微信接口并发太多，稍后会自动重试',
  48002: '应用没有客户转接的接口权限，请管理员在企业微信管理后台开启',
  60011: '接替成员不在应用的可见范围内',
  60111: '成员不存在或已离职',
  84061: '这位客户已不是原跟进人的客户',
  84074: '应用没有客户联系权限，请管理员在企业微信管理后台开启',
};

export function transferErrcodeText(errcode: number): string {
  return TRANSFER_ERRCODE_TEXT[errcode] ?? `企业微信拒绝了转接（错误码 ${errcode}）`;
}

/** transfer_result statuses and transfer_fail reasons that leave the customer with their owner. */
export const TRANSFER_END_TEXT = {
  refused: '客户拒绝了转接',
  limit: '接替成员的客户数已达上限',
} as const;
