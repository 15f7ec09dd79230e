/**
 * The audit trail's vocabulary: what each action name means, for `npm run audit` (its `--action`
 * filter and its help) and for whoever adds a write. Every write that changes who a customer is to
 * us, or hands their data out, adds one of these in the transaction that makes the change
 * (platform/db/audit.ts). Names are `<subject>.<verb>`; `--action tag` matches every `tag.*`.
 */
export const AUDIT_ACTIONS: Record<string, string> = {
  'customer.export': '导出客户的全部个人信息（命令行或管理接口）',
  'customer.erase': '删除客户的个人信息（只记录删除了多少，不记录内容）',
  'customer.do_not_contact': '设置或解除勿扰',
  'stage.change': '修改客户阶段',
  'opportunity.create': '新建商机（客户阶段随之进入商机时，detail.previousStage 记原阶段）',
  'tag.add': '打标签（指令或撤销）',
  'tag.remove': '去标签（指令）',
  'tag.sync': '同步或对账时按企业微信增删的企业标签（操作人 system）',
  'customer.add': '客户添加销售（渠道规则的标签与阶段在 detail 中）',
  'customer.edit': '在企业微信中改了客户（企业标签的增删在 detail 中）',
  'admin.request': '使用了一个管理接口（路由与结果，不含路径里的客户名）',
  // Reserved for the transfer of customers between salespeople (在职/离职继承), which does not exist
  // yet: its service writes this with actor, customer, from and to userids in the transaction that
  // moves the relation. WeCom's transfer outcome callbacks are already audited as relation.transfer_fail.
  'customer.transfer': '把客户转给另一位销售（尚未实现）',
  'follow_up.create': '记录跟进',
  'reminder.create': '新建提醒',
  'reminder.close': '关闭提醒（完成、取消或客户被删除）',
  undo: '撤销上一条记录',
};
