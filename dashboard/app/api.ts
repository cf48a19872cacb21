/**
 * The service's public HTTP API as the dashboard calls it: the key it was opened with as a
 * Bearer token, JSON answers, errors as `ApiError` with the service's status, message and field.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export const apiBase = (): string => {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="api-url"]')?.content ?? '';
  return meta.replace(/\/$/, '') || location.origin;
};

const errorOf = async (res: Response): Promise<ApiError> => {
  let body: { error?: string; message?: string; field?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(
    res.status,
    body.message ?? `the service answered ${res.status} ${res.statusText}`,
    body.error ?? null,
    body.field ?? null,
  );
};

export interface Api {
  get<T>(path: string): Promise<T>;
  /** The raw answer (CSV etc.), after checking the status. */
  raw(path: string, accept: string): Promise<Response>;
  send<T>(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export const createApi = (key: string, base = apiBase()): Api => {
  const call = async (method: string, path: string, init: { accept?: string; body?: unknown } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: init.accept ?? 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (!res.ok) throw await errorOf(res);
    return res;
  };
  return {
    get: async <T>(path: string) => (await (await call('GET', path)).json()) as T,
    raw: (path, accept) => call('GET', path, { accept }),
    send: async <T>(method: 'PUT' | 'DELETE', path: string, body?: unknown) => {
      const res = await call(method, path, body === undefined ? {} : { body });
      const text = await res.text();
      return (text ? JSON.parse(text) : null) as T;
    },
  };
};

export type Role = 'read' | 'admin';

/**
 * Signs in: a read of the catalogue says whether the key is accepted (401: it is not). Whether it
 * is the admin key is asked of a policy change that can never apply — an invalid body for a
 * segment id no model has — which the admin key gets past the key check (400/404) and the read
 * key does not (401). Nothing is ever changed.
 */
export const checkKey = async (key: string, base = apiBase()): Promise<Role> => {
  const headers = { authorization: `Bearer ${key}` };
  const read = await fetch(`${base}/v1/segments`, { headers });
  if (read.status === 401) throw await errorOf(read);
  if (!read.ok && read.status !== 503) throw await errorOf(read);
  const probe = await fetch(`${base}/v1/segments/-key-check-/policy`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
  });
  return probe.status === 401 || probe.status === 403 ? 'read' : 'admin';
};

export const enc = encodeURIComponent;
