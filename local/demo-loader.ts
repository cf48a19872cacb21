/** Sends demo traffic through the public ingestion API, as a shop's site would. */
export interface DemoLoadResult {
  readonly batches: number;
  readonly accepted: number;
  readonly rejected: number;
}

export const sendInBatches = async (
  url: string,
  writeKey: string,
  messages: readonly unknown[],
  options: { batchSize?: number; parallel?: number } = {},
): Promise<DemoLoadResult> => {
  const batchSize = options.batchSize ?? 250;
  const batches: unknown[][] = [];
  for (let i = 0; i < messages.length; i += batchSize) batches.push(messages.slice(i, i + batchSize));
  let accepted = 0;
  let rejected = 0;
  let next = 0;
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const res = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
      const body = (await res.json()) as { accepted?: number; rejected?: unknown[]; message?: string };
      if (res.status !== 200) throw new Error(`demo batch failed with ${res.status}: ${body.message ?? ''}`);
      accepted += body.accepted ?? 0;
      rejected += body.rejected?.length ?? 0;
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 4 }, worker));
  return { batches: batches.length, accepted, rejected };
};
