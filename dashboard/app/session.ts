/**
 * The key the dashboard was opened with, for this tab only (sessionStorage): `#key=<key>` in the
 * address signs in without typing (a fragment never reaches a server) and is removed from the
 * address at once; signing out forgets it.
 */
import type { Api, Role } from './api';

const STORAGE = 'segmentation-dashboard-key';

export interface Session {
  readonly api: Api;
  readonly role: Role;
  readonly signOut: () => void;
}

/** Takes a key from `#key=…` (then clears it from the address), else the tab's stored key. */
export const initialKey = (): string | null => {
  const match = /^#key=([^&]*)/.exec(location.hash);
  if (match) {
    const key = decodeURIComponent(match[1] ?? '');
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    if (key) return key;
  }
  return sessionStorage.getItem(STORAGE);
};

export const rememberKey = (key: string): void => sessionStorage.setItem(STORAGE, key);
export const forgetKey = (): void => sessionStorage.removeItem(STORAGE);
