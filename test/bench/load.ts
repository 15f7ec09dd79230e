import { Agent, request } from 'node:http';

/** A small closed-loop HTTP load generator over loopback (bounded in count; stops by itself). */
export interface LoadResult {
  concurrency: number;
  requests: number;
  failures: number;
  seconds: number;
  throughput: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

export interface PreparedRequest {
  path: string;
  body: string;
}

/**
 * POSTs over keep-alive loopback connections, answering the status: the load generator shares the
 * cores with what it measures, and global fetch costs several times the CPU of node:http per request.
 */
export function createPoster(maxSockets: number): { post(port: number, req: PreparedRequest): Promise<number>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    post: (port, req) =>
      new Promise<number>((resolve, reject) => {
        const r = request(
          {
            host: '127.0.0.1',
            port,
            path: req.path,
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(req.body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        r.on('error', reject);
        r.end(req.body);
      }),
    close: () => agent.destroy(),
  };
}

/** `port`: one, or several (several web processes): connection i goes to port i mod n. */
export async function runLoad(port: number | number[], requests: PreparedRequest[], concurrency: number): Promise<LoadResult> {
  const ports = Array.isArray(port) ? port : [port];
  const poster = createPoster(concurrency);
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const one = async (req: PreparedRequest, target: number) => {
    const t0 = process.hrtime.bigint();
    const status = await poster.post(target, req).catch(() => 0);
    if (status === 0) {
      failures += 1;
      return;
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (status !== 200) failures += 1;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async (_, connection) => {
      while (next < requests.length) await one(requests[next++]!, ports[connection % ports.length]!);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  poster.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    concurrency,
    requests: requests.length,
    failures,
    seconds: round(seconds),
    throughput: Math.round(requests.length / seconds),
    p50ms: round(at(0.5)),
    p99ms: round(at(0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
