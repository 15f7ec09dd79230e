/**
 * What became of one message a salesperson typed: the stored event (was it handled, is it being
 * retried, why did it fail) and every reply the product queued for it (sent, waiting, or refused
 * with WeCom's errcode). `npm run simulate -- type` prints this when no reply arrives, so the
 * developer reads the real cause instead of a guess.
 */
export interface MessageTrace {
  event: { status: string; attempts: number; lastError: string | null } | null;
  replies: Array<{ key: string; kind: string; status: string; attempts: number; errcode: number | null; errmsg: string | null }>;
}

/** The trace in one Chinese sentence or two, for a reply that did not arrive. */
export function describeTrace(trace: MessageTrace): string {
  const refused = trace.replies.find((r) => r.status === 'failed');
  if (refused) return `回复发送失败：企业微信返回 errcode ${refused.errcode ?? '（无）'}：${refused.errmsg ?? ''}`;
  const waiting = trace.replies.find((r) => r.status === 'queued' || r.status === 'sending');
  if (waiting) {
    const last = waiting.errcode ? `，上次 errcode ${waiting.errcode}：${waiting.errmsg ?? ''}` : '';
    return `回复还在发送队列里（${waiting.status}，已尝试 ${waiting.attempts} 次${last}）。worker 在运行吗？`;
  }
  if (trace.replies.length > 0) return '回复已发给企业微信，但聊天里没有出现。';
  const event = trace.event;
  if (!event) return '应用没有存下这条消息（回调没有到达）。';
  switch (event.status) {
    case 'received':
      return '消息已存下，但还没有 worker 处理它。worker 在运行吗？';
    case 'processing':
      return `消息正在处理或等待重试（已尝试 ${event.attempts} 次${event.lastError ? `，上次出错：${event.lastError}` : ''}）。`;
    case 'failed':
      return `处理这条消息失败（尝试了 ${event.attempts} 次）：${event.lastError ?? '原因未记录'}`;
    default:
      return `消息已处理（${event.status}），但没有回复。`;
  }
}
