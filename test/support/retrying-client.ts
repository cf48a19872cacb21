/**
 * A Segment-style ingestion client that resends a batch until it gets a 2xx, as the official
 * clients do: 5xx and 429 answers and connection errors (server down, connection reset by a
 * crash) are retried with a short backoff until a deadline. Each attempt is exposed, with the
 * moment its bytes were handed to the OS, so a test can crash the server at that point.
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export type AttemptResult =
  | { readonly kind: 'answer'; readonly status: number; readonly body: Record<string, unknown> }
  | { readonly kind: 'error'; readonly code: string };

export interface Attempt {
  /** Resolves once the whole request (headers and body) was handed to the OS. */
  readonly sent: Promise<void>;
  readonly result: Promise<AttemptResult>;
  /** True once the result is known (answer or error). */
  readonly settled: () => boolean;
}

/** One POST on a fresh connection (no keep-alive: a restarted server gets new sockets). */
export const postOnce = (
  url: string,
  path: string,
  payload: unknown,
  headers: Record<string, string>,
  timeoutMs = 20_000,
): Attempt => {
  const body = Buffer.from(JSON.stringify(payload));
  let done = false;
  let markSent: () => void = () => {};
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const result = new Promise<AttemptResult>((resolve) => {
    const finish = (value: AttemptResult) => {
      if (done) return;
      done = true;
      markSent();
      resolve(value);
    };
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          finish({ kind: 'error', code: error.code ?? 'EBODY' }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { unparsed: text };
          }
          finish({ kind: 'answer', status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'error', code: error.code ?? error.message }),
    );
    // 'finish': the last bytes of the request were handed to the operating system.
    req.end(body, () => markSent());
  });
  return { sent, result, settled: () => done };
};

export interface Delivery {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Every attempt's outcome, the last one the 2xx: e.g. ['ECONNRESET', 'ECONNREFUSED', '200']. */
  readonly attempts: string[];
}

export interface DeliverOptions {
  readonly headers: Record<string, string>;
  /** Give up (throw) when no 2xx came within this long. */
  readonly deadlineMs?: number;
  /** Sees each attempt as it starts (e.g. to crash the server once its bytes are sent). */
  readonly onAttempt?: (index: number, attempt: Attempt) => void;
}

/** POST /v1/batch until a 2xx answer; a 4xx other than 429 is the caller's bug and throws. */
export const deliverBatch = async (
  url: string,
  batch: unknown[],
  options: DeliverOptions,
): Promise<Delivery> => {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  const attempts: string[] = [];
  for (let index = 0; ; index++) {
    const attempt = postOnce(url, '/v1/batch', { batch }, options.headers);
    options.onAttempt?.(index, attempt);
    const result = await attempt.result;
    if (result.kind === 'answer') {
      attempts.push(String(result.status));
      if (result.status >= 200 && result.status < 300)
        return { status: result.status, body: result.body, attempts };
      if (result.status < 500 && result.status !== 429)
        throw new Error(`batch refused with ${result.status}: ${JSON.stringify(result.body)}`);
    } else {
      attempts.push(result.code);
    }
    if (Date.now() > deadline)
      throw new Error(`no 2xx answer after ${attempts.length} attempts: ${attempts.join(', ')}`);
    await sleep(Math.min(25 * 2 ** Math.min(index, 4), 400));
  }
};
