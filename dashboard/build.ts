/**
 * Builds the marketers' dashboard (dashboard/app/) into a folder of three static files —
 * index.html, app.js, app.css — with esbuild, the repo's one bundler. No CDN and no network at
 * run time: Preact and uPlot are bundled in. The local service serves the folder at /dashboard;
 * the stack can deploy the same folder to S3 behind CloudFront.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface DashboardBuildOptions {
  readonly outDir: string;
  /** Minified (what is served and measured against the size budget); default true. */
  readonly minify?: boolean;
  /** Where the API is, when the dashboard is served from another origin; default: its own origin. */
  readonly apiUrl?: string;
}

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'app');

/** The budget the size test holds the build to: every file gzipped, summed. */
export const DASHBOARD_GZIP_BUDGET_BYTES = 250 * 1024;

const escapeAttribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

export const dashboardHtml = (apiUrl = ''): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="api-url" content="${escapeAttribute(apiUrl)}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Customer segments</title>
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the dashboard…</p></div>
<noscript>The dashboard needs JavaScript.</noscript>
</body>
</html>
`;

export const buildDashboard = async (options: DashboardBuildOptions): Promise<{ files: string[] }> => {
  const result = await build({
    entryPoints: { app: join(APP_DIR, 'main.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    legalComments: 'none',
    outdir: options.outDir,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await mkdir(options.outDir, { recursive: true });
  const files: string[] = [];
  for (const file of result.outputFiles) {
    await writeFile(file.path, file.contents);
    files.push(file.path);
  }
  const html = join(options.outDir, 'index.html');
  await writeFile(html, dashboardHtml(options.apiUrl));
  files.push(html);
  return { files: files.sort() };
};
