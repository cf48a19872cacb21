/**
 * `node --import tsx scripts/build-dashboard.ts <outDir>`: the dashboard as the stack deploys it
 * (infra/dashboard-hosting.ts runs this at synth). The page's API URL is a placeholder there:
 * the deployment writes the API's URL, which exists only at deploy time.
 */
import { buildDashboard } from '#dashboard/build';
import { DASHBOARD_API_URL_PLACEHOLDER } from '#shared/contract/dashboard';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node --import tsx scripts/build-dashboard.ts <outDir>');
await buildDashboard({ outDir, minify: true, apiUrl: DASHBOARD_API_URL_PLACEHOLDER });
