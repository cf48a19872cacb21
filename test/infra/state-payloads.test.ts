/**
 * Step Functions caps every state's input and output (and every Map item's) at 256 KB. This test
 * shows the retrain and the drift check stay under it at 50 million shoppers:
 *
 * 1. The real job handlers (functions/retrain-*.ts, built on the emulators' ports as the local
 *    runner builds them) run the states of local/retrain-pipeline.ts on a small shop cut into more
 *    Scan segments and parts than any model-bound list can have (40 segments, about 80 parts, 300
 *    shoppers). Every task's payload and answer is recorded: with the maps discarding their results
 *    and the Choice states passing their input on, these are every state's input and output.
 *    test/infra/local-pipeline.test.ts proves these states are the synthesised definitions'.
 * 2. (a) No payload holds an array as long as a list of shoppers, parts or segments would be: every
 *    array is at most MODEL_BOUND long (features, candidate k, a model's segments).
 * 3. (b) Every Map state of both definitions reads its items with an ItemReader and writes its
 *    results with a ResultWriter, its result discarded; none takes an inline array (ItemsPath, Items).
 * 4. (c) Every payload's JSON size with the counts of a 50-million-shopper shop substituted (50M
 *    rows, 2,500 parts, 100 segments; any list as long as this shop's parts, segments or shoppers
 *    lengthened to that count) is under 256 KB.
 *
 * A control case feeds the old train answer (one `assign` item per part) through the same checks,
 * so a shape that grows with the shop fails here.
 */
import { describe, expect, it } from 'vitest';
import { createAssembleHandler } from '#functions/retrain-assemble';
import { createAssignHandler } from '#functions/retrain-assign';
import { createDriftHandler } from '#functions/retrain-drift';
import { createIndexHandler } from '#functions/retrain-index';
import { createPlanHandler } from '#functions/retrain-plan';
import { createPromoteHandler } from '#functions/retrain-promote';
import { createRecordHandler } from '#functions/retrain-record';
import { createSnapshotHandler } from '#functions/retrain-snapshot';
import { createTrainHandler } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import {
  DRIFT_CHECK_STEPS,
  type JobHandler,
  type JobHandlers,
  type PipelineDeps,
  RETRAIN_STEPS,
  runSteps,
} from '#local/retrain-pipeline';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { keys, useLocalService } from '../support/local-service';
import { readMapItems } from '../support/snapshot-states';
import { type Asl, type AslState, definitionOf, driftCheckMachine, retrainMachine, synth } from './template';

const END = '2026-06-30T00:00:00.000Z';
const MAX_STATE_BYTES = 256 * 1024;
/** The longest list a payload may hold: model-bound (features, candidate k, a model's segments). */
const MODEL_BOUND = 32;
/** The shop here: more Scan segments and parts than MODEL_BOUND, so their lists would show. */
const SHOPPERS = 300;
const SEGMENTS = 40;
const ROWS_PER_PART = 5;
/** The shop the limit is checked for. */
const AT_50M = { rows: 50_000_000, parts: 2_500, segments: 100 } as const;

type Json = Record<string, unknown>;
interface Payload {
  readonly where: string;
  readonly value: unknown;
}

// --- (a) lists, (c) sizes at 50M ---

/** Every array in `value`, with its path and length. */
const arraysIn = (value: unknown, path = '$'): { path: string; length: number }[] => {
  if (Array.isArray(value))
    return [{ path, length: value.length }, ...value.flatMap((v, i) => arraysIn(v, `${path}[${i}]`))];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => arraysIn(v, `${path}.${k}`));
  return [];
};

interface ShopCounts {
  readonly rows: number;
  readonly parts: number;
  readonly segments: number;
}

/**
 * A count's value at 50M: segments and parts by their field names, any other whole number (rows,
 * shoppers, changed, bytes, per-segment counts, timings) as large as the shop's rows, an upper
 * bound of its digits. Fractions (PSI, thresholds, metrics) do not grow with the shop.
 */
const at50M = (key: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) return value;
  if (key === 'segment') return AT_50M.segments - 1;
  if (key === 'totalSegments' || key === 'workers') return AT_50M.segments;
  if (key === 'parts') return AT_50M.parts;
  return Math.max(value, AT_50M.rows);
};

/**
 * The JSON size of `value` at 50M: counts substituted, and a list as long as this shop's parts,
 * segments or shoppers lengthened to the 50M shop's (its elements' mean size times that count).
 */
const sizeAt50M = (value: unknown, shop: ShopCounts, key = ''): number => {
  if (typeof value === 'number') return JSON.stringify(at50M(key, value)).length;
  if (Array.isArray(value)) {
    if (value.length === 0) return 2;
    const sizes = value.map((v) => sizeAt50M(v, shop, key));
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const length =
      value.length === shop.parts
        ? AT_50M.parts
        : value.length === shop.segments
          ? AT_50M.segments
          : value.length === shop.rows
            ? AT_50M.rows
            : value.length;
    return Math.ceil(2 + mean * length + (length - 1));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return (
      2 +
      Math.max(0, entries.length - 1) +
      entries.reduce((n, [k, v]) => n + JSON.stringify(k).length + 1 + sizeAt50M(v, shop, k), 0)
    );
  }
  return JSON.stringify(value ?? null).length;
};

// --- (b) the maps of the definitions ---

const mapStates = (asl: Asl, path = ''): [string, AslState][] =>
  Object.entries(asl.States).flatMap(([name, state]) => [
    ...(state.Type === 'Map' ? [[`${path}${name}`, state] as [string, AslState]] : []),
    ...(state.ItemProcessor ? mapStates(state.ItemProcessor as Asl, `${path}${name} › `) : []),
  ]);

/** Why a Map state could carry a list that grows with the shop, if it could. */
const mapProblems = (state: AslState): string[] => [
  ...(state.ItemReader ? [] : ['no ItemReader']),
  ...('ItemsPath' in state ? ['ItemsPath: its items travel in the state'] : []),
  ...('Items' in state ? ['Items: an inline array'] : []),
  ...(state.ResultWriter ? [] : ['no ResultWriter: its output is the array of results']),
  ...(state.ResultPath === null ? [] : ['ResultPath not null: its result stays in the state']),
];

describe('state payloads of the retrain and drift check state machines', () => {
  const { template } = synth();
  const definitions = {
    retrain: definitionOf(retrainMachine(template).props),
    'drift check': definitionOf(driftCheckMachine(template).props),
  };

  it('(b) every Map state reads its items from S3 and writes its results to S3, keeping neither', () => {
    const maps = Object.entries(definitions).flatMap(([machine, asl]) =>
      mapStates(asl).map(([name, state]) => [`${machine}: ${name}`, state] as const),
    );
    expect(maps.map(([name]) => name).sort()).toEqual([
      'drift check: Snapshot segments',
      'retrain: Index parts',
      'retrain: Reassign shoppers',
      'retrain: Snapshot segments',
    ]);
    for (const [name, state] of maps) {
      expect(mapProblems(state), name).toEqual([]);
      expect(state.ItemProcessor, name).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED' } });
    }
  });

  it('(b) flags a map over an inline array, as the reassignment map once was', () => {
    expect(
      mapProblems({ Type: 'Map', ItemsPath: '$.assign', ResultPath: null } as unknown as AslState),
    ).toEqual([
      'no ItemReader',
      'ItemsPath: its items travel in the state',
      'no ResultWriter: its output is the array of results',
    ]);
  });

  describe('with the real handlers, on a shop of more segments and parts than any model-bound list', () => {
    const svc = useLocalService({ now: END });
    const payloads: Payload[] = [];
    const shop = { rows: 0, parts: 0, segments: 0 };

    const run = async () => {
      const { messages } = demoTraffic({ end: new Date(END), shoppers: SHOPPERS, seed: 5 });
      expect((await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
      await svc.service.settled();
      const ports = svc.service.retrainPorts;
      const settings = {
        ...DEFAULT_RETRAIN_SETTINGS,
        snapshotWorkers: SEGMENTS,
        rowsPerPart: ROWS_PER_PART,
        clv: svc.service.config.clv,
      };
      let runs = 0;
      const handlers: JobHandlers = {
        plan: createPlanHandler({ ports, config: settings, runSuffix: () => `p${runs++}` }),
        snapshot: createSnapshotHandler({ ports, config: settings }),
        assemble: createAssembleHandler({ ports }),
        train: createTrainHandler({ ports, config: settings }),
        index: createIndexHandler({ ports }),
        promote: createPromoteHandler({ ports }),
        assign: createAssignHandler({ ports }),
        record: createRecordHandler({ ports }),
        measure: createDriftHandler({ ports, config: settings }),
      };
      /** Records each task's payload and answer: its state's input and output. */
      const recorded = (machine: string) =>
        Object.fromEntries(
          Object.entries(handlers).map(([job, handler]) => [
            job,
            (async (payload) => {
              payloads.push({ where: `${machine}: ${job} input`, value: payload });
              const answer = await handler(payload);
              payloads.push({ where: `${machine}: ${job} output`, value: answer });
              return answer;
            }) satisfies JobHandler,
          ]),
        ) as unknown as JobHandlers;
      const deps = (machine: string, retrain: JobHandler): PipelineDeps => ({
        jobs: { ...recorded(machine), retrain },
        retrainRunning: () => false,
        readItems: (key) => readMapItems(ports.objects, key),
      });

      const retrainInput = { trigger: 'schedule' };
      payloads.push({ where: 'retrain: input', value: retrainInput });
      const retrain = await runSteps(
        RETRAIN_STEPS,
        deps('retrain', async () => null),
        retrainInput,
      );
      payloads.push({ where: 'retrain: output', value: retrain.state });
      const trained = payloads.find((p) => p.where === 'retrain: train output')?.value as Json;
      expect(trained.passed, JSON.stringify(trained.run)).toBe(true);
      const promoted = payloads.find((p) => p.where === 'retrain: promote output')?.value as Json;
      expect(promoted.promoted, JSON.stringify(promoted.run)).toBe(true);
      const snapshot = trained.snapshot as { rows: number; parts: number };
      const plan = payloads.find((p) => p.where === 'retrain: plan output')?.value as { plan: Json };
      Object.assign(shop, {
        rows: snapshot.rows,
        parts: snapshot.parts,
        segments: plan.plan.totalSegments as number,
      });

      // The drift check; its "Start retrain" input (the retrain's input) as if it had drifted.
      const started: unknown[] = [];
      const check = await runSteps(
        DRIFT_CHECK_STEPS,
        deps('drift check', async (input) => {
          started.push(input);
          return { runId: 'not run' };
        }),
        {},
      );
      payloads.push({ where: 'drift check: output', value: check.state });
      const start = DRIFT_CHECK_STEPS.find((step) => step.state === 'Start retrain');
      const startInput = start && 'payload' in start ? start.payload?.(check.state) : undefined;
      expect(startInput).toMatchObject({ trigger: 'drift', snapshot: check.state.snapshot });
      payloads.push({ where: 'drift check: Start retrain input = retrain input', value: startInput });
    };

    it('runs the retrain and the drift check on the shop', async () => {
      await run();
      expect(shop.rows).toBe(SHOPPERS);
      expect(shop.segments).toBe(SEGMENTS);
      expect(shop.parts).toBeGreaterThan(MODEL_BOUND);
      expect(shop.segments).toBeGreaterThan(MODEL_BOUND);
      // Every job ran, the map items included.
      const jobs = new Set(payloads.map((p) => p.where.replace(/ (input|output)$/, '')));
      for (const job of ['plan', 'snapshot', 'assemble', 'train', 'index', 'promote', 'assign', 'record'])
        expect(jobs, job).toContain(`retrain: ${job}`);
      for (const job of ['plan', 'snapshot', 'assemble', 'measure'])
        expect(jobs, job).toContain(`drift check: ${job}`);
      // Loading a year of demo traffic and a full retrain: minutes on a busy machine, not a race.
    }, 600_000);

    it('(a) no state holds a list that grows with the shoppers, parts or segments', () => {
      expect(payloads.length).toBeGreaterThan(0);
      const long = payloads.flatMap(({ where, value }) =>
        arraysIn(value)
          .filter((a) => a.length > MODEL_BOUND)
          .map((a) => `${where} ${a.path}: ${a.length} items`),
      );
      expect(long).toEqual([]);
    });

    it('(c) every state input and output is under 256 KB at 50 million shoppers', () => {
      expect(payloads.length).toBeGreaterThan(0);
      const sizes = payloads
        .map(({ where, value }) => ({ where, bytes: sizeAt50M(value, shop) }))
        .sort((a, b) => b.bytes - a.bytes);
      const largest = sizes[0];
      console.info(
        `largest state payload at 50M shoppers (${AT_50M.parts} parts, ${AT_50M.segments} segments): ${largest?.bytes} bytes, ${largest?.where}`,
      );
      for (const { where, bytes } of sizes) expect(bytes, where).toBeLessThan(MAX_STATE_BYTES);
    });

    it('would fail the old shape: a train answer with one assign item per part', async () => {
      const trained = payloads.find((p) => p.where === 'retrain: train output')?.value as Json;
      const parts = await readMapItems(
        svc.service.retrainPorts.objects,
        (trained.snapshot as Json).partsKey as string,
      );
      const old = {
        run: trained.run,
        promoted: true,
        assign: parts.map((part) => ({ part, modelVersion: trained.modelVersion, at: trained.at })),
      };
      expect(arraysIn(old).filter((a) => a.length > MODEL_BOUND)).toEqual([
        { path: '$.assign', length: shop.parts },
      ]);
      expect(sizeAt50M(old, shop)).toBeGreaterThan(MAX_STATE_BYTES);
    });
  });
});
