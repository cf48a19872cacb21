/**
 * The dashboard's page names the API's URL. The stack knows it only at deploy time, so the build
 * for the stack writes this placeholder into index.html and the deployment replaces it
 * (scripts/build-dashboard.ts, infra/dashboard-hosting.ts).
 */
export const DASHBOARD_API_URL_PLACEHOLDER = '%%SEGMENTATION_API_URL%%';
