/**
 * Issue 12: the real local server (`local/server.ts` in a child process, data on disk in
 * DATA_DIR) is killed with SIGKILL at seeded points of an ingest stream sent by a retrying
 * client, and restarted on the same DATA_DIR; at the end every profile must equal the one a
 * reference service computed from each batch delivered once.
 *
 * Kill points are chosen by progress (see test/support/crash-plan.ts): the first attempt of a
 * seeded choice of new batches, killed as soon as its bytes are sent, after part of its writes
 * reached DynamoDB (watched in dynalite's write-ahead log, so "mid-ingest" does not depend on
 * timing luck), or right after its 2xx. The client resends until it gets a 2xx; the retry's
 * `duplicates` (against the reference's for the same batch) tells how much of the killed
 * request had been applied. Finally the server is killed once more after the last answer, and
 * the whole stream is replayed: every event must be a duplicate and no profile may change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service';
import { crashPlan, type KillMode } from '../support/crash-plan';
import { basicAuth, getProfile, keys, postBatch } from '../support/local-service';
import { type Attempt, deliverBatch } from '../support/retrying-client';
import {
  dynamoLogBytes,
  freePort,
  killAllServerProcesses,
  type ServerProcess,
  startServerProcess,
} from '../support/server-process';

const NOW = '2025-07-01T00:00:00Z';
const SEED = Number(process.env.CRASH_SEED ?? 12);

interface KillRecord {
  readonly delivery: number;
  readonly batch: number;
  readonly mode: KillMode;
  /** Per SIGKILL: DynamoDB log bytes the killed server had written for this request (read once dead). */
  readonly bytesBeforeKill: number[];
  /** The killed attempt had already been answered 2xx (nothing to retry). */
  readonly acknowledged: boolean;
  /** Attempts of the delivery: the killed one, connection errors while down, the 2xx. */
  readonly attempts: string[];
  outcome?: 'acknowledged' | 'not applied' | 'partly applied' | 'applied, unanswered';
}

describe('crash recovery: SIGKILL of the real local server during ingest', () => {
  let dataDir: string | undefined;
  let reference: LocalService | undefined;

  afterAll(async () => {
    await killAllServerProcesses();
    await reference?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`seed ${SEED}: after kills at seeded points and restarts on the same DATA_DIR, profiles equal one delivery`, async () => {
    const started = Date.now();
    const plan = crashPlan({
      seed: SEED,
      shoppers: 14,
      batches: 22,
      batchSize: 40,
      orderPool: 12,
      replayRate: 0.25,
      kills: ['sent', 'mid', 'mid-twice', 'mid-twice', 'acked'],
      calibrationBatches: 2,
    });
    const writeHeaders = { authorization: basicAuth(keys.writeKey) };

    // The reference: an in-process service that receives every batch once, in order.
    reference = await startLocalService({ ...keys, now: NOW, logLevel: 'error', logWrite: () => {} });
    const referenceAnswers: Record<string, unknown>[] = [];
    for (const batch of plan.batches) {
      const answer = await postBatch(reference.url, batch);
      expect(answer.status).toBe(200);
      referenceAnswers.push(answer.body);
    }
    const expected = await profilesOf(reference.url, plan.shopperIds);
    expect(Object.values(expected).every((p) => p.status === 200)).toBe(true);
    const referenceMs = Date.now() - started;

    // The server under test: a child process on a fixed port, so the client's URL survives restarts.
    dataDir = mkdtempSync(join(tmpdir(), 'seg-crash-'));
    const dir = dataDir;
    const port = await freePort();
    const start = () =>
      startServerProcess({
        port,
        dataDir: dir,
        env: { NOW, WRITE_KEY: keys.writeKey, READ_KEY: keys.readKey, ADMIN_KEY: keys.adminKey },
      });
    let server: ServerProcess = await start();
    const url = server.url;
    let restarts = 0;
    let downMs = 0;
    /**
     * SIGKILL now (signalled synchronously), then start again on the same DATA_DIR. Answers the
     * DynamoDB log bytes the dead process had written since `baseline` (exact: it is dead).
     */
    let starting: Promise<ServerProcess> | undefined;
    const crashAndRestart = async (baseline = 0) => {
      // A retry can reach the new server before its banner is read: kill that one, not the old.
      if (starting) await starting;
      const killedAt = Date.now();
      await server.kill();
      const written = (await dynamoLogBytes(dir)) - baseline;
      starting = start();
      server = await starting;
      starting = undefined;
      restarts += 1;
      downMs += Date.now() - killedAt;
      return written;
    };
    /** Kills the server while `attempt` is in flight: at once, after `threshold` log bytes, or once answered. */
    const killDuring = async (
      attempt: Attempt,
      when: 'sent' | 'mid' | 'acked',
      threshold: number,
      baseline: number,
    ) => {
      await attempt.sent;
      if (when === 'mid')
        for (;;) {
          if (attempt.settled()) break;
          const grown = (await dynamoLogBytes(dir)) - baseline;
          if (grown >= threshold || grown < 0) break;
          await yieldToLoop();
        }
      if (when === 'acked') await attempt.result;
      return crashAndRestart(baseline);
    };

    const kills: KillRecord[] = [];
    let smallestBatchBytes = Number.POSITIVE_INFINITY;
    for (const [index, delivery] of plan.schedule.entries()) {
      const batch = plan.batches[delivery.batch] ?? [];
      const kill = plan.kills.get(index);
      const baseline = await dynamoLogBytes(dir);
      const killed: Promise<number | undefined>[] = [];
      let retryArmed = kill?.mode === 'mid-twice';
      const onAttempt = (n: number, attempt: Attempt) => {
        if (!kill) return;
        const threshold = Math.max(1, Math.round(kill.fraction * smallestBatchBytes));
        if (n === 0) {
          killed.push(
            killDuring(attempt, kill.mode === 'mid-twice' ? 'mid' : kill.mode, threshold, baseline),
          );
        } else if (retryArmed) {
          // The first retry that reaches the restarted server (not one refused while it starts).
          retryArmed = false;
          killed.push(
            (async () => {
              await attempt.sent;
              if (attempt.settled()) {
                const result = await attempt.result;
                if (result.kind === 'error') retryArmed = true;
                return undefined;
              }
              // LevelDB folds its log into a table file at open and starts an empty one: the
              // restarted server's log bytes are all its own.
              return killDuring(attempt, 'mid', Math.max(1, Math.round(threshold / 2)), 0);
            })(),
          );
        }
      };
      const answer = await deliverBatch(url, batch, { headers: writeHeaders, onAttempt, deadlineMs: 30_000 });
      const killedBytes = (await Promise.all(killed)).filter((b): b is number => b !== undefined);

      expect(answer.status, `delivery ${index} (batch ${delivery.batch})`).toBe(200);
      expect(answer.body.accepted).toBe(batch.length);
      expect(answer.body.rejected).toEqual([]);
      const duplicates = Number(answer.body.duplicates);
      const referenceDuplicates = Number(referenceAnswers[delivery.batch]?.duplicates);

      if (delivery.replay) {
        expect(duplicates, `replay of batch ${delivery.batch}`).toBe(batch.length);
      } else if (!kill || answer.attempts.length === 1) {
        // Answered by the first attempt: exactly what one delivery answers.
        expect(duplicates, `batch ${delivery.batch}`).toBe(referenceDuplicates);
      } else {
        expect(duplicates).toBeGreaterThanOrEqual(referenceDuplicates);
        expect(duplicates).toBeLessThanOrEqual(batch.length);
      }

      if (kill) {
        const fresh = batch.length - referenceDuplicates;
        const extra = duplicates - referenceDuplicates;
        kills.push({
          delivery: index,
          batch: delivery.batch,
          mode: kill.mode,
          bytesBeforeKill: killedBytes,
          acknowledged: answer.attempts.length === 1,
          attempts: answer.attempts,
          outcome:
            answer.attempts.length === 1
              ? 'acknowledged'
              : extra === 0
                ? 'not applied'
                : extra === fresh
                  ? 'applied, unanswered'
                  : 'partly applied',
        });
      } else if (!delivery.replay) {
        const grown = (await dynamoLogBytes(dir)) - baseline;
        if (grown > 0) smallestBatchBytes = Math.min(smallestBatchBytes, grown);
      }
    }

    expect(kills).toHaveLength(plan.kills.size);
    const sigkills = kills.reduce((n, k) => n + k.bytesBeforeKill.length, 0);
    expect(restarts).toBe(sigkills);
    // Mid-ingest by observation: the server had written part of the request and not answered.
    const midIngest = kills.filter((k) => !k.acknowledged && k.bytesBeforeKill.some((b) => b > 0));
    expect(midIngest.length, JSON.stringify(kills)).toBeGreaterThan(0);

    const compare = async (when: string) => {
      const actual = await profilesOf(url, plan.shopperIds);
      for (const id of plan.shopperIds) expect(actual[id], `${id} ${when}`).toEqual(expected[id]);
    };
    await compare('after the stream');

    // Killed once more after the last 2xx: everything acknowledged must survive.
    const streamMs = Date.now() - started - referenceMs;
    await crashAndRestart();
    await compare('after a final SIGKILL and restart');

    // The ledger knows every event: replaying the whole stream applies nothing.
    for (const [b, batch] of plan.batches.entries()) {
      const replay = await deliverBatch(url, batch, { headers: writeHeaders });
      expect(replay.body.duplicates, `final replay of batch ${b}`).toBe(batch.length);
    }
    await compare('after replaying the whole stream');

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byOutcome = new Map<string, number>();
    for (const k of kills)
      byOutcome.set(k.outcome ?? 'unknown', (byOutcome.get(k.outcome ?? 'unknown') ?? 0) + 1);
    console.log(
      `crash-recovery seed ${SEED}: ${plan.schedule.length} deliveries (${plan.batches.length} batches, ` +
        `${plan.schedule.length - plan.batches.length} replays, ${plan.batches.flat().length} events, ` +
        `${plan.shopperIds.length} shoppers), ${kills.length} kill points, ${sigkills} SIGKILLs + 1 final, ` +
        `${restarts} restarts; ` +
        `${seconds} s (reference ${(referenceMs / 1000).toFixed(1)} s, stream ${(streamMs / 1000).toFixed(1)} s, ` +
        `server down/restarting ${(downMs / 1000).toFixed(1)} s); ` +
        `outcomes: ${[...byOutcome].map(([k, n]) => `${k} ${n}`).join(', ')}\n` +
        kills
          .map(
            (k) =>
              `  delivery ${k.delivery} batch ${k.batch} ${k.mode}: log bytes written before each SIGKILL ` +
              `[${k.bytesBeforeKill.join(', ')}], ${k.outcome}; attempts ${compactAttempts(k.attempts)}`,
          )
          .join('\n'),
    );
  }, 120_000);
});

const profilesOf = async (url: string, userIds: readonly string[]) => {
  const out: Record<string, { status: number; body: Record<string, unknown> }> = {};
  for (const id of userIds) out[id] = await getProfile(url, id);
  return out;
};

/** ['ECONNRESET', 'ECONNREFUSED', 'ECONNREFUSED', '200'] → 'ECONNRESET → 2× ECONNREFUSED → 200'. */
const compactAttempts = (attempts: readonly string[]) => {
  const runs: [string, number][] = [];
  for (const a of attempts) {
    const last = runs.at(-1);
    if (last && last[0] === a) last[1] += 1;
    else runs.push([a, 1]);
  }
  return runs.map(([a, n]) => (n > 1 ? `${n}× ${a}` : a)).join(' → ');
};
