import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CallRecord {
  readonly command: string;
  readonly table: string;
  readonly capacity: number;
}

/**
 * Counts every DynamoDB request and the capacity units the emulator reports for it
 * (dynalite applies DynamoDB's rules: 1 WCU a KB written, 1 RCU per 4 KB read consistently).
 */
export const dynamoMeter = () => {
  const calls: CallRecord[] = [];
  const attach = (client: DynamoDBDocumentClient) => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
          TableName?: string;
          CapacityUnits?: number;
        }[];
        const command = String(context.commandName).replace(/Command$/, '');
        if (list.length === 0) calls.push({ command, table: '?', capacity: 0 });
        for (const c of list)
          calls.push({ command, table: c.TableName ?? '?', capacity: c.CapacityUnits ?? 0 });
        return result;
      },
      { step: 'initialize', name: 'dynamoMeter' },
    );
  };
  const summary = (predicate: (c: CallRecord) => boolean = () => true) => {
    const selected = calls.filter(predicate);
    return { requests: selected.length, capacity: selected.reduce((n, c) => n + c.capacity, 0) };
  };
  return { attach, calls, summary, reset: () => calls.splice(0) };
};
