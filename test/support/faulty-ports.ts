/**
 * Storage faults injected around the real emulator-backed adapters (no mocks): a chosen call
 * of one port method fails, either before the real call (nothing happened) or after it (it
 * took effect but the acknowledgement was lost).
 *
 * Faults are placed by call count, never by time: once armed, calls of the fault's method are
 * counted and calls `atCall` .. `atCall + times - 1` fail (by default the next `times` calls).
 * The injector also counts every call per method (armed or not), which lets a test learn from
 * a fault-free delivery how many calls a delivery makes and then aim a fault at any of them.
 */
import type { ServicePorts } from '#shared/adapters/service-ports';

export const FAULTY_METHODS = [
  'profiles.get',
  'profiles.getRecord',
  'profiles.put',
  'profiles.putLink',
  'ledger.find',
  'ledger.findIn',
  'ledger.write',
  'ledger.writeMissing',
] as const;

export type FaultyMethod = (typeof FAULTY_METHODS)[number];

export interface Fault {
  readonly method: FaultyMethod;
  readonly when: 'before' | 'after';
  /** How many consecutive calls fail. */
  readonly times: number;
  /** The first failing call of `method`, counted from arming (1 = the next call). Default 1. */
  readonly atCall?: number;
}

const zeroCounts = (): Record<FaultyMethod, number> =>
  Object.fromEntries(FAULTY_METHODS.map((m) => [m, 0])) as Record<FaultyMethod, number>;

/**
 * Wraps the real adapters so that, once armed, chosen calls of one method fail. Without a
 * fault the wrapper is inert until `rearm`.
 */
export const faultyPorts = (initial?: Fault) => {
  const state = {
    fault: initial,
    armed: false,
    /** Calls of the fault's method since arming. */
    seen: 0,
    injected: 0,
    calls: zeroCounts(),
  };
  const shouldFail = (name: FaultyMethod): boolean => {
    const { fault } = state;
    if (!state.armed || !fault || name !== fault.method) return false;
    state.seen += 1;
    const first = fault.atCall ?? 1;
    return state.seen >= first && state.seen < first + fault.times;
  };
  const decorate = (ports: ServicePorts): ServicePorts => {
    const wrap =
      <A extends unknown[], R>(name: FaultyMethod, fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        state.calls[name] += 1;
        if (!shouldFail(name)) return fn(...args);
        state.injected += 1;
        if (state.fault?.when === 'before') throw new Error(`injected failure before ${name}`);
        await fn(...args);
        throw new Error(`injected failure after ${name}`);
      };
    return {
      ...ports,
      profiles: {
        get: wrap('profiles.get', ports.profiles.get.bind(ports.profiles)),
        getRecord: wrap('profiles.getRecord', ports.profiles.getRecord.bind(ports.profiles)),
        put: wrap('profiles.put', ports.profiles.put.bind(ports.profiles)),
        putLink: wrap('profiles.putLink', ports.profiles.putLink.bind(ports.profiles)),
      },
      ledger: {
        writeMissing: wrap('ledger.writeMissing', ports.ledger.writeMissing.bind(ports.ledger)),
        find: wrap('ledger.find', ports.ledger.find.bind(ports.ledger)),
        findIn: wrap('ledger.findIn', ports.ledger.findIn.bind(ports.ledger)),
        write: wrap('ledger.write', ports.ledger.write.bind(ports.ledger)),
      },
    };
  };
  return {
    decorate,
    /** Arms the fault given at creation; `times` overrides how many calls fail. */
    arm: (times = state.fault?.times ?? 1) => {
      if (!state.fault) throw new Error('no fault to arm: use rearm(fault)');
      state.fault = { ...state.fault, times };
      state.armed = true;
      state.seen = 0;
    },
    /** Arms another fault (counting its calls from now). */
    rearm: (fault: Fault) => {
      state.fault = fault;
      state.armed = true;
      state.seen = 0;
    },
    /** No failure until armed again. */
    disarm: () => {
      state.armed = false;
    },
    /** How many failures were injected so far. */
    injected: () => state.injected,
    /** Whether the armed fault has failed all the calls it was set to fail. */
    spent: () => !state.fault || state.seen >= (state.fault.atCall ?? 1) + state.fault.times - 1,
    /** Calls per method since the last reset (whether or not a fault is armed). */
    calls: (): Readonly<Record<FaultyMethod, number>> => ({ ...state.calls }),
    resetCalls: () => {
      state.calls = zeroCounts();
    },
  };
};

export type FaultInjector = ReturnType<typeof faultyPorts>;
