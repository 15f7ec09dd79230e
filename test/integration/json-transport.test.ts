import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { JsonTransport } from '../../src/platform/wecom/api/json-transport';

/**
 * WeCom's JSON transport against a real HTTP server on loopback (no database). nock is switched off
 * here: its interception of http.request opens a new connection for every request, and keep-alive
 * is what this file checks. Only loopback is called.
 */
describe('JsonTransport', () => {
  let server: http.Server;
  let base: string;
  const sockets = new Set<string>();
  let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

  beforeAll(async () => {
    nock.restore();
    server = http.createServer((req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    nock.activate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => sockets.clear());

  it('sends the body as UTF-8 with its length, returns status and text, and keeps one connection for calls in turn', async () => {
    handler = (req, res, body) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, echo: body, type: req.headers['content-type'], length: Number(req.headers['content-length']) }));
    };
    const transport = new JsonTransport();
    const payload = JSON.stringify({ text: { content: '欢迎光临，王磊' } });
    for (let i = 0; i < 5; i++) {
      const answer = await transport.request(new URL(`${base}/cgi-bin/externalcontact/send_welcome_msg?access_token=T`), {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: payload,
        timeoutMs: 2000,
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ errcode: 0, echo: payload, type: 'application/json; charset=utf-8', length: Buffer.byteLength(payload) });
    }
    expect([...sockets]).toHaveLength(1);
    transport.close();
  });

  it('gives up at its timeout, also when the headers came and the body did not', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"errcode":');
      // the rest never comes
    };
    const transport = new JsonTransport();
    const started = Date.now();
    await expect(transport.request(new URL(`${base}/slow`), { method: 'GET', timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
    transport.close();
  });

  it('passes on an HTTP error status with its body, and a refused connection as an error', async () => {
    handler = (_req, res) => {
      res.statusCode = 502;
      res.end('Bad Gateway');
    };
    const transport = new JsonTransport();
    expect(await transport.request(new URL(`${base}/x`), { method: 'GET', timeoutMs: 2000 })).toEqual({ status: 502, text: 'Bad Gateway' });
    await expect(transport.request(new URL('http://127.0.0.1:1/x'), { method: 'GET', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    transport.close();
  });

  it('does not send on a kept-alive connection the server closed while idle', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls += 1;
      res.end('{"errcode":0}');
      // The server drops the connection right after answering, without saying so (no Connection: close),
      // as a load balancer that times out idle connections does.
      if (calls === 1) setImmediate(() => req.socket.destroy());
    };
    const transport = new JsonTransport();
    expect((await transport.request(new URL(`${base}/a`), { method: 'POST', body: '{}', timeoutMs: 2000 })).text).toBe('{"errcode":0}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await transport.request(new URL(`${base}/b`), { method: 'POST', body: '{}', timeoutMs: 2000 })).text).toBe('{"errcode":0}');
    expect(calls).toBe(2);
    transport.close();
  });

  it('sends once more, on a new connection, when a reused connection is reset before any answer', async () => {
    const perSocket = new Map<unknown, number>();
    let answered = 0;
    handler = (req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // the second request on a connection finds it closed (the server timed it out as it arrived)
      if (n === 2) return req.socket.destroy();
      answered += 1;
      res.end('{"errcode":0}');
    };
    const transport = new JsonTransport();
    await transport.request(new URL(`${base}/a`), { method: 'POST', body: '{}', timeoutMs: 2000 });
    expect((await transport.request(new URL(`${base}/b`), { method: 'POST', body: '{}', timeoutMs: 2000 })).text).toBe('{"errcode":0}');
    expect(answered).toBe(2);
    expect(perSocket.size).toBe(2);
    transport.close();
  });
});
