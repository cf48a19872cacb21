/**
 * Headless Chromium (Debian's, which CI installs at /usr/bin/chromium) driven by playwright-core.
 * The flags keep it from calling home, so every request a page makes is one the test caused.
 */

import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Registers beforeAll/afterAll hooks; the browser is there before the first test runs. */
export const useChromium = (): { readonly browser: Browser } => {
  const handle = {} as { browser: Browser };
  beforeAll(async () => {
    handle.browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await handle.browser?.close();
  });
  return handle;
};
