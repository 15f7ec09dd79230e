/** Who may see a customer (PIPL minimum exposure), as the bot says it when it refuses. */
export const CUSTOMER_NOT_VISIBLE = '这位客户不在你的客户中：只有负责的销售、他所在团队的主管和管理员可以查看。';
