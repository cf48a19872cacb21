import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { fromItem, isLinkItem } from './dynamodb-profile-store';

/** Parallel Scan: each worker pages through its own segment, one page (≤ 1 MB) at a time. */
export class DynamoDbProfileScanner implements ProfileScanner {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *scan(segment: number, totalSegments: number): AsyncIterable<Profile[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          ExclusiveStartKey: start,
        }),
      );
      yield (page.Items ?? []).filter((item) => !isLinkItem(item)).map((item) => fromItem(item).profile);
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** DescribeTable's ItemCount: updated by DynamoDB about every six hours, so an estimate only. */
  async approximateCount(): Promise<number> {
    const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
    return Table?.ItemCount ?? 0;
  }
}
