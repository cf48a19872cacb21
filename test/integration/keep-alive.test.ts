/**
 * Issue 12, hole 7: a request sent on a kept-alive connection must never be dropped. A server
 * that closes idle connections on a timer races every client that reuses one at that moment
 * ("other side closed"); clients that keep idle connections longer than Node's default 5 s
 * (urllib3, OkHttp, Go, load balancers) meet that race every time. This client ignores any
 * hint and reuses its connection after 6 s of silence, as those clients do.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { order } from '../support/events';
import { basicAuth, keys, useLocalService } from '../support/local-service';

const svc = useLocalService({ now: '2025-07-01T00:00:00Z' });

/** One HTTP/1.1 exchange on an open socket: resolves with the status, or how the socket ended. */
const exchange = (socket: Socket, request: string): Promise<number | 'closed'> =>
  new Promise((resolve) => {
    let text = '';
    const done = (result: number | 'closed') => {
      socket.off('data', onData).off('close', onClose).off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length - end - 4 >= length) done(Number(text.slice(9, 12)));
    };
    const onClose = () => done('closed');
    socket.on('data', onData).on('close', onClose).on('error', onClose);
    if (!socket.destroyed) socket.write(request);
    else done('closed');
  });

const post = (host: string, body: string) =>
  `POST /v1/batch HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\nAuthorization: ${basicAuth()}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('kept-alive connections', () => {
  it('answers a request sent on a connection left idle past Node’s default keep-alive', async () => {
    const { hostname: host, port } = new URL(svc.url);
    const socket = connect(Number(port), host);
    await new Promise((resolve) => socket.once('connect', resolve));
    try {
      const first = JSON.stringify({ batch: [order('kept-alive', 'ka-1', 10, '2025-06-30T10:00:00Z')] });
      expect(await exchange(socket, post(host, first))).toBe(200);
      await sleep(6_000);
      const second = JSON.stringify({ batch: [order('kept-alive', 'ka-2', 12, '2025-06-30T11:00:00Z')] });
      expect(await exchange(socket, post(host, second))).toBe(200);
    } finally {
      socket.destroy();
    }
    const profile = await fetch(`${svc.url}/v1/users/kept-alive/profile`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expect(((await profile.json()) as { orders: number }).orders).toBe(2);
  });
});
