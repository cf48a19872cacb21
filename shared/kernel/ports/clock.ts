/** The clock is a port: historical data sets pin it (NOW=1998-07-01), tests fix it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const fixedClock = (at: Date | string): Clock => {
  const time = new Date(at);
  return { now: () => new Date(time) };
};

/** `NOW` (an ISO date) pins the clock; otherwise the system clock. */
export const clockFromEnv = (value: string | undefined): Clock => {
  if (!value) return systemClock;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`NOW must be an ISO date, got "${value}"`);
  return fixedClock(new Date(time));
};
