/**
 * `tsx scripts/build-dashboard.ts <outDir>`: the dashboard's script and styles for the stack's
 * static site (infra/dashboard-hosting.ts bundles them at synth). Its index.html is written at
 * deploy time instead, because it names the API's URL, which exists only then.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDashboard } from '#dashboard/build';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: tsx scripts/build-dashboard.ts <outDir>');
await buildDashboard({ outDir, minify: true });
await rm(join(outDir, 'index.html'));
