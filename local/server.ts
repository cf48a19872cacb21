/**
 * `npm start`: the whole service on this machine, no AWS account. Configuration by
 * environment: PORT, DATA_DIR, WRITE_KEY, READ_KEY, ADMIN_KEY, BROWSER_KEYS, PUBLIC_API_URL, NOW,
 * DEMO=0, LOG_LEVEL, the CLV_*
 * settings, and the retrain's limits by the variables the stack sets (SNAPSHOT_WORKERS,
 * MAX_TRAINING_ROWS, MAP_CONCURRENCY, …: shared/contract/retrain-limits.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { logLevelFromEnv } from '#shared/adapters/json-logger';
import { clvSettingsFromEnv, retrainSettingsFromEnv } from '#shared/adapters/runtime-config';
import { parseBrowserKeys } from '#shared/contract/browser-keys';
import { clockFromEnv } from '#shared/kernel/ports/clock';
import { demoTraffic } from './demo-data';
import { sendInBatches } from './demo-loader';
import { startLocalService } from './local-service';

const env = process.env;
const port = Number(env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  throw new Error(`PORT must be a port number, got "${env.PORT}"`);
const dataDir = resolve(env.DATA_DIR ?? '.data');
const writeKey = env.WRITE_KEY ?? 'local-write-key';
const readKey = env.READ_KEY ?? 'local-read-key';
const adminKey = env.ADMIN_KEY ?? 'local-admin-key';
// Read before the service starts, so a bad value stops `npm start` naming the key or origin.
const browserKeys = parseBrowserKeys(env.BROWSER_KEYS);
mkdirSync(dataDir, { recursive: true });
const clv = clvSettingsFromEnv(env);
// Read before the service starts, so a bad value stops `npm start` with the variable's name.
const retrain = retrainSettingsFromEnv(env);

const service = await startLocalService({
  port,
  dataDir,
  writeKey,
  readKey,
  adminKey,
  browserKeys,
  ...(env.PUBLIC_API_URL ? { publicApiUrl: env.PUBLIC_API_URL } : {}),
  ...(env.NOW ? { now: env.NOW } : {}),
  logLevel: logLevelFromEnv(env.LOG_LEVEL ?? 'warn'),
  clv,
  retrain,
});
const { url } = service;

const shutdown = async (signal: string) => {
  process.stdout.write(`\n${signal}: shutting down…\n`);
  await service.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

const now = new Date().toISOString();
process.stdout.write(`
Segmentation service running at ${url}   (data: ${dataDir}; Ctrl-C to stop)
  write key: ${writeKey}   read key: ${readKey}   admin key: ${adminKey}

Dashboard (marketers): ${url}/dashboard#key=${encodeURIComponent(readKey)}
  to edit segment policies, open it with the admin key: ${url}/dashboard#key=${encodeURIComponent(adminKey)}

Send an event:
  curl -s -u ${writeKey}: ${url}/v1/track -H 'content-type: application/json' \\
    -d '{"userId":"alice","event":"Order Completed","timestamp":"${now}","properties":{"order_id":"A-1001","revenue":42.5,"currency":"USD","products":[{"product_id":"sku-1","category":"Books","price":42.5}]}}'

Read the profile:
  curl -s ${url}/v1/users/alice/profile -H 'authorization: Bearer ${readKey}'
${env.DEMO !== '0' ? `\nA demo shopper:\n  curl -s ${url}/v1/users/demo-user-0001/profile -H 'authorization: Bearer ${readKey}'\n` : ''}`);

// Built now, in the background, so the first visit does not wait for esbuild.
service
  .prepareDashboard()
  .catch((error: Error) => process.stderr.write(`Dashboard build failed: ${error.message}\n`));

const marker = join(dataDir, 'demo-loaded.json');
if (env.DEMO !== '0' && !existsSync(marker)) {
  const end = clockFromEnv(env.NOW).now();
  const { shoppers, messages } = demoTraffic({ end });
  process.stdout.write(
    `Loading the demo: ${shoppers.length} shoppers, ${messages.length} events through POST /v1/batch…\n`,
  );
  const started = Date.now();
  // Grouped by shopper, as a backfill would send them: one profile write per shopper per
  // batch instead of one per event. Demo messageIds are deterministic, so an interrupted
  // load can simply run again.
  const byShopper = [...messages].sort(
    (a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp),
  );
  const result = await sendInBatches(url, writeKey, byShopper);
  writeFileSync(
    marker,
    JSON.stringify({ loadedAt: new Date().toISOString(), end: end.toISOString(), ...result }, null, 2),
  );
  process.stdout.write(
    `Demo loaded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.accepted} events accepted.\n`,
  );
} else if (existsSync(marker)) {
  const info = JSON.parse(readFileSync(marker, 'utf8')) as { loadedAt?: string };
  process.stdout.write(`Reusing data in ${dataDir} (demo loaded ${info.loadedAt ?? 'earlier'}).\n`);
}

// The schedule becomes a timer: retrain once now (after the demo), then every
// RETRAIN_INTERVAL_MINUTES; between retrains, a drift check every DRIFT_CHECK_MINUTES
// retrains early when the population has moved.
const minutes = (value: string | undefined, fallback: number) => {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const report = (
  label: string,
  run: { outcome: string; reason: string; k: number | null } | null | undefined,
) => {
  if (run) process.stdout.write(`${label}: ${run.outcome} (${run.reason})${run.k ? `, K = ${run.k}` : ''}\n`);
};
if (env.RETRAIN !== '0') {
  service
    .retrain('schedule')
    .then((run) => report('Initial retrain', run))
    .catch((error: Error) => process.stderr.write(`Initial retrain failed: ${error.message}\n`));
  setInterval(
    () =>
      void service.retrain('schedule').then(
        (run) => report('Scheduled retrain', run),
        (error: Error) => process.stderr.write(`Scheduled retrain failed: ${error.message}\n`),
      ),
    minutes(env.RETRAIN_INTERVAL_MINUTES, 60) * 60_000,
  ).unref();
  setInterval(
    () =>
      void service.checkDrift().then(
        (check) => report('Drift retrain', check.retrain),
        (error: Error) => process.stderr.write(`Drift check failed: ${error.message}\n`),
      ),
    minutes(env.DRIFT_CHECK_MINUTES, 15) * 60_000,
  ).unref();
}
