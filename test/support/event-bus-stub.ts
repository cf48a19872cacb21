/**
 * A stand-in for the EventBridge API, for the functions that publish "Segment Changed" events:
 * an HTTP server that answers PutEvents as EventBridge does (AWS JSON 1.1) and keeps every entry,
 * so the real SDK client and publisher run and a test can read what was announced.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

export interface PublishedEvent {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

export interface EventBusStub {
  /** The endpoint to give the SDK (EVENTBRIDGE_ENDPOINT). */
  readonly url: string;
  /** Every entry put so far, in order. */
  readonly events: PublishedEvent[];
  /** The changes announced on a bus, parsed from the entries' details. */
  changes(busName: string): SegmentChange[];
  close(): Promise<void>;
}

const JSON_1_1 = { 'content-type': 'application/x-amz-json-1.1' };

export const startEventBusStub = async (): Promise<EventBusStub> => {
  const events: PublishedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        res.writeHead(400, JSON_1_1);
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `not stubbed: ${target}` }));
        return;
      }
      const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Entries?: PublishedEvent[];
      };
      const first = events.length;
      events.push(...Entries);
      res.writeHead(200, JSON_1_1);
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: Entries.map((_, i) => ({ EventId: `stub-${first + i}` })),
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    changes: (busName) =>
      events
        .filter((e) => e.EventBusName === busName && e.DetailType === 'Segment Changed')
        .map((e) => JSON.parse(e.Detail) as SegmentChange),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
