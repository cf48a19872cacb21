/**
 * The lookup latency bench's probes inside the service (see lookup-latency.ts), through what
 * startLocalService offers (decoratePorts, instrumentDynamo): the duration of every profile read the
 * handler awaits, the handler's start, the service's DynamoDB requests by command, and from those
 * the handler's own compute per lookup.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalServiceOptions } from '#local/local-service';
import type { JsonLogger } from '#shared/adapters/json-logger';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';

const LOOKUP_ROUTE = 'GET /v1/users/{userId}/segment';

/** Times every profile read the handler awaits, so its compute can be told apart from its I/O. */
export const profileReadTimer = () => {
  let samples: number[] | undefined;
  let onRead: ((ms: number) => void) | undefined;
  const timed =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const t0 = performance.now();
      try {
        return await read(...args);
      } finally {
        const ms = performance.now() - t0;
        samples?.push(ms);
        onRead?.(ms);
      }
    };
  const wrap = (inner: ProfileStore): ProfileStore => ({
    get: timed((shopperId: string) => inner.get(shopperId)),
    getRecord: timed((shopperId: string) => inner.getRecord(shopperId)),
    put: (profile, pendingKeys, expectedVersion, linking) =>
      inner.put(profile, pendingKeys, expectedVersion, linking),
    putLink: (shopperId, link, expectedVersion) => inner.putLink(shopperId, link, expectedVersion),
  });
  return {
    wrap,
    /** Keeps every read's duration until the returned function is called, which hands them over. */
    record: (): (() => Float64Array) => {
      samples = [];
      return () => {
        const kept = Float64Array.from(samples ?? []);
        samples = undefined;
        return kept;
      };
    },
    onRead: (listener: ((ms: number) => void) | undefined) => {
      onRead = listener;
    },
  };
};

/**
 * Calls `onStart` when the read-api handler begins a lookup: its first act is to derive its request logger
 * from the one it was built with (the child named `function: read-api`).
 */
export const handlerStartProbe = (logger: JsonLogger, onStart: () => void): JsonLogger => ({
  ...logger,
  child: (fields) => {
    const child = logger.child(fields);
    if (fields.function !== 'read-api') return child;
    return {
      ...child,
      child: (requestFields) => {
        if (requestFields.route === LOOKUP_ROUTE) onStart();
        return child.child(requestFields);
      },
    };
  },
});

/** Counts the service's DynamoDB requests by command, to confirm a lookup makes exactly one GetItem. */
export const dynamoCounter = () => {
  const counts = new Map<string, number>();
  const attach: NonNullable<LocalServiceOptions['instrumentDynamo']> = (client) =>
    client.middlewareStack.add(
      (next, context) => (args) => {
        const command = String(context.commandName).replace(/Command$/, '');
        counts.set(command, (counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchDynamoCounter' },
    );
  return { counts, attach };
};

/**
 * Handler compute per lookup: from the handler's start to the bridge receiving its response (the
 * `writeHead` that follows right after), minus the profile read it awaits. Only meaningful one request at
 * a time: under load those marks would also span whatever else the shared loop ran meanwhile.
 */
export const handlerComputeProbe = (serviceUrl: string, reads: ReturnType<typeof profileReadTimer>) => {
  const port = Number(new URL(serviceUrl).port);
  const samples: number[] = [];
  let current: { start?: number; readMs: number } | undefined;
  let unobserved = 0;
  const onRequest = (message: unknown) => {
    const { server, response } = message as {
      request: IncomingMessage;
      response: ServerResponse;
      server: Server;
    };
    if ((server.address() as AddressInfo | null)?.port !== port) return;
    const record = { readMs: 0 } as { start?: number; readMs: number };
    current = record;
    const writeHead = response.writeHead;
    response.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
      const end = performance.now();
      if (record.start === undefined) unobserved += 1;
      else if (args[0] === 200) samples.push(1000 * (end - record.start - record.readMs));
      return Reflect.apply(writeHead, response, args);
    }) as ServerResponse['writeHead'];
  };
  return {
    onHandlerStart: () => {
      if (current) current.start ??= performance.now();
    },
    start: () => {
      subscribe('http.server.request.start', onRequest);
      reads.onRead((ms) => {
        if (current) current.readMs += ms;
      });
    },
    /** Microseconds per lookup, and how many lookups passed without the handler start being seen. */
    stop: (): { computeUs: Float64Array; unobserved: number } => {
      unsubscribe('http.server.request.start', onRequest);
      reads.onRead(undefined);
      current = undefined;
      return { computeUs: Float64Array.from(samples.splice(0)), unobserved };
    },
  };
};
