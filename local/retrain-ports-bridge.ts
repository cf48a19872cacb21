/**
 * The retrain's ports across a thread boundary. The worker that runs a retrain calls them as if
 * they were its own; every call crosses to the service's thread and runs there on the service's
 * adapters, so whatever the service or a test wraps around them (a logger, an injected fault)
 * applies to the run exactly as when it ran on the service's thread. Only the job handlers' own
 * computing (features, backtest, K-means, gzip and JSON of the snapshot) moves to the worker.
 * The clock is the one exception: its reading is synchronous, so the worker builds the same
 * clock from the same setting (a pinned NOW stays pinned).
 */
import type { MessagePort } from 'node:worker_threads';
import type { Profile } from '#shared/ingestion/domain/profile';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { RetrainPorts } from '#shared/segmentation/usecases/run-retrain/run-retrain';

type Target = 'objects' | 'assignments' | 'publisher' | 'scanner' | 'exposures' | 'profileRecords';
type Level = keyof Logger;

type Request =
  | {
      readonly kind: 'call';
      readonly id: number;
      readonly target: Target;
      readonly method: string;
      readonly args: unknown[];
    }
  | {
      readonly kind: 'log';
      readonly level: Level;
      readonly message: string;
      readonly fields?: Record<string, unknown>;
    };

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly $metadata?: unknown;
  readonly $fault?: unknown;
  readonly code?: unknown;
}

/** What of an error survives the crossing: what callers branch on and what errorFields logs. */
export const toWireError = (error: unknown): WireError => {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const extra = error as Error & { $metadata?: unknown; $fault?: unknown; code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(extra.$metadata !== undefined ? { $metadata: structuredClone(extra.$metadata) } : {}),
    ...(extra.$fault !== undefined ? { $fault: extra.$fault } : {}),
    ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
  };
};

export const fromWireError = (wire: WireError): Error => Object.assign(new Error(wire.message), wire);

/** Serves the worker's calls on `ports`, on this thread. Returns a function that stops serving. */
export const serveRetrainPorts = (channel: MessagePort, ports: () => RetrainPorts): (() => void) => {
  const scans = new Map<number, AsyncIterator<Profile[]>>();
  let nextScan = 0;
  const call = async (target: Target, method: string, args: unknown[]): Promise<unknown> => {
    const current = ports();
    if (target === 'scanner' && method === 'approximateCount') return current.scanner.approximateCount();
    if (target === 'scanner') {
      // A scan is pulled page by page, so the worker's pace sets how many pages are in flight.
      if (method === 'open') {
        const id = nextScan++;
        const [segment, total] = args as [number, number];
        scans.set(id, current.scanner.scan(segment, total)[Symbol.asyncIterator]());
        return id;
      }
      const id = args[0] as number;
      const scan = scans.get(id);
      if (!scan && method === 'return') return { done: true };
      if (!scan) throw new Error(`no scan ${id}`);
      const step = method === 'next' ? await scan.next() : await scan.return?.();
      if (!step || step.done || method === 'return') scans.delete(id);
      return step ? { done: step.done ?? false, value: step.done ? undefined : step.value } : { done: true };
    }
    const port = current[target] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = port[method];
    if (typeof fn !== 'function') throw new Error(`${target} has no method ${method}`);
    return fn.apply(port, args);
  };
  const onMessage = (request: Request) => {
    if (request.kind === 'log') {
      ports().logger[request.level](request.message, request.fields);
      return;
    }
    const fail = (error: unknown) =>
      channel.postMessage({ id: request.id, ok: false, error: toWireError(error) } satisfies Reply);
    call(request.target, request.method, request.args).then((value) => {
      try {
        channel.postMessage({ id: request.id, ok: true, value } satisfies Reply);
      } catch (error) {
        // An answer that cannot cross (not cloneable) fails the call rather than leave it waiting.
        fail(error);
      }
    }, fail);
  };
  channel.on('message', onMessage);
  // The service's thread may exit while the channel is open: the worker is the one waiting on it.
  channel.unref();
  return () => {
    channel.off('message', onMessage);
    for (const scan of scans.values()) void scan.return?.();
    scans.clear();
  };
};

/** The worker's side: RetrainPorts whose calls are answered by serveRetrainPorts. */
export const remoteRetrainPorts = (channel: MessagePort, clock: Clock): RetrainPorts => {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  channel.on('message', (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(fromWireError(reply.error));
  });
  const call = <T>(target: Target, method: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      channel.postMessage({ kind: 'call', id, target, method, args } satisfies Request);
    });
  const log =
    (level: Level) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const request: Request = { kind: 'log', level, message, ...(fields ? { fields } : {}) };
      try {
        channel.postMessage(request);
      } catch {
        // Fields that cannot be cloned (a function, a class instance) go as their JSON.
        channel.postMessage({ ...request, fields: JSON.parse(JSON.stringify(fields ?? {})) });
      }
    };
  /** Every method of the port, whatever the interface grows, becomes a call to the service's thread. */
  const remote = <T extends object>(target: Target): T =>
    new Proxy({} as T, {
      get: (_, method) =>
        // Not a thenable: awaiting the port itself must not turn into a call.
        typeof method === 'string' && method !== 'then'
          ? (...args: unknown[]) => call(target, method, ...args)
          : undefined,
    });
  return {
    objects: remote('objects'),
    assignments: remote('assignments'),
    publisher: remote('publisher'),
    exposures: remote('exposures'),
    profileRecords: remote('profileRecords'),
    scanner: {
      scan: (segment, total) => ({
        [Symbol.asyncIterator]: () => {
          const opened = call<number>('scanner', 'open', segment, total);
          return {
            next: async () => call<IteratorResult<Profile[]>>('scanner', 'next', await opened),
            return: async () => call<IteratorResult<Profile[]>>('scanner', 'return', await opened),
          };
        },
      }),
      approximateCount: () => call<number>('scanner', 'approximateCount'),
    },
    clock,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
};
