/**
 * The browser keys setting: write keys meant to be embedded in a shop's pages, each limited to the
 * origins (scheme, host and port) its pages are served from. One format for the stack (CDK
 * context `browserKeys`, validated at synth) and the function (BROWSER_KEYS, validated at cold
 * start), so a value that synthesises is one the function starts with:
 *
 *   {"<browser write key>": ["https://shop.example", "https://www.shop.example"]}
 */

/** Browser write key → the origins allowed to send with it. */
export type BrowserKeys = Readonly<Record<string, readonly string[]>>;

const MAX_KEY_LENGTH = 256;

/** An origin as browsers send it: no path, query, trailing slash or upper case, default ports left out. */
const isSerialisedOrigin = (origin: string): boolean => {
  if (!/^https?:\/\//.test(origin)) return false;
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
};

/** Parses and checks the setting; the error names the key or origin at fault (never a whole key). */
export const parseBrowserKeys = (raw: string | undefined): BrowserKeys => {
  if (raw === undefined || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('browserKeys must be a JSON object: {"<browser write key>": ["https://shop.example"]}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('browserKeys must be a JSON object: {"<browser write key>": ["https://shop.example"]}');
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [index, [key, origins]] of entries.entries()) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (key.trim() === '' || key.length > MAX_KEY_LENGTH || /[\u0000-\u001f\u007f:]/.test(key))
      throw new Error(
        `browserKeys: key ${index + 1} must be 1–${MAX_KEY_LENGTH} printable characters without ':'`,
      );
    if (!Array.isArray(origins) || origins.length === 0)
      throw new Error(`browserKeys: key ${index + 1} must list at least one origin`);
    for (const origin of origins)
      if (typeof origin !== 'string' || !isSerialisedOrigin(origin))
        throw new Error(
          `browserKeys: ${JSON.stringify(origin)} is not an origin like "https://shop.example" (scheme and host, optional port, no path or trailing slash, lower case)`,
        );
  }
  return Object.fromEntries(entries) as BrowserKeys;
};
