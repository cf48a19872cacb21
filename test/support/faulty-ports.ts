/**
 * Storage faults injected around the real emulator-backed adapters (no mocks): a chosen call
 * of one port method fails, either before the real call (nothing happened) or after it (it
 * took effect but the acknowledgement was lost).
 */
import type { ServicePorts } from '../../shared/adapters/service-ports';

export type FaultyMethod =
  | 'profiles.put'
  | 'ledger.write'
  | 'ledger.writeMissing'
  | 'ledger.find'
  | 'profiles.get';

export interface Fault {
  readonly method: FaultyMethod;
  readonly when: 'before' | 'after';
  readonly times: number;
}

/** Wraps the real adapters so that, once armed, the next `times` calls of one method fail. */
export const faultyPorts = (fault: Fault) => {
  const state = { remaining: 0, injected: 0 };
  const decorate = (ports: ServicePorts): ServicePorts => {
    const wrap =
      <A extends unknown[], R>(name: FaultyMethod, fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        if (name !== fault.method || state.remaining <= 0) return fn(...args);
        state.remaining -= 1;
        state.injected += 1;
        if (fault.when === 'before') throw new Error(`injected failure before ${name}`);
        await fn(...args);
        throw new Error(`injected failure after ${name}`);
      };
    return {
      ...ports,
      profiles: {
        get: wrap('profiles.get', ports.profiles.get.bind(ports.profiles)),
        put: wrap('profiles.put', ports.profiles.put.bind(ports.profiles)),
      },
      ledger: {
        writeMissing: wrap('ledger.writeMissing', ports.ledger.writeMissing.bind(ports.ledger)),
        find: wrap('ledger.find', ports.ledger.find.bind(ports.ledger)),
        write: wrap('ledger.write', ports.ledger.write.bind(ports.ledger)),
      },
    };
  };
  return {
    decorate,
    arm: (times = fault.times) => {
      state.remaining = times;
    },
    /** How many failures were injected so far. */
    injected: () => state.injected,
  };
};
