import { describe, expect, it } from 'vitest';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { ModelPointer } from '#shared/segmentation/usecases/models/model-repository';

/** A repository whose pointer the test moves, counting reads; `fail` makes the next pointer read throw. */
const repository = () => {
  const models = new Map<string, SegmentModel>();
  const state = { version: undefined as string | undefined, pointerReads: 0, loads: 0, fail: false };
  return {
    state,
    publish(version: string) {
      models.set(version, { version } as SegmentModel);
      state.version = version;
    },
    async currentPointer(): Promise<ModelPointer | undefined> {
      state.pointerReads++;
      if (state.fail) throw new Error('S3 unavailable');
      return state.version ? { version: state.version, key: '', promotedAt: '' } : undefined;
    },
    async load(version: string) {
      state.loads++;
      return models.get(version);
    },
  };
};

describe('CurrentModel', () => {
  it('reads the pointer once per TTL and the model once per version', async () => {
    const repo = repository();
    let now = 0;
    const current = new CurrentModel(repo, 10_000, () => now);
    repo.publish('v1');
    expect((await current.get())?.version).toBe('v1');
    now = 5_000;
    expect((await current.get())?.version).toBe('v1');
    expect(repo.state).toMatchObject({ pointerReads: 1, loads: 1 });
    now = 11_000;
    await current.get();
    expect(repo.state).toMatchObject({ pointerReads: 2, loads: 1 });
  });

  it('trusts "no model yet" for the short miss TTL only, so a first promotion serves within a second', async () => {
    const repo = repository();
    let now = 0;
    const current = new CurrentModel(repo, 10_000, () => now);
    expect(await current.get()).toBeUndefined();
    repo.publish('v1');
    now = 500;
    expect(await current.get()).toBeUndefined();
    now = 1_001;
    expect((await current.get())?.version).toBe('v1');
  });

  it('answers with the held model while a stale pointer is re-read, then serves the new one', async () => {
    const repo = repository();
    let now = 0;
    const current = new CurrentModel(repo, 10_000, () => now);
    repo.publish('v1');
    await current.get();
    repo.publish('v2');
    now = 20_000;
    expect((await current.get())?.version).toBe('v1');
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await current.get())?.version).toBe('v2');
  });

  it('keeps serving the held model when the re-read fails, and retries on the next stale lookup', async () => {
    const repo = repository();
    let now = 0;
    const current = new CurrentModel(repo, 10_000, () => now);
    repo.publish('v1');
    await current.get();
    repo.state.fail = true;
    now = 20_000;
    expect((await current.get())?.version).toBe('v1');
    await new Promise((resolve) => setImmediate(resolve));
    repo.state.fail = false;
    repo.publish('v2');
    expect((await current.get())?.version).toBe('v1');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await current.get())?.version).toBe('v2');
    expect(repo.state.pointerReads).toBe(3);
  });

  it('propagates a failure when it holds no model to answer with', async () => {
    const repo = repository();
    repo.state.fail = true;
    await expect(new CurrentModel(repo).get()).rejects.toThrow('S3 unavailable');
  });
});

describe('CurrentModel with no cache', () => {
  it('waits for the pointer on every call, so a promotion serves at once', async () => {
    const repo = repository();
    const current = new CurrentModel(repo, 0, () => 0);
    repo.publish('v1');
    expect((await current.get())?.version).toBe('v1');
    repo.publish('v2');
    expect((await current.get())?.version).toBe('v2');
  });
});
