/**
 * A shop's web site for the browser tests: a tiny HTTP server on its own origin serving HTML
 * pages and the browser SDKs, each bundled from its npm package with esbuild, unmodified. Pages
 * under /segment/ load `@segment/analytics-next` as `window.AnalyticsBrowser`, pages under
 * /rudderstack/ load `@rudderstack/analytics-js` (its `bundled` build: every plugin inside, none
 * fetched from RudderStack's CDN) as `window.RudderAnalytics`. The test drives the SDKs with
 * page.evaluate, as a shop's own scripts would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

const ENTRIES = {
  segment:
    "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
  rudderstack:
    "import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;",
} as const;
export type Sdk = keyof typeof ENTRIES;

const bundle = async (sdk: Sdk): Promise<string> => {
  const result = await build({
    stdin: { contents: ENTRIES[sdk], resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.outputFiles[0]?.text ?? '';
};

let bundles: Promise<Record<Sdk, string>> | undefined;
/** Built once per test process: bundling takes a second or two. */
const sdkBundles = () => {
  bundles ??= Promise.all([bundle('segment'), bundle('rudderstack')]).then(([segment, rudderstack]) => ({
    segment,
    rudderstack,
  }));
  return bundles;
};

export interface ShopSite {
  /** `http://localhost:<port>`: another origin than the service's `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

const page = (sdk: Sdk, title: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
  `<script src="/sdk/${sdk}.js"></script></head><body><h1>${title}</h1></body></html>`;

export const startShopSite = async (): Promise<ShopSite> => {
  const code = await sdkBundles();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const script = /^\/sdk\/(segment|rudderstack)\.js$/.exec(path)?.[1] as Sdk | undefined;
    if (script) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(code[script]);
      return;
    }
    const sdk = /^\/(segment|rudderstack)\//.exec(path)?.[1] as Sdk | undefined;
    if (!sdk) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(sdk, path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
