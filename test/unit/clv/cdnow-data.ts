/**
 * Where the CDNOW files are (../shared/data/cdnow beside the repository, see its README),
 * and readers for the two files the published-figure tests use. Tests that need them skip
 * with a message when the folder is absent; in CI it is present and they run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Transaction } from '#shared/customer-value/domain/holdout';

export const cdnowDir = fileURLToPath(new URL('../../../../shared/data/cdnow/', import.meta.url));

export const cdnowAvailable = (...files: string[]): boolean =>
  files.every((file) => existsSync(`${cdnowDir}${file}`));

export const skipMessage = (files: string[]): string =>
  `skipped: ${files.join(', ')} not found in ${cdnowDir} (the shared CDNOW data set is absent here)`;

export const readCdnow = (file: string): string => readFileSync(`${cdnowDir}${file}`, 'utf8');

/** cdnow_customers_summary.csv: `ID,frequency,recency,T` (weeks), the paper's calibration summary. */
export const parsePaperSummary = (text: string): { id: string; x: number; tx: number; T: number }[] =>
  text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [id, x, tx, T] = line.split(',');
      if (id === undefined || x === undefined || tx === undefined || T === undefined) {
        throw new Error(`unexpected summary line: ${JSON.stringify(line)}`);
      }
      return { id, x: Number(x), tx: Number(tx), T: Number(T) };
    });

/** CDNOW_sample.txt: `master_id sample_id YYYYMMDD cds dollars`; customers keyed by sample id. */
export const parseCdnowSample = (text: string): Transaction[] =>
  text
    .trim()
    .split(/\r?\n/)
    .map((line) => {
      const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
      if (!sampleId || !date || !/^\d{8}$/.test(date) || !dollars) {
        throw new Error(`unexpected sample line: ${JSON.stringify(line)}`);
      }
      return {
        customerId: String(Number(sampleId)),
        at: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
        value: Number(dollars),
      };
    });
