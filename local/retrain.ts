/**
 * `npm run retrain`: retrain now, as starting the stack's retrain state machine would (the same
 * job handlers, in the same order: local/retrain-pipeline.ts). Asks the running local server
 * (`npm start`, POST /local/retrain) to do it; when none is running, starts the local runtime on
 * DATA_DIR itself, retrains and stops.
 */
import { resolve } from 'node:path';
import { clvSettingsFromEnv, retrainSettingsFromEnv } from '#shared/adapters/runtime-config';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import { startLocalService } from './local-service';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const adminKey = env.ADMIN_KEY ?? 'local-admin-key';

const print = (run: RetrainRun) => {
  process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(
    `\nRetrain ${run.runId}: ${run.outcome} (${run.reason})${run.k ? `, K = ${run.k}` : ''}\n`,
  );
};

const viaServer = async (): Promise<RetrainRun | undefined> => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/local/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const body = (await res.json()) as RetrainRun & { message?: string };
    if (!res.ok) throw new Error(`the local server answered ${res.status}: ${body.message ?? ''}`);
    return body;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return undefined;
    throw error;
  }
};

const run = await viaServer();
if (run) print(run);
else {
  const service = await startLocalService({
    port: 0,
    dataDir: resolve(env.DATA_DIR ?? '.data'),
    writeKey: env.WRITE_KEY ?? 'local-write-key',
    readKey: env.READ_KEY ?? 'local-read-key',
    adminKey,
    ...(env.NOW ? { now: env.NOW } : {}),
    logLevel: 'info',
    // The settings `npm start` would run with, so both retrain alike.
    clv: clvSettingsFromEnv(env),
    retrain: retrainSettingsFromEnv(env),
  });
  try {
    print(await service.retrain('manual'));
  } finally {
    await service.close();
  }
}
