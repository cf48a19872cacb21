/**
 * The marketers' dashboard in a real browser (Debian's Chromium through playwright-core) against
 * the real local service with the demo loaded and two models trained: every view renders without
 * script or console errors, shows the API's own figures, downloads the API's CSV, edits a policy
 * with the admin key (and not with the read key), and signs in and out as promised. Screenshots
 * at 1280 and 390 px go to test-artifacts/dashboard/ (and the overview to docs/dashboard.png).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fmtCents, fmtInt, fmtMoney, fmtPct, fmtRate } from '#dashboard/app/format';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { keys, useLocalService } from '../support/local-service';
import { useChromium } from './support/chromium';
import {
  ARTIFACTS,
  contrastFailures,
  expectNoProblems,
  figure,
  normalFailures,
  openDashboard,
} from './support/dashboard-page';

const END = '2026-06-30T00:00:00Z';
// biome-ignore lint/suspicious/noExplicitAny: API answers, read field by field as the test needs them
type Json = Record<string, any>;

const service = useLocalService({ now: END, modelCacheMs: 0 });
const chromium = useChromium();

const api = async (path: string, key: string = keys.readKey): Promise<Json> => {
  const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as Json;
};

/** Every member of a segment as the API's CSV, pages joined under one header. */
const apiCsv = async (segmentId: string): Promise<string> => {
  let out = '';
  let cursor: string | null = null;
  do {
    const res = await fetch(
      `${service.url}/v1/segments/${segmentId}/members?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers: { authorization: `Bearer ${keys.readKey}`, accept: 'text/csv' } },
    );
    const text = await res.text();
    out += out === '' ? text : text.slice(text.indexOf('\n') + 1);
    cursor = res.headers.get('x-next-cursor');
  } while (cursor);
  return out;
};

const open = (key: string, hash = '#/', options: Parameters<typeof openDashboard>[2] = {}) =>
  openDashboard(chromium.browser, `${service.url}/dashboard#key=${encodeURIComponent(key)}`, options).then(
    async (d) => {
      await d.page.locator('[data-testid="role"]').waitFor();
      if (hash !== '#/') await go(d.page, hash);
      return d;
    },
  );

/** Navigates by the fragment, as the nav links do. */
const go = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

beforeAll(async () => {
  const { messages } = demoTraffic({ end: new Date(END) });
  await sendInBatches(
    service.url,
    keys.writeKey,
    [...messages].sort((a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp)),
    { batchSize: 500 },
  );
  for (let i = 0; i < 2; i++) {
    const run = await service.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
  }
  await service.service.settled();
  await service.service.prepareDashboard();
}, 300_000);

describe('signing in', () => {
  it('signs in from #key=, removes the key from the address, keeps it for the tab, and signs out', async () => {
    const d = await open(keys.readKey);
    const { page } = d;
    expect(await page.locator('[data-testid="role"]').textContent()).toBe('Read key');
    expect(new URL(page.url()).hash).toBe('#/');
    expect(await page.evaluate('sessionStorage.getItem("segmentation-dashboard-key")')).toBe(keys.readKey);
    await page.reload();
    await page.locator('[data-testid="overview"]').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expectNoProblems(d);
    await d.close();
  });

  it('shows a clear sign-in error for a wrong key, from the address and from the form', async () => {
    const wrongKey = (method: string, url: URL, status: number) =>
      normalFailures(method, url, status) || (url.pathname === '/v1/segments' && status === 401);
    const d = await openDashboard(chromium.browser, `${service.url}/dashboard#key=not-a-key`, {
      expected: wrongKey,
    });
    const error = d.page.locator('[data-testid="sign-in-error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/does not accept this key/);
    expect(await d.page.evaluate('sessionStorage.length')).toBe(0);
    await d.page.getByLabel('API key').fill(keys.writeKey);
    await d.page.getByRole('button', { name: 'Sign in' }).click();
    await d.page.getByText(/does not accept this key.*not the write key/).waitFor();
    await d.screenshot('sign-in-error');
    // Then the right key, typed.
    await d.page.getByLabel('API key').fill(keys.adminKey);
    await d.page.getByLabel('API key').press('Enter');
    await d.page.locator('[data-testid="overview"]').waitFor();
    expect(await d.page.locator('[data-testid="role"]').textContent()).toBe('Admin key');
    expectNoProblems(d);
    await d.close();
  });
});

describe('views', () => {
  it('Overview: one card per segment with the API figures, the totals, prospects apart', async () => {
    const catalogue = await api('/v1/segments');
    const d = await open(keys.readKey);
    const { page } = d;
    await page.locator('[data-testid="overview"]').waitFor();
    expect(await page.locator('[data-testid="overview"]').getAttribute('data-model-version')).toBe(
      catalogue.modelVersion,
    );
    const segments = catalogue.segments as Json[];
    expect(await page.locator('[data-testid="segment-card"]').count()).toBe(segments.length);
    for (const s of segments) {
      const card = `[data-testid="segment-card"][data-segment-id="${s.id}"]`;
      expect(await page.locator(`${card} h3`).textContent()).toContain(s.name);
      expect(await figure(page, card, 'size')).toEqual({ text: fmtInt(s.size), value: String(s.size) });
      expect(await figure(page, card, 'share')).toEqual({ text: fmtPct(s.share), value: String(s.share) });
      if (s.forecast?.predictedValue != null)
        expect((await figure(page, card, 'predictedValue')).text).toBe(
          fmtMoney(s.forecast.predictedValue, 'USD'),
        );
      if (s.revenueShare != null)
        expect((await figure(page, card, 'revenueShare')).text).toBe(fmtPct(s.revenueShare));
      expect(await page.locator(`${card} [data-field="policy-action"]`).textContent()).toBe(s.policy.action);
      expect(await page.locator(`${card} [data-field="policy-channel"]`).textContent()).toBe(
        s.policy.channel,
      );
    }
    const prospects = segments.find((s) => s.id === 'prospects');
    const buyers = segments.filter((s) => s.id !== 'prospects').reduce((n, s) => n + s.size, 0);
    expect((await figure(page, '[data-testid="totals"]', 'buyers')).value).toBe(String(buyers));
    expect((await figure(page, '[data-testid="totals"]', 'prospects')).value).toBe(String(prospects?.size));
    expect((await figure(page, '[data-testid="totals"]', 'shoppers')).value).toBe(
      String(buyers + prospects?.size),
    );
    // Prospects are shown apart, under their own heading, after the buyers' segments.
    expect(await page.getByRole('heading', { name: 'Prospects', level: 2 }).count()).toBe(1);
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('overview');
    copyFileSync(join(ARTIFACTS, 'overview-1280.png'), join(process.cwd(), 'docs', 'dashboard.png'));
    await page.setViewportSize({ width: 390, height: 800 });
    await d.page.screenshot({ path: join(ARTIFACTS, 'overview-390.png'), fullPage: true });
    // Nothing wider than the phone's screen: the page never scrolls sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expectNoProblems(d);
    await d.close();
  });

  it('is usable by keyboard: skip link, navigation links, focus moved to the new view', async () => {
    const d = await open(keys.readKey);
    const { page } = d;
    await page.locator('[data-testid="overview"]').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Over time');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="over-time"]').waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    expect(await page.getByRole('link', { name: 'Over time' }).getAttribute('aria-current')).toBe('page');
    expectNoProblems(d);
    await d.close();
  });

  it('Segment: figures, members page by page, and the CSV download equal to the API', async () => {
    const catalogue = await api('/v1/segments');
    const segment = (catalogue.segments as Json[]).reduce((a, b) =>
      b.id !== 'prospects' && b.size > a.size ? b : a,
    );
    const d = await open(keys.readKey, `#/segments/${segment.id}`);
    const { page } = d;
    await page.locator('[data-testid="members"] tbody tr').first().waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(segment.name);
    expect((await figure(page, '[data-testid="segment"]', 'size')).text).toBe(fmtInt(segment.size));
    expect((await figure(page, '[data-testid="segment"]', 'share')).text).toBe(fmtPct(segment.share));
    expect(await page.locator('[data-testid="rules"] li').count()).toBe(segment.rules.length);
    expect(await page.locator('[data-testid="features"] li').count()).toBeGreaterThan(0);
    const first = await api(`/v1/segments/${segment.id}/members?limit=25`);
    const ids = async () => page.locator('[data-testid="members"] tbody th').allTextContents();
    expect(await ids()).toEqual((first.members as Json[]).map((m) => m.shopperId));
    const second = await api(
      `/v1/segments/${segment.id}/members?limit=25&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    await page.locator('[data-testid="members-next"]').click();
    await page.getByText('Members, page 2').waitFor();
    expect(await ids()).toEqual((second.members as Json[]).map((m) => m.shopperId));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="download-csv"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`segment-${segment.id}-members.csv`);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toBe(await apiCsv(segment.id));
    expect(csv.trim().split('\n').length - 1).toBe(segment.size);
    // With the read key the policy editor is read-only, and says why.
    expect(await page.locator('[data-testid="read-only"]').textContent()).toMatch(/read key.*admin key/);
    expect(await page.getByLabel('Action').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save policy' }).isDisabled()).toBe(true);
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('segment');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'segment-390.png'), fullPage: true });
    expectNoProblems(d);
    await d.close();
  });

  it('Segment policy: the admin key saves it (the API shows it), shows validation errors by the field, and resets it', async () => {
    const segmentId = 'seg-2';
    const policyFailures = (method: string, url: URL, status: number) =>
      normalFailures(method, url, status) ||
      (method === 'PUT' && url.pathname.endsWith(`/${segmentId}/policy`) && status === 400);
    const d = await open(keys.adminKey, `#/segments/${segmentId}`, { expected: policyFailures });
    const { page } = d;
    const editor = page.locator('[data-testid="policy-editor"]');
    await editor.waitFor();
    expect(await page.locator('[data-testid="read-only"]').count()).toBe(0);
    await page.getByLabel('Action').fill('vip_preview');
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByLabel('Coupon').selectOption('percent');
    await page.getByLabel('Percent off').fill('150');
    await page.getByLabel('Message').fill('Private preview of the new collection.');
    await page.getByLabel(/Priority/).fill('1');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const fieldError = page.locator('[data-testid="error-couponValue"]');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/value/);
    expect(await page.getByLabel('Percent off').getAttribute('aria-invalid')).toBe('true');
    const unchanged = (await api('/v1/segments')).segments.find((s: Json) => s.id === segmentId);
    expect(unchanged.policySource).toBe('default');
    await d.screenshot('policy-error');

    await page.getByLabel('Percent off').fill('15');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    const saved = (await api('/v1/segments')).segments.find((s: Json) => s.id === segmentId);
    expect(saved.policySource).toBe('override');
    expect(saved.policy).toEqual({
      action: 'vip_preview',
      channel: 'sms',
      coupon: { kind: 'percent', value: 15 },
      message: 'Private preview of the new collection.',
      priority: 1,
    });
    await page.getByText('(set by an operator)').first().waitFor();

    await page.getByRole('button', { name: 'Reset to default' }).click();
    await page.getByText('Policy reset to the default.').waitFor();
    expect((await api('/v1/segments')).segments.find((s: Json) => s.id === segmentId).policySource).toBe(
      'default',
    );
    expectNoProblems(d);
    await d.close();
  });

  it('Segment lift: a holdout set in the editor (bad share shown by the field), members looked up, the panel shows the API report', async () => {
    const catalogue = await api('/v1/segments');
    // A segment no other test changes: the smallest buyers' segment but seg-2.
    const segment = (catalogue.segments as Json[])
      .filter((s) => s.id !== 'prospects' && s.id !== 'seg-2' && s.size > 0)
      .reduce((a, b) => (b.size < a.size ? b : a));
    const policyUrl = `/v1/segments/${segment.id}/policy`;
    const expected = (method: string, url: URL, status: number) =>
      normalFailures(method, url, status) ||
      (method === 'PUT' && url.pathname === policyUrl && status === 400);
    const d = await open(keys.adminKey, `#/segments/${segment.id}`, { expected });
    const { page } = d;
    await page.locator('[data-testid="lift-report"]').waitFor();
    const share = page.getByLabel(/Holdout share/);
    expect(await share.inputValue()).toBe('');
    // Out of range: the service's 400 names holdout.share, shown by the field; nothing saved.
    await share.fill('0.9');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const fieldError = page.locator('[data-testid="error-holdoutShare"]');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/holdout\.share/);
    expect(await share.getAttribute('aria-invalid')).toBe('true');
    expect((await api('/v1/segments')).segments.find((s: Json) => s.id === segment.id).policySource).toBe(
      'default',
    );
    await share.fill('0.5');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const shownVersion = page.locator('[data-testid="policy-version"]');
    await shownVersion.waitFor();
    const version = (await shownVersion.textContent()) ?? '';
    expect(version).toMatch(/^pv-/);
    const saved = (await api('/v1/segments')).segments.find((s: Json) => s.id === segment.id);
    expect(saved.policy.holdout).toEqual({ share: 0.5 });

    // Every member looked up: each first lookup under the version is an exposure.
    let cursor: string | null = null;
    do {
      const page: Json = await api(
        `/v1/segments/${segment.id}/members?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const m of page.members as Json[]) {
        const lookup = await api(`/v1/users/${encodeURIComponent(m.shopperId)}/segment`);
        expect(lookup.policyVersion).toBe(version);
      }
      cursor = page.nextCursor;
    } while (cursor);

    const lift = await api(`/v1/segments/${segment.id}/lift`);
    const latest = lift.versions[0] as Json;
    expect(latest.version).toBe(version);
    await page.reload();
    const panel = page.locator(`[data-testid="lift-version"][data-version="${version}"]`);
    await panel.waitFor();
    // The field round-trips through the API.
    expect(await page.getByLabel(/Holdout share/).inputValue()).toBe('0.5');
    const scope = `[data-testid="lift-version"][data-version="${version}"]`;
    expect((await figure(page, scope, 'holdoutShare')).text).toBe(fmtPct(0.5));
    for (const g of ['treatment', 'holdout'] as const) {
      const group = latest.groups[g] as Json;
      expect(await figure(page, scope, `${g}-shoppers`)).toEqual({
        text: fmtInt(group.shoppers),
        value: String(group.shoppers),
      });
      expect((await figure(page, scope, `${g}-conversion`)).text).toBe(
        group.conversionRate === null ? '—' : fmtRate(group.conversionRate),
      );
      if (group.revenuePerShopper !== null)
        expect((await figure(page, scope, `${g}-revenuePerShopper`)).text).toBe(
          fmtCents(group.revenuePerShopper, lift.currency),
        );
    }
    expect(latest.groups.treatment.shoppers + latest.groups.holdout.shoppers).toBe(segment.size);
    const verdict = latest.verdict as Json;
    const words =
      verdict.kind === 'significant'
        ? `Significant: the policy ${verdict.direction === 'positive' ? 'helps' : 'hurts'}`
        : verdict.kind === 'not_yet'
          ? `Not yet: about ${fmtInt(verdict.neededPerGroup)} shoppers per group needed`
          : `Inconclusive: ${verdict.reason}`;
    expect((await figure(page, scope, 'verdict-text')).text).toBe(words);
    expect(await page.getByRole('heading', { name: 'Does the policy pay?', level: 2 }).count()).toBe(1);
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('segment-lift');
    expectNoProblems(d);
    await d.close();

    // With the read key: the share is shown, read-only.
    const r = await open(keys.readKey, `#/segments/${segment.id}`);
    await r.page.locator('[data-testid="lift-version"]').first().waitFor();
    expect(await r.page.getByLabel(/Holdout share/).inputValue()).toBe('0.5');
    expect(await r.page.getByLabel(/Holdout share/).isDisabled()).toBe(true);
    expectNoProblems(r);
    await r.close();
    const reset = await fetch(`${service.url}${policyUrl}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${keys.adminKey}` },
    });
    expect(reset.status).toBe(200);
  });

  it('Segment lift: a sampled report where the policy hurts, and an older version without holdout, in words', async () => {
    const group = (shoppers: number, converted: number, revenuePerShopper: number) => ({
      shoppers,
      converted,
      conversionRate: converted / shoppers,
      ordersPerShopper: converted / shoppers,
      revenuePerShopper,
    });
    const hurts = { kind: 'significant', direction: 'negative' };
    const report = {
      segmentId: 'seg-2',
      segmentName: 'Planted',
      currency: 'USD',
      asOf: END,
      sampleLimit: 1000,
      versions: [
        {
          version: 'pv-20260620T000000000Z-0000000b',
          policy: null,
          holdoutShare: 0.5,
          window: { from: '2026-06-20T00:00:00.000Z', to: END, active: true },
          sampled: true,
          groups: { treatment: group(500, 105, 8.4), holdout: group(500, 250, 20) },
          conversion: {
            treatment: 0.21,
            holdout: 0.5,
            difference: -0.29,
            interval: [-0.38, -0.201],
            relativeLift: -0.58,
            relativeInterval: [-0.66, -0.49],
            pValue: 0.0000001,
            verdict: hurts,
          },
          ordersPerShopper: null,
          revenuePerShopper: {
            treatment: 8.4,
            holdout: 20,
            difference: -11.6,
            interval: [-15.2, -8],
            relativeLift: -0.58,
            relativeInterval: [-0.76, -0.4],
            pValue: 0.0004,
            verdict: hurts,
          },
          verdict: hurts,
          underperforming: true,
        },
        {
          version: 'pv-20260601T000000000Z-0000000a',
          policy: null,
          holdoutShare: 0,
          window: { from: '2026-06-01T00:00:00.000Z', to: '2026-06-20T00:00:00.000Z', active: false },
          sampled: false,
          groups: null,
          conversion: null,
          ordersPerShopper: null,
          revenuePerShopper: null,
          verdict: { kind: 'inconclusive', reason: 'no holdout: every shopper was treated' },
          underperforming: false,
        },
      ],
    };
    const d = await open(keys.readKey, '#/segments/seg-2');
    const { page } = d;
    await d.context.route(`${service.url}/v1/segments/seg-2/lift`, (route) =>
      route.fulfill({ json: report }),
    );
    await page.reload();
    const scope = '[data-testid="lift-version"][data-version="pv-20260620T000000000Z-0000000b"]';
    await page.locator(scope).waitFor();
    expect((await figure(page, scope, 'verdict-text')).text).toBe('Significant: the policy hurts');
    expect(await page.locator(`${scope} [data-testid="underperforming"]`).textContent()).toBe(
      'Underperforming',
    );
    expect((await figure(page, scope, 'conversion-difference')).text).toBe('-29.0 pts (-38.0 to -20.1)');
    expect((await figure(page, scope, 'conversion-relative')).text).toBe('-58.0% (-66.0% to -49.0%)');
    expect((await figure(page, scope, 'conversion-p')).text).toBe('< 0.001');
    expect((await figure(page, scope, 'revenuePerShopper-difference')).text).toBe(
      '-$11.60 (-$15.20 to -$8.00)',
    );
    expect(await page.locator('[data-testid="lift-sampled"]').textContent()).toMatch(
      /uniform sample of 1,000 shoppers/,
    );
    await page.getByText('Older policy versions (1)').click();
    expect(
      await page
        .locator('[data-testid="lift-older"] tr[data-version="pv-20260601T000000000Z-0000000a"]')
        .textContent(),
    ).toContain('No holdout: set a holdout share in the policy to measure it');
    expect(await contrastFailures(page)).toEqual([]);
    expectNoProblems(d);
    await d.close();
  });

  it('Overview: a policy flagged underperforming shows the badge in words', async () => {
    const d = await open(keys.readKey);
    const { page } = d;
    await page.locator('[data-testid="overview"]').waitFor();
    expect(await page.locator('[data-testid="policy-flag"]').count()).toBe(0);
    // The catalogue's policyFlag (from a newer service) added to the real answer.
    let flagged = '';
    await d.context.route(`${service.url}/v1/segments`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Json;
      const target = (body.segments as Json[]).find((s) => s.id !== 'prospects') as Json;
      flagged = target.id;
      target.policyFlag = {
        kind: 'underperforming',
        version: 'pv-20260630T000000000Z-00000000',
        metrics: ['conversion'],
        checkedAt: END,
      };
      await route.fulfill({ response, json: body });
    });
    await page.reload();
    const flag = page.locator('[data-testid="policy-flag"]');
    await flag.waitFor();
    expect(await flag.count()).toBe(1);
    expect(
      await page.locator(`[data-segment-id="${flagged}"] [data-testid="policy-flag"]`).textContent(),
    ).toMatch(/Policy underperforming.*Conversion below its holdout/);
    expectNoProblems(d);
    await d.close();
  });

  it('Shopper: found by id, with the profile, segment, recommendations and history the API gives', async () => {
    const catalogue = await api('/v1/segments');
    const champions = (catalogue.segments as Json[]).find((s) => s.id !== 'prospects') as Json;
    const member = (await api(`/v1/segments/${champions.id}/members?limit=1`)).members[0].shopperId as string;
    const profile = await api(`/v1/users/${member}/profile`);
    const lookup = await api(`/v1/users/${member}/segment?recommendations=10&buyAgain=10`);
    const history = await api(`/v1/users/${member}/history`);
    const d = await open(keys.readKey, '#/shoppers');
    const { page } = d;
    await page.getByLabel('Shopper id').fill(member);
    await page.getByLabel('Shopper id').press('Enter');
    await page.locator('[data-testid="shopper-segment"]').waitFor();
    expect(await figure(page, '[data-testid="shopper"]', 'orders')).toEqual({
      text: fmtInt(profile.orders),
      value: String(profile.orders),
    });
    expect((await figure(page, '[data-testid="shopper"]', 'revenue')).text).toBe(
      fmtMoney(profile.revenue, profile.currency),
    );
    expect((await figure(page, '[data-testid="shopper"]', 'segment')).value).toBe(lookup.segment.id);
    expect(await page.locator('[data-testid="shopper-features"] li').count()).toBe(lookup.features.length);
    if (lookup.predictions?.predictedValue != null)
      expect((await figure(page, '[data-testid="shopper-segment"]', 'predictedValue')).text).toBe(
        fmtMoney(lookup.predictions.predictedValue, lookup.predictions.currency),
      );
    expect(await page.locator('[data-testid="recommendations"] tbody tr').count()).toBe(
      lookup.recommendations.length,
    );
    expect(await page.locator('[data-testid="recommendations"] tbody th').allTextContents()).toEqual(
      lookup.recommendations.map((r: Json) => r.productId),
    );
    expect(await page.locator('[data-testid="buy-again"] tbody tr').count()).toBe(lookup.buyAgain.length);
    expect(await page.locator('[data-testid="history"] li').count()).toBe(history.changes.length);
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('shopper');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'shopper-390.png'), fullPage: true });
    expectNoProblems(d);
    await d.close();
  });

  it('Over time: sizes per model and the migration between the last two, as the API has them', async () => {
    const models = await api('/v1/models');
    const promoted = (models.runs as Json[]).filter((r) => r.outcome === 'promoted');
    const current = await api(`/v1/models/${models.current}`);
    const d = await open(keys.readKey, '#/over-time');
    const { page } = d;
    const view = page.locator('[data-testid="over-time"]');
    await view.waitFor();
    expect(await view.getAttribute('data-models')).toBe(String(promoted.length));
    await page.locator('.chart canvas').first().waitFor();
    for (const [from, row] of Object.entries(
      current.stability.migration as Record<string, Record<string, number>>,
    ))
      for (const [to, shoppers] of Object.entries(row))
        expect(
          await page
            .locator(`[data-testid="migration"] td[data-from="${from}"][data-to="${to}"]`)
            .getAttribute('data-value'),
        ).toBe(String(shoppers));
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('over-time');
    expectNoProblems(d);
    await d.close();
  });

  it('Models: every retrain run with outcome, reason, K, quality, stability, drift and the baseline', async () => {
    const models = await api('/v1/models');
    const d = await open(keys.readKey, '#/models');
    const { page } = d;
    await page.locator('[data-testid="run-detail"]').waitFor();
    expect(await page.locator('[data-testid="runs"] tbody tr').count()).toBe(models.runs.length);
    for (const run of models.runs as Json[]) {
      const row = page.locator(`[data-testid="runs"] tr[data-run-id="${run.runId}"]`);
      expect(await row.textContent()).toContain(run.reason);
      expect(await row.locator('[data-field="k"]').textContent()).toBe(String(run.k));
    }
    const newest = models.runs[0] as Json;
    expect(await page.locator('[data-testid="run-detail"]').getAttribute('data-run-id')).toBe(newest.runId);
    expect(await page.locator('[data-testid="drift"] li').count()).toBe(
      Object.keys(newest.drift.features).length,
    );
    if (newest.metrics.selection?.baseline)
      expect(await page.locator('[data-testid="evaluation"] tbody tr').count()).toBe(2);
    // The first run, chosen by keyboard.
    const oldest = models.runs.at(-1) as Json;
    await page.locator(`tr[data-run-id="${oldest.runId}"] button`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="run-detail"][data-run-id="${oldest.runId}"]`).waitFor();
    expect(await contrastFailures(page)).toEqual([]);
    await d.screenshot('models');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, 'models-390.png'), fullPage: true });
    expectNoProblems(d);
    await d.close();
  });
});

describe('serving', () => {
  it('serves the three files at /dashboard/ with their types, and redirects /dashboard keeping the query', async () => {
    const redirect = await fetch(`${service.url}/dashboard?x=1`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/dashboard/?x=1');
    for (const [path, type] of [
      ['/dashboard/', 'text/html'],
      ['/dashboard/app.js', 'text/javascript'],
      ['/dashboard/app.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${service.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    expect((await fetch(`${service.url}/dashboard/secret.txt`)).status).toBe(404);
    expect((await fetch(`${service.url}/dashboard/`, { method: 'POST' })).status).toBe(405);
  });
});
