/**
 * Opening the dashboard in Chromium for a test: a fresh context (its own sessionStorage) at a
 * viewport width, and a watch on the page for script errors, console errors and failed requests.
 * Failed requests the dashboard makes on purpose — the admin-key check, and the fallbacks from
 * endpoints an older service lacks — are named by `expected`; anything else fails the test.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');

export interface DashboardPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Script errors, console errors and failed requests the dashboard should not have caused. */
  readonly problems: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export type ExpectedFailure = (method: string, url: URL, status: number) => boolean;

/** Failures every session may show: the admin-key check (400 with the admin key, 401 with the read key). */
export const normalFailures: ExpectedFailure = (method, url, status) =>
  method === 'PUT' &&
  url.pathname === '/v1/segments/-key-check-/policy' &&
  (status === 400 || status === 401);

export const openDashboard = async (
  browser: Browser,
  url: string,
  options: { width?: number; height?: number; expected?: ExpectedFailure } = {},
): Promise<DashboardPage> => {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: { width, height: options.height ?? 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const expected = options.expected ?? normalFailures;
  const allowed = new Set<string>();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (res) => {
    if (res.status() < 400) return;
    const method = res.request().method();
    if (expected(method, new URL(res.url()), res.status())) allowed.add(res.url());
    else problems.push(`${method} ${res.url()} answered ${res.status()}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx answer as a console error: those are judged by the response above.
    if (/^Failed to load resource/.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    context,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    },
    close: () => context.close(),
  };
};

export const expectNoProblems = (dashboard: DashboardPage) => expect(dashboard.problems).toEqual([]);

/** The text and raw value (`data-value`) of a figure in `scope`, by its `data-field`. */
export const figure = async (page: Page, scope: string, field: string) => {
  const el = page.locator(`${scope} [data-field="${field}"]`).first();
  return { text: (await el.textContent())?.trim() ?? '', value: await el.getAttribute('data-value') };
};

/**
 * Text whose contrast with its background is under WCAG AA (4.5:1; 3:1 for large text), for every
 * visible element with text of its own; disabled controls are exempt, as in WCAG. Run in the page.
 */
const CONTRAST_SCRIPT = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const blend = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1 });
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
    return layers.reverse().reduce((under, top) => blend(top, under), { r: 255, g: 255, b: 255, a: 1 }); };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest(':disabled, [aria-hidden="true"], .visually-hidden, .skip, option')) continue;
    const rect = el.getBoundingClientRect(); if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el); const bg = background(el);
    const fg = blend(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize); const bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(el.tagName + ' "' + el.textContent.trim().slice(0, 40) + '" ' + ratio.toFixed(2));
  }
  return failures;
})()`;

export const contrastFailures = (page: Page): Promise<string[]> =>
  page.evaluate(CONTRAST_SCRIPT) as Promise<string[]>;
