/**
 * The marketers' dashboard on the local service: built once with esbuild (dashboard/build.ts) on
 * the first request for it, then served from memory at /dashboard/ — index.html, app.js, app.css.
 * Not an API route: the bridge never sees these paths. `/dashboard` redirects to `/dashboard/` so
 * the page's relative asset paths resolve (the browser keeps the `#key=` fragment across it).
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { buildDashboard } from '#dashboard/build';

export const DASHBOARD_PATH = '/dashboard';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Whether a request path is the dashboard's (it is then never an API path). */
export const isDashboardPath = (url: string | undefined): boolean => {
  const path = (url ?? '').split('?')[0] ?? '';
  return path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);
};

/** A request listener for the dashboard's paths; `outDir` is where the build is written. */
export const dashboardRoute = (outDir: string) => {
  let files: Promise<Map<string, Buffer>> | undefined;
  const load = () => {
    files ??= buildDashboard({ outDir, minify: true }).then(async ({ files: paths }) => {
      const loaded = new Map<string, Buffer>();
      for (const path of paths) loaded.set(basename(path), await readFile(path));
      return loaded;
    });
    // A failed build is tried again on the next request rather than remembered.
    files.catch(() => {
      files = undefined;
    });
    return files;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' });
      return void res.end(
        JSON.stringify({ error: 'method_not_allowed', message: 'the dashboard is read with GET' }),
      );
    }
    if (url.pathname === DASHBOARD_PATH) {
      res.writeHead(308, { location: `${DASHBOARD_PATH}/${url.search}` });
      return void res.end();
    }
    const name = url.pathname.slice(DASHBOARD_PATH.length + 1) || 'index.html';
    const built = await load();
    const body = built.get(name);
    if (!body || !TYPES[name]) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(
        JSON.stringify({ error: 'not_found', message: `no dashboard file ${url.pathname}` }),
      );
    }
    res.writeHead(200, {
      'content-type': TYPES[name],
      'content-length': body.length,
      // The page holds the key in sessionStorage: no framing by other sites, no inline script.
      'content-security-policy':
        "default-src 'self'; connect-src *; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': name === 'index.html' ? 'no-cache' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return {
    /** Builds now (the first request would otherwise). */
    prepare: async () => {
      await load();
    },
    handle: (req: IncomingMessage, res: ServerResponse) =>
      handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'internal', message: `dashboard build failed: ${error.message}` }));
      }),
  };
};

export const dashboardDir = (baseDir: string): string => join(baseDir, 'dashboard');
