import type { OutboundService } from '../../platform/outbound/outbound.service';
import type { NamedChart } from './chart.service';

/** Where charts go: a team's group robot or app chat, or one person's app chat with the CRM. */
export type ChartRecipient =
  | { channel: 'robot'; webhookUrl: string; label?: string }
  | { channel: 'appchat'; chatid: string }
  | { channel: 'user'; touser: string };

/**
 * One image message per chart through the outbound queue, keyed `<key>:chart:<name>`: a rerun (a
 * retried job, a redelivered 报表 图) sends each chart once. Each is drawn when it is sent, and for a
 * person or app chat uploaded as temporary media first. Returns how many were new.
 */
export async function sendCharts(
  outbound: OutboundService,
  to: ChartRecipient,
  charts: NamedChart[],
  key: string,
  options: { urgent?: boolean } = {},
): Promise<number> {
  let queued = 0;
  for (const chart of charts) {
    const result = await outbound.enqueueImage({
      ...to,
      image: { source: chart.spec as unknown as Record<string, unknown>, filename: `${chart.name}.png` },
      idempotencyKey: `${key}:chart:${chart.name}`,
      urgent: options.urgent,
    });
    if (result.outcome === 'queued') queued += 1;
  }
  return queued;
}
