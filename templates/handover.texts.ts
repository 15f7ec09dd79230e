/** Replies of the 转接 command that are not cards: who may hand over, and what could not be understood. */

export function handoverNotAllowed(input: { leadName: string | null; adminNames: string[] }, what = '转接客户'): string {
  const who = [input.leadName ? `你的主管 ${input.leadName}` : null, input.adminNames.length > 0 ? `管理员 ${input.adminNames.join('、')}` : '管理员'].filter(
    Boolean,
  );
  return `${what}需要主管（本团队的客户）或管理员操作，可以找${who.join('或')}。`;
}

/** Replies of the 离职继承 command (and of the leaver card's buttons, as a message) that are not cards. */
export const LEAVER_TEXT = {
  notLeft: (name: string) => `${name} 还在企业微信里。在职的同事请用「转接 ${name}的全部客户 给 同事」。`,
  noCustomers: (name: string) => `${name} 名下没有待分配的客户。`,
  notInTeam: (name: string) => `${name} 不在你带的团队里：主管只能分配本团队离职同事的客户，其他团队请找管理员。`,
  toLeaver: (name: string) => `${name} 已离职，不能接替客户，请选一位在职的同事。`,
  nobody: (name: string) => `${name} 的团队里没有在职的同事可以接替，请写「离职继承 ${name} 给 同事」指定一位。`,
  pickFirst: '请先在下拉框里选一位接替人，再点「全部交给所选同事」。',
} as const;

/**
 * Why a leaver's customer groups did not move (groupchat/transfer's failed_chat_list), in words a
 * lead reads: 90500 and 90501 as WeCom documents them (path/96334, 95703); 49008 as the fake answers
 * a group it does not know. Anything else is named by its errcode.
 */
export const GROUP_TRANSFER_ERRCODE_TEXT: Readonly<Record<number, string>> = {
  49008: '客户群不存在或应用看不到它',
  90500: '群主并未离职',
  90501: '该群不是客户群',
};

export function groupTransferErrcodeText(errcode: number): string {
  return GROUP_TRANSFER_ERRCODE_TEXT[errcode] ?? `企业微信拒绝了（错误码 ${errcode}）`;
}

export const HANDOVER_TEXT = {
  noSalesperson: (name: string) => `没有找到销售「${name}」。请写销售的姓名或企业微信账号。`,
  severalSalespeople: (name: string, options: string[]) => `「${name}」有多位销售：${options.join('、')}，请写企业微信账号。`,
  notInTeam: (name: string) => `${name} 不在你带的团队里：主管只能转接本团队的客户，其他团队请找管理员。`,
  inactive: (name: string) => `${name} 已不在企业微信里，不能接替客户。`,
  noCustomers: (name: string) => `${name} 名下没有正在跟进的客户。`,
  noCustomer: (name: string) => `没有找到客户「${name}」（要转接的客户须由你团队里的销售跟进）。`,
  /** `alone`: the only name of the command (then a numbered list follows instead of this, where it can) */
  severalCustomers: (name: string, options: string[], alone: boolean) =>
    `「${name}」有多位客户：${options.join('、')}。${alone ? '请写备注或更完整的名字。' : `请写备注或更完整的名字，或单独转接这一位（「转接 ${name} 给 …」，再回复数字选择）。`}`,
  sameOwner: (name: string) => `这些客户已经由 ${name} 跟进，不用转接。`,
} as const;

/** What WeCom shows the customer once the new owner has taken over (at most 200 characters). */
export function transferSuccessMessage(toName: string): string {
  return `您好，您的服务已升级，后续将由我的同事${toName.slice(0, 40)}接替我的工作，继续为您服务。`;
}
