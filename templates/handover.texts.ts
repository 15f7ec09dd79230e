/** Replies of the 转接 command that are not cards: who may hand over, and what could not be understood. */

export function handoverNotAllowed(input: { leadName: string | null; adminNames: string[] }): string {
  const who = [input.leadName ? `你的主管 ${input.leadName}` : null, input.adminNames.length > 0 ? `管理员 ${input.adminNames.join('、')}` : '管理员'].filter(
    Boolean,
  );
  return `转接客户需要主管（转接本团队的客户）或管理员操作，可以找${who.join('或')}。`;
}

export const HANDOVER_TEXT = {
  noSalesperson: (name: string) => `没有找到销售「${name}」。请写销售的姓名或企业微信账号。`,
  severalSalespeople: (name: string, options: string[]) => `「${name}」有多位销售：${options.join('、')}，请写企业微信账号。`,
  notInTeam: (name: string) => `${name} 不在你带的团队里：主管只能转接本团队的客户，其他团队请找管理员。`,
  inactive: (name: string) => `${name} 已不在企业微信里，不能接替客户。`,
  noCustomers: (name: string) => `${name} 名下没有正在跟进的客户。`,
  noCustomer: (name: string) => `没有找到客户「${name}」（要转接的客户须由你团队里的销售跟进）。`,
  severalCustomers: (name: string, options: string[]) => `「${name}」有多位客户：${options.join('、')}，请写备注或更完整的名字。`,
  sameOwner: (name: string) => `这些客户已经由 ${name} 跟进，不用转接。`,
} as const;

/** What WeCom shows the customer once the new owner has taken over (at most 200 characters). */
export function transferSuccessMessage(toName: string): string {
  return `您好，您的服务已升级，后续将由我的同事${toName.slice(0, 40)}接替我的工作，继续为您服务。`;
}
