/**
 * Issue 15, identity stitching on the emulators (docs/identity.md): an anonymous visitor's
 * behaviour folds into the shopper they log in as exactly once — under replays, concurrent
 * deliveries in any arrival order, and storage failures injected at every call of a link's
 * delivery (before the call, or after it took effect with its answer lost).
 *
 * The yardstick is a reference service that received the same messages under the known id
 * only: the stitched shopper's profile must equal that one shopper's, but for `merged`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startLocalService } from '#local/local-service';
import { seededRandom } from '../support/events';
import { type FaultyMethod, faultyPorts } from '../support/faulty-ports';
import { getProfile, keys, postBatch, useLocalService } from '../support/local-service';

const NOW = '2025-07-01T00:00:00Z';
const SEED = Number(process.env.STITCH_PROPERTY_SEED ?? 15_015);
const RUNS = Number(process.env.STITCH_PROPERTY_RUNS ?? 25);
type Message = Record<string, unknown>;

let sequence = 0;
const at = (day: number, minute: number) =>
  new Date(Date.parse('2025-06-01T00:00:00Z') + day * 86_400_000 + minute * 60_000).toISOString();

/** A browser message: `anonymousId` always, `userId` once logged in. */
const message = (ids: { anonymousId?: string; userId?: string }, body: Message): Message => ({
  messageId: `m-${++sequence}`,
  ...ids,
  ...body,
});
const viewed = (ids: { anonymousId?: string; userId?: string }, product: number, time: string) =>
  message(ids, {
    type: 'track',
    event: 'Product Viewed',
    timestamp: time,
    properties: {
      product_id: `p${product}`,
      category: product % 2 ? 'Garden' : 'Books',
      price: 10 + product,
    },
  });
const added = (ids: { anonymousId?: string; userId?: string }, product: number, time: string) =>
  message(ids, {
    type: 'track',
    event: 'Product Added',
    timestamp: time,
    properties: {
      product_id: `p${product}`,
      category: product % 2 ? 'Garden' : 'Books',
      price: 10 + product,
      quantity: 1,
    },
  });
const ordered = (
  ids: { anonymousId?: string; userId?: string },
  orderId: string,
  products: number[],
  time: string,
) =>
  message(ids, {
    type: 'track',
    event: 'Order Completed',
    timestamp: time,
    properties: {
      order_id: orderId,
      revenue: products.reduce((sum, p) => sum + 10 + p, 0),
      currency: 'EUR',
      products: products.map((p) => ({
        product_id: `p${p}`,
        category: p % 2 ? 'Garden' : 'Books',
        price: 10 + p,
        quantity: 1,
      })),
    },
  });

interface Journey {
  readonly anonymousId: string;
  readonly userId: string;
  /** Before the login: the anonymous id only. */
  readonly anonymous: Message[];
  /** The login: identify with both ids. */
  readonly login: Message[];
  /** Logged in: both ids (the browser), or the user id only (the shop's server). */
  readonly known: Message[];
}

/** A visitor's session: browsing and carting anonymously over a few days, logging in, ordering. */
const journeyOf = (prefix: string, seed = 1): Journey => {
  const random = seededRandom(seed);
  const anonymousId = `${prefix}-anon`;
  const userId = `${prefix}-user`;
  const anon = { anonymousId };
  const both = { anonymousId, userId };
  const anonymous: Message[] = [];
  for (let i = 0; i < 8; i++) {
    const product = Math.floor(random() * 6);
    anonymous.push(viewed(anon, product, at(i % 4, i)));
    if (random() < 0.5) anonymous.push(added(anon, product, at(i % 4, i + 1)));
  }
  const login = [
    message(both, {
      type: 'identify',
      timestamp: at(5, 0),
      traits: { country: 'FR', email: 'x@example.com' },
    }),
  ];
  const known = [
    viewed(both, 7, at(5, 1)),
    added(both, 7, at(5, 2)),
    ordered(both, `${prefix}-o1`, [7, 2], at(5, 3)),
    // The shop's server reports the same order under the user id: counted once.
    ordered({ userId }, `${prefix}-o1`, [7, 2], at(5, 3)),
    ordered({ userId }, `${prefix}-o2`, [3], at(9, 0)),
  ];
  return { anonymousId, userId, anonymous, login, known };
};

const all = (j: Journey) => [...j.anonymous, ...j.login, ...j.known];

/** The same messages as the known shopper alone sends them: the yardstick. */
const asKnownOnly = (j: Journey, messages: Message[]) =>
  messages.map(({ anonymousId: _a, ...m }) => ({ ...m, userId: j.userId }));

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

const profileOf = async (url: string, id: string) => {
  const { status, body } = await getProfile(url, id);
  expect(status, `profile of ${id}`).toBe(200);
  return body;
};
/** `purchasedProducts` lists products in application order, which arrival order changes: a set. */
const withoutMerged = ({ merged: _m, ...profile }: Record<string, unknown>) => ({
  ...profile,
  purchasedProducts: [...(profile.purchasedProducts as string[])].sort(),
});

const postOk = async (url: string, batch: Message[]) => {
  const answer = await postBatch(url, batch);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

describe('identity stitching', () => {
  const svc = useLocalService({ now: NOW });
  const reference = useLocalService({ now: NOW });

  const expectStitched = async (url: string, j: Journey, messages: Message[] = all(j)) => {
    await postOk(reference.url, asKnownOnly(j, messages));
    const expected = await profileOf(reference.url, j.userId);
    const stitched = await profileOf(url, j.userId);
    expect(withoutMerged(stitched)).toEqual(withoutMerged(expected));
    expect(stitched.merged).toEqual([j.anonymousId]);
    return stitched;
  };

  it("folds a visitor's anonymous views and cart adds into the shopper they log in as, each once", async () => {
    const j = journeyOf('plain');
    await postOk(svc.url, j.anonymous);
    const before = await profileOf(svc.url, j.anonymousId);
    await postOk(svc.url, j.login);
    await postOk(svc.url, j.known);
    const stitched = await expectStitched(svc.url, j);
    expect(stitched.productViews).toBe(Number(before.productViews) + 1);
    expect(stitched.cartAdds).toBe(Number(before.cartAdds) + 1);
    expect(stitched.orders).toBe(2);
    expect(stitched.firstSeen).toBe(before.firstSeen);
    // The anonymous id now reads as the shopper it became.
    expect(await profileOf(svc.url, j.anonymousId)).toEqual(stitched);
    const history = await fetch(`${svc.url}/v1/users/${j.anonymousId}/history`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expect(((await history.json()) as { shopperId: string }).shopperId).toBe(j.userId);
  });

  it("retrain snapshots read the stitched shopper and skip the anonymous id's link", async () => {
    const j = journeyOf('snapshot');
    await postOk(svc.url, all(j));
    const scanned: string[] = [];
    for await (const page of svc.service.retrainPorts.scanner.scan(0, 1))
      scanned.push(...page.map((p) => p.shopperId));
    expect(scanned).toContain(j.userId);
    expect(scanned).not.toContain(j.anonymousId);
    expect(new Set(scanned).size).toBe(scanned.length);
  });

  it('a replay of everything changes nothing; anonymous events sent after the link land on the shopper', async () => {
    const j = journeyOf('replay');
    await postOk(svc.url, all(j));
    const replay = await postOk(svc.url, all(j));
    expect(replay.duplicates).toBe(all(j).length);
    const late = [
      viewed({ anonymousId: j.anonymousId }, 4, at(10, 0)),
      added({ anonymousId: j.anonymousId }, 4, at(10, 1)),
    ];
    const answer = await postOk(svc.url, late);
    expect(answer.duplicates).toBe(0);
    await expectStitched(svc.url, j, [...all(j), ...late]);
    expect((await postOk(svc.url, late)).duplicates).toBe(2);
  });

  it('any arrival order, split into concurrent requests, with replays, gives one shopper (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          journey: fc.integer({ min: 1, max: 1_000_000 }),
          order: fc.integer({ min: 1, max: 1_000_000 }),
          requests: fc.integer({ min: 1, max: 5 }),
          replays: fc.array(fc.nat(), { maxLength: 6 }),
        }),
        async ({ journey, order, requests, replays }) => {
          const j = journeyOf(`prop-${++run}`, journey);
          const messages = shuffled(all(j), order);
          const batches = Array.from({ length: requests }, (_, r) =>
            messages.filter((_, i) => i % requests === r),
          );
          // Replayed messages ride along in other requests, at once.
          const replayed = replays.map((k) => messages[k % messages.length] as Message);
          const answers = await Promise.all(
            [...batches, replayed].filter((b) => b.length > 0).map((b) => postBatch(svc.url, b)),
          );
          for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
          expect(answers.reduce((n, a) => n + Number(a.body.duplicates), 0)).toBe(replayed.length);
          await expectStitched(svc.url, j);
          expect((await postOk(svc.url, messages)).duplicates).toBe(messages.length);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("a guest order repeated by the shop's server after the login counts once", async () => {
    const j = journeyOf('guest');
    const guest = ordered({ anonymousId: j.anonymousId }, 'guest-o9', [5], at(4, 0));
    await postOk(svc.url, [...j.anonymous, guest]);
    await postOk(svc.url, j.login);
    const server = ordered({ userId: j.userId }, 'guest-o9', [5], at(4, 0));
    await postOk(svc.url, [...j.known, server]);
    const stitched = await expectStitched(svc.url, j, [...all(j), guest, server]);
    expect(stitched.orders).toBe(3);
    expect(stitched.duplicateOrders).toBe(2);
  });

  it('one anonymous id seen with two user ids stays with the first; the second keeps its own events', async () => {
    const j = journeyOf('shared');
    await postOk(svc.url, [...j.anonymous, ...j.login]);
    const other = `${j.userId}-2`;
    const second = [
      message({ anonymousId: j.anonymousId, userId: other }, { type: 'identify', timestamp: at(6, 0) }),
      viewed({ anonymousId: j.anonymousId, userId: other }, 1, at(6, 1)),
    ];
    await postOk(svc.url, second);
    const secondProfile = await profileOf(svc.url, other);
    expect(secondProfile.productViews).toBe(1);
    expect(secondProfile.merged).toBeUndefined();
    expect((await profileOf(svc.url, j.anonymousId)).shopperId).toBe(j.userId);
  });

  it('alias folds a previous user id (with its own anonymous ids) into the new one', async () => {
    const j = journeyOf('alias');
    await postOk(svc.url, [...j.anonymous, ...j.login, ...j.known]);
    const renamed = `${j.userId}-new`;
    await postOk(svc.url, [
      message({ userId: renamed }, { type: 'alias', previousId: j.userId, timestamp: at(12, 0) }),
      viewed({ userId: renamed }, 2, at(12, 1)),
    ]);
    const after = await profileOf(svc.url, renamed);
    expect(after.merged).toEqual([j.userId, j.anonymousId]);
    expect(after.orders).toBe(2);
    // Both older ids read as the new one, through one link or two.
    expect((await profileOf(svc.url, j.userId)).shopperId).toBe(renamed);
    expect((await profileOf(svc.url, j.anonymousId)).shopperId).toBe(renamed);
    // An old anonymous event follows the chain of links to the new id.
    await postOk(svc.url, [viewed({ anonymousId: j.anonymousId }, 3, at(12, 2))]);
    expect((await profileOf(svc.url, renamed)).productViews).toBe(Number(after.productViews) + 1);
  });

  it('erasing the shopper erases the linked anonymous id; a later anonymous event starts afresh', async () => {
    const j = journeyOf('erase');
    await postOk(svc.url, all(j));
    const erase = await fetch(`${svc.url}/v1/users/${j.userId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${keys.adminKey}` },
    });
    expect(erase.status).toBe(200);
    const erased = (await erase.json()) as {
      erased: { profile: boolean; linkedIds: number; events: number };
    };
    expect(erased.erased).toMatchObject({ profile: true, linkedIds: 1 });
    expect(erased.erased.events).toBeGreaterThanOrEqual(all(j).length - 1);
    expect((await getProfile(svc.url, j.userId)).status).toBe(404);
    expect((await getProfile(svc.url, j.anonymousId)).status).toBe(404);
    // A replay of an old anonymous event is a new event now: erasure forgets it was ever received.
    const answer = await postOk(svc.url, j.anonymous.slice(0, 1));
    expect(answer.duplicates).toBe(0);
    const fresh = await profileOf(svc.url, j.anonymousId);
    expect(fresh.shopperId).toBe(j.anonymousId);
    expect(fresh.productViews).toBe(1);
  });

  describe('failures between the writes of a link', () => {
    const methods: FaultyMethod[] = [
      'profiles.getRecord',
      'profiles.put',
      'profiles.putLink',
      'ledger.find',
      'ledger.findIn',
      'ledger.write',
      'ledger.writeMissing',
    ];
    const injector = faultyPorts();
    const faulty = { url: '', close: async () => {} };

    it('every call of a link delivery, failing before or after it takes effect, is recovered by retrying', async () => {
      const service = await startLocalService({
        ...keys,
        now: NOW,
        logLevel: 'error',
        logWrite: () => {},
        decoratePorts: injector.decorate,
      });
      Object.assign(faulty, { url: service.url, close: () => service.close() });
      try {
        // A fault-free link delivery, counted: the calls a fault can be aimed at.
        const probe = journeyOf('probe');
        await postOk(faulty.url, probe.anonymous);
        const before = { ...injector.calls() };
        await postOk(faulty.url, [...probe.login, ...probe.known]);
        const after = injector.calls();
        const cases = methods.flatMap((method) =>
          Array.from({ length: after[method] - before[method] }, (_, i) =>
            (['before', 'after'] as const).map((when) => ({ method, when, atCall: i + 1 })),
          ).flat(),
        );
        expect(cases.length).toBeGreaterThan(10);
        for (const fault of cases) {
          const j = journeyOf(`fault-${fault.method}-${fault.when}-${fault.atCall}`);
          await postOk(faulty.url, j.anonymous);
          injector.rearm({ ...fault, times: 1 });
          let status = (await postBatch(faulty.url, [...j.login, ...j.known])).status;
          for (let retry = 0; retry < 5 && status !== 200; retry++)
            status = (await postBatch(faulty.url, [...j.login, ...j.known])).status;
          injector.disarm();
          expect(status, `${fault.method} ${fault.when} call ${fault.atCall}`).toBe(200);
          await expectStitched(faulty.url, j);
          expect((await postOk(faulty.url, all(j))).duplicates, `${fault.method} ${fault.when}`).toBe(
            all(j).length,
          );
        }
        expect(injector.injected()).toBeGreaterThanOrEqual(cases.length);
      } finally {
        await faulty.close();
      }
    });
  });
});
