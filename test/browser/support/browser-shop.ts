/**
 * Everything a browser test runs against, started once per file: the local service on the
 * embedded emulators with two shops' browser keys, each shop's site on its own origin, the relay
 * the SDKs reach the service through, and Chromium.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service';
import { keys } from '../../support/local-service';
import { useChromium } from './chromium';
import { type Relay, startRelay } from './relay';
import { type ShopSite, startShopSite } from './shop-site';

/** The shop's browser key, and another shop's: each may send only from its own site. */
export const SHOP_KEY = 'shop-browser-key';
export const OTHER_SHOP_KEY = 'other-shop-browser-key';

export interface BrowserShop {
  readonly browser: Browser;
  readonly service: LocalService;
  readonly relay: Relay;
  readonly shop: ShopSite;
  readonly otherShop: ShopSite;
}

export const useBrowserShop = (): BrowserShop => {
  const chromium = useChromium();
  const handle = {} as { -readonly [K in keyof BrowserShop]: BrowserShop[K] };
  beforeAll(async () => {
    handle.shop = await startShopSite();
    handle.otherShop = await startShopSite();
    handle.service = await startLocalService({
      ...keys,
      browserKeys: { [SHOP_KEY]: [handle.shop.origin], [OTHER_SHOP_KEY]: [handle.otherShop.origin] },
      logLevel: 'warn',
      logWrite: () => undefined,
    });
    handle.relay = await startRelay(handle.service.url);
    handle.browser = chromium.browser;
  });
  afterAll(async () => {
    await handle.relay?.close();
    await handle.service?.close();
    await handle.shop?.close();
    await handle.otherShop?.close();
  });
  return handle;
};
