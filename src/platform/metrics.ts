import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueSet } from './queue/queues';

/** Prometheus metrics. One registry per process (not prom-client's global), so tests can build several apps. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  eventsReceived: Counter<'kind' | 'duplicate'>;
  callbackRejected: Counter<'reason'>;
  jobFailures: Counter<'queue' | 'final'>;
  eventsProcessed: Counter<'kind' | 'outcome'>;
  eventsFailed: Counter<'kind' | 'cause'>;
  outboundMessages: Counter<'channel' | 'status'>;
  outboundDeferred: Counter<'channel' | 'reason'>;
  callbacksSpooled: Counter;
  callbacksDrained: Counter<'outcome'>;
  callbacksDeferredEnqueue: Counter;
  inboundPayloadsPruned: Counter;
  outboundBodiesPruned: Counter;
  auditEntriesPruned: Counter;
  /** this process's hold on the smart bot's long connection: 1 for its state (standby: another process holds it, or none) */
  botConnection: Gauge<'state'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    eventsReceived: new Counter({
      name: 'wecom_events_received_total',
      help: 'WeCom callbacks stored, by kind; duplicate=true for redeliveries',
      labelNames: ['kind', 'duplicate'],
      registers: [registry],
    }),
    callbackRejected: new Counter({
      name: 'wecom_callbacks_rejected_total',
      help: 'WeCom callbacks refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'queue_job_failures_total',
      help: 'Failed job attempts; final=true when no retry is left',
      labelNames: ['queue', 'final'],
      registers: [registry],
    }),
    eventsProcessed: new Counter({
      name: 'wecom_events_processed_total',
      help: 'Inbound events processed by the worker, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    eventsFailed: new Counter({
      name: 'wecom_events_failed_total',
      help: 'Inbound events that failed for good, by kind and cause (permanent: at once; retries_exhausted; abandoned: the queue gave up on the job)',
      labelNames: ['kind', 'cause'],
      registers: [registry],
    }),
    outboundMessages: new Counter({
      name: 'wecom_outbound_messages_total',
      help: 'Outbound messages by channel and status reached (queued, sent, failed, duplicate)',
      labelNames: ['channel', 'status'],
      registers: [registry],
    }),
    outboundDeferred: new Counter({
      name: 'wecom_outbound_deferred_total',
      help: 'Times an outbound message was made to wait, by reason (pacing, quiet_hours, retry)',
      labelNames: ['channel', 'reason'],
      registers: [registry],
    }),
    callbacksSpooled: new Counter({
      name: 'wecom_callbacks_spooled_total',
      help: 'Verified callbacks kept in the Redis spool because the database could not take them',
      registers: [registry],
    }),
    callbacksDrained: new Counter({
      name: 'wecom_callbacks_drained_total',
      help: 'Spooled callbacks moved to the database, by outcome (stored, duplicate, rejected)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    callbacksDeferredEnqueue: new Counter({
      name: 'wecom_callbacks_enqueue_deferred_total',
      help: 'Callbacks stored while Redis was down, queued once it answered again',
      registers: [registry],
    }),
    inboundPayloadsPruned: new Counter({
      name: 'wecom_inbound_payloads_pruned_total',
      help: 'Payloads of processed events removed by the retention job',
      registers: [registry],
    }),
    outboundBodiesPruned: new Counter({
      name: 'wecom_outbound_bodies_pruned_total',
      help: 'Bodies of finished outbound messages removed by the retention job',
      registers: [registry],
    }),
    auditEntriesPruned: new Counter({
      name: 'wecom_audit_entries_pruned_total',
      help: 'Audit entries older than the retention, deleted by the retention job',
      registers: [registry],
    }),
    botConnection: new Gauge({
      name: 'wecom_bot_connection',
      help: "This process's hold on the smart bot's long connection: 1 for its state (standby, connecting, connected)",
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}

/** Callbacks waiting in the spool, read from Redis when Prometheus scrapes. */
export function registerSpoolDepth(metrics: Metrics, length: () => Promise<number>): void {
  new Gauge({
    name: 'wecom_callback_spool_length',
    help: 'Callbacks waiting in the Redis spool for the database',
    registers: [metrics.registry],
    async collect() {
      try {
        this.set(await length());
      } catch {
        // Redis unreachable: /readyz reports it.
      }
    },
  });
}

/** `crm_config_warning{code}` = 1 for each configuration warning (e.g. no_admins), so an alert rule can see it. */
export function registerConfigWarnings(metrics: Metrics, codes: string[]): void {
  const gauge = new Gauge({
    name: 'crm_config_warning',
    help: 'Configuration warnings (1 = present), by code',
    labelNames: ['code'],
    registers: [metrics.registry],
  });
  for (const code of codes) gauge.set({ code }, 1);
}

/** Queue depth is read from Redis when Prometheus scrapes, not tracked by hand. */
export function registerQueueDepth(metrics: Metrics, queues: QueueSet): void {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      for (const queue of queues.all()) {
        try {
          const counts = await queue.getJobCounts();
          for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
        } catch {
          // Redis unreachable: /readyz reports it; the scrape itself must still succeed.
        }
      }
    },
  });
}
