/**
 * The dashboard's size budget: built as served (minified), every file gzipped, at most 250 KB in
 * all; and nothing is loaded from elsewhere at run time (no CDN): the page names only its own files.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDashboard, DASHBOARD_GZIP_BUDGET_BYTES } from '#dashboard/build';

describe('dashboard build', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes index.html, app.js and app.css within the gzip budget, with no external resource', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboard-size-'));
    const { files } = await buildDashboard({ outDir: dir, minify: true });
    expect(files.map((f) => basename(f))).toEqual(['app.css', 'app.js', 'index.html']);
    let total = 0;
    const sizes: Record<string, number> = {};
    for (const file of files) {
      const gz = gzipSync(await readFile(file), { level: 9 }).length;
      sizes[basename(file)] = gz;
      total += gz;
    }
    expect(total, JSON.stringify(sizes)).toBeLessThanOrEqual(DASHBOARD_GZIP_BUDGET_BYTES);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    const referenced = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(referenced).toEqual(['data:,', 'app.css', 'app.js']);
    // No import or stylesheet from another host: the bundle is self-contained.
    const js = await readFile(join(dir, 'app.js'), 'utf8');
    expect(js).not.toMatch(/\bimport\s*\(?\s*["']https?:/);
    expect(await readFile(join(dir, 'app.css'), 'utf8')).not.toMatch(/@import|url\(\s*["']?https?:/);
  });
});
