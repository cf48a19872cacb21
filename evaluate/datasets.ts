/**
 * The shared real data sets as a shop would send them: each purchase becomes a Segment
 * `Order Completed` (and each cancellation invoice an `Order Refunded`) message, so that the
 * evaluation goes through the product's own normaliser and profile reducer.
 *
 * The calibration date is the last day of the calibration period (inclusive); the horizon is the
 * days after it. Both data sets end exactly on the horizon's last day.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const SHARED_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');

/** A Segment track message, as a shop's server would post it in a batch. */
export interface TrackMessage {
  readonly type: 'track';
  readonly event: 'Order Completed' | 'Order Refunded';
  readonly userId: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly properties: Record<string, unknown>;
}

export interface Dataset {
  readonly name: string;
  readonly file: string;
  /** Last calibration day, YYYY-MM-DD. */
  readonly calibrationEnd: string;
  readonly horizonDays: number;
  readonly currency: string;
  /** Messages in file order. */
  readonly load: () => TrackMessage[];
}

const noon = (yyyymmdd: string): string =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T12:00:00.000Z`;

/** CDNOW master: one purchase a row, no products; the number of CDs is the line's quantity. */
const loadCdnow = (file: string): TrackMessage[] => {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).slice(1);
  const messages: TrackMessage[] = [];
  for (const line of lines) {
    const [id, date, cds, dollars] = line.trim().split(/\s+/);
    if (!id || !date || !cds || !dollars) continue;
    const row = messages.length + 1;
    messages.push({
      type: 'track',
      event: 'Order Completed',
      userId: `cdnow-${Number(id)}`,
      messageId: `cdnow-${row}`,
      timestamp: noon(date),
      properties: {
        order_id: `cdnow-${row}`,
        revenue: Number(dollars),
        currency: 'USD',
        products: [{ quantity: Number(cds) }],
      },
    });
  }
  return messages;
};

interface RetailLine {
  readonly InvoiceNo: string;
  readonly StockCode: string;
  readonly Quantity: string;
  readonly InvoiceDate: string;
  readonly UnitPrice: string;
  readonly CustomerID: string;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/**
 * Online Retail: one invoice line a row. An invoice is an order (its lines the products, revenue
 * their sum); a `C` invoice is a refund of that amount. Guest lines (no CustomerID) cannot be tied
 * to a shopper, as on a real site, and are left out. Times are UK wall-clock time, taken as UTC.
 */
const loadOnlineRetail = (file: string): TrackMessage[] => {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as RetailLine[];
  const invoices = new Map<string, RetailLine[]>();
  for (const row of rows) {
    if (!row.CustomerID) continue;
    const lines = invoices.get(row.InvoiceNo);
    if (lines) lines.push(row);
    else invoices.set(row.InvoiceNo, [row]);
  }
  const messages: TrackMessage[] = [];
  for (const [invoice, lines] of invoices) {
    const first = lines[0] as RetailLine;
    const refund = invoice.startsWith('C');
    const amount = cents(
      lines.reduce((sum, l) => sum + Math.abs(Number(l.Quantity)) * Number(l.UnitPrice), 0),
    );
    messages.push({
      type: 'track',
      event: refund ? 'Order Refunded' : 'Order Completed',
      userId: `retail-${Number(first.CustomerID)}`,
      messageId: `retail-${invoice}`,
      timestamp: `${first.InvoiceDate.replace(' ', 'T')}.000Z`,
      properties: {
        order_id: invoice,
        [refund ? 'total' : 'revenue']: amount,
        currency: 'GBP',
        ...(refund
          ? {}
          : {
              products: lines
                .filter((l) => Number(l.Quantity) > 0)
                .map((l) => ({
                  product_id: l.StockCode,
                  quantity: Number(l.Quantity),
                  price: Number(l.UnitPrice),
                })),
            }),
      },
    });
  }
  return messages;
};

export const CDNOW: Dataset = {
  name: 'CDNOW master',
  file: join(SHARED_DATA_DIR, 'cdnow/CDNOW_master.txt'),
  calibrationEnd: '1997-09-30',
  horizonDays: 273,
  currency: 'USD',
  load: () => loadCdnow(CDNOW.file),
};

export const ONLINE_RETAIL_H1: Dataset = {
  name: 'Online Retail H1',
  file: join(SHARED_DATA_DIR, 'online-retail-h1/online-retail-2010-12-01_2011-05-31.csv'),
  calibrationEnd: '2011-03-01',
  horizonDays: 91,
  currency: 'GBP',
  load: () => loadOnlineRetail(ONLINE_RETAIL_H1.file),
};

export const DATASETS: readonly Dataset[] = [CDNOW, ONLINE_RETAIL_H1];

export const isAvailable = (dataset: Dataset): boolean => existsSync(dataset.file);
