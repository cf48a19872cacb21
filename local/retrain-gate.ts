/**
 * A flag in shared memory that holds a retrain or drift check, synchronously, in the thread that
 * runs it, until a test releases it. A synchronous hold is what a long training step looks like
 * to an event loop, so a test can show deterministically which requests still get answered.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const ARMED = 1;
const HELD = 2;
const RELEASED = 3;
const TIMED_OUT = 4;

export type GateState = 'open' | 'armed' | 'held' | 'released' | 'timed-out';
const NAMES: readonly GateState[] = ['open', 'armed', 'held', 'released', 'timed-out'];

export interface RetrainGate {
  /** Shared with the thread that runs the retrain (an Int32Array over a SharedArrayBuffer). */
  readonly flag: Int32Array;
  /** The next run holds at its start. */
  arm(): void;
  state(): GateState;
  /** Resolves once a run is held (or gave up waiting: see holdAtGate). */
  held(): Promise<GateState>;
  release(): void;
}

export const retrainGate = (): RetrainGate => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const state = () => NAMES[Atomics.load(flag, 0)] ?? 'open';
  return {
    flag,
    arm: () => Atomics.store(flag, 0, ARMED),
    state,
    held: async () => {
      // Polls rather than Atomics.wait: the thread asking is the request thread, never blocked.
      while (Atomics.load(flag, 0) === ARMED) await sleep(5);
      return state();
    },
    release: () => releaseGate(flag),
  };
};

/** Lets a held run go on; nothing happens when none is held. */
export const releaseGate = (flag: Int32Array): void => {
  if (Atomics.compareExchange(flag, 0, HELD, RELEASED) === HELD) Atomics.notify(flag, 0);
};

/**
 * Called by the thread that runs a retrain before it starts. An armed gate blocks that thread
 * until the test releases it; after `timeoutMs` it gives up and records it, which is what
 * happens when the holder is the request thread itself (nothing else can release it).
 */
export const holdAtGate = (flag: Int32Array | undefined, timeoutMs: number): void => {
  if (!flag || Atomics.compareExchange(flag, 0, ARMED, HELD) !== ARMED) return;
  Atomics.notify(flag, 0);
  const outcome = Atomics.wait(flag, 0, HELD, timeoutMs);
  if (outcome === 'timed-out' && Atomics.compareExchange(flag, 0, HELD, TIMED_OUT) === HELD)
    Atomics.notify(flag, 0);
};
