/**
 * The network between the browser and the service: an HTTP relay that forwards every request
 * (preflights included) and the service's answer as they are, records each exchange, and can
 * lose the answer to a chosen delivery after the service has processed it: the browser gets a
 * 503 (with the service's CORS headers, so the SDK sees the status) and its SDK must retry. It
 * says it is a proxy (X-Forwarded-Host/-Proto), so the settings the service answers point the
 * SDKs back at the relay. No mocks: the service answers every request itself.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The answer the browser did not get: the relay answered 503 instead. */
  readonly lost: boolean;
  upstreamStatus?: number;
  upstreamBody?: unknown;
}

export interface Relay {
  readonly url: string;
  readonly exchanges: Exchange[];
  /** Loses the answer to the first delivery for which `match` holds (each call arms one loss). */
  loseFirst(match: (exchange: Exchange) => boolean): void;
  /** Resolves once no request has been in flight for `ms`. */
  quiet(ms?: number): Promise<void>;
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export const startRelay = async (target: string): Promise<Relay> => {
  const exchanges: Exchange[] = [];
  const losses: ((exchange: Exchange) => boolean)[] = [];
  let inFlight = 0;
  let lastActivity = Date.now();
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const probe = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        lost: false,
      };
      const lossIndex = losses.findIndex((match) => match(probe));
      if (lossIndex >= 0) losses.splice(lossIndex, 1);
      const exchange: Exchange = { ...probe, lost: lossIndex >= 0 };
      exchanges.push(exchange);
      const headers: Record<string, string> = {
        'x-forwarded-host': req.headers.host ?? '',
        'x-forwarded-proto': 'http',
      };
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined && !HOP_HEADERS.has(name))
          headers[name] = Array.isArray(value) ? value.join(',') : value;
      try {
        const upstream = await fetch(`${target}${exchange.path}`, {
          method: exchange.method,
          headers,
          ...(exchange.body.length > 0 ? { body: exchange.body } : {}),
        });
        const text = await upstream.text();
        exchange.upstreamStatus = upstream.status;
        try {
          exchange.upstreamBody = JSON.parse(text);
        } catch {
          exchange.upstreamBody = text;
        }
        const answer: Record<string, string> = {};
        upstream.headers.forEach((value, name) => {
          if (!HOP_HEADERS.has(name) && name !== 'content-encoding') answer[name] = value;
        });
        if (exchange.lost) {
          const cors = Object.fromEntries(
            Object.entries(answer).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
          );
          res
            .writeHead(503, { ...cors, 'content-type': 'application/json' })
            .end('{"error":"lost_response","message":"the relay lost the answer"}');
        } else res.writeHead(upstream.status, answer).end(text);
      } catch {
        res.writeHead(502).end();
      } finally {
        inFlight -= 1;
        lastActivity = Date.now();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    loseFirst: (match) => {
      losses.push(match);
    },
    quiet: async (ms = 1_000) => {
      while (inFlight > 0 || Date.now() - lastActivity < ms) await new Promise((r) => setTimeout(r, 50));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
