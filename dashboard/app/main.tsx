/** The dashboard: sign-in, navigation by the address's fragment, and the five views. */
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, checkKey, createApi, type Role } from './api';
import { forgetKey, initialKey, rememberKey, type Session } from './session';
import { ModelsView } from './views/models';
import { OverTimeView } from './views/over-time';
import { OverviewView } from './views/overview';
import { SegmentView } from './views/segment';
import { ShopperView } from './views/shopper';

type Route =
  | { readonly view: 'overview' }
  | { readonly view: 'segment'; readonly id: string }
  | { readonly view: 'shopper'; readonly id: string | null }
  | { readonly view: 'over-time' }
  | { readonly view: 'models' };

const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'segments':
      return parts[1] ? { view: 'segment', id: parts[1] } : { view: 'overview' };
    case 'shoppers':
      return { view: 'shopper', id: parts[1] || null };
    case 'over-time':
      return { view: 'over-time' };
    case 'models':
      return { view: 'models' };
    default:
      return { view: 'overview' };
  }
};

const useRoute = (): Route => {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
};

const NAV: readonly {
  readonly href: string;
  readonly label: string;
  readonly views: readonly Route['view'][];
}[] = [
  { href: '#/', label: 'Overview', views: ['overview', 'segment'] },
  { href: '#/over-time', label: 'Over time', views: ['over-time'] },
  { href: '#/shoppers', label: 'Shopper', views: ['shopper'] },
  { href: '#/models', label: 'Models', views: ['models'] },
];

const SignIn = ({
  onSignedIn,
  initialError,
}: {
  onSignedIn: (key: string, role: Role) => void;
  initialError: string | null;
}) => {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(key.trim(), await checkKey(key.trim()));
    } catch (e) {
      setError(signInMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Customer segments</h1>
      <p>Sign in with the service's read key to look, or its admin key to also change segment policies.</p>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label for="key">API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-invalid={error ? 'true' : undefined}
        />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p id="sign-in-error" class="field-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        Tip: open <code>/dashboard#key=&lt;key&gt;</code> to sign in directly. The key is kept for this tab
        only.
      </p>
    </main>
  );
};

const signInMessage = (e: unknown): string =>
  e instanceof ApiError && e.status === 401
    ? 'Sign-in failed: the service does not accept this key. Use the read key or the admin key (not the write key).'
    : `Sign-in failed: ${e instanceof Error ? e.message : String(e)}`;

const Shell = ({ session, route }: { session: Session; route: Route }) => {
  const heading = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Moves focus to the new view after navigating (not on the first render: a fresh page starts at
  // the top, with the skip button first), so keyboard and screen-reader users start at its top.
  useEffect(() => {
    if (first.current) first.current = false;
    else heading.current?.focus();
  }, [route.view, 'id' in route ? route.id : null]);
  return (
    <>
      <button type="button" class="skip" onClick={() => heading.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Customer segments</span>
        <nav aria-label="Views">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.views.includes(route.view) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" data-testid="role">
          {session.role === 'admin' ? 'Admin key' : 'Read key'}
        </span>
        <button type="button" class="secondary" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={heading} tabIndex={-1}>
        {route.view === 'overview' && <OverviewView session={session} />}
        {route.view === 'segment' && <SegmentView session={session} id={route.id} />}
        {route.view === 'shopper' && <ShopperView session={session} id={route.id} />}
        {route.view === 'over-time' && <OverTimeView session={session} />}
        {route.view === 'models' && <ModelsView session={session} />}
      </main>
    </>
  );
};

const App = () => {
  const route = useRoute();
  const [auth, setAuth] = useState<{ key: string; role: Role } | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const key = initialKey();
    if (!key) return setChecking(false);
    checkKey(key).then(
      (role) => {
        rememberKey(key);
        setAuth({ key, role });
        setChecking(false);
      },
      (e) => {
        forgetKey();
        setError(signInMessage(e));
        setChecking(false);
      },
    );
  }, []);
  const session = useMemo<Session | null>(
    () =>
      auth && {
        api: createApi(auth.key),
        role: auth.role,
        signOut: () => {
          forgetKey();
          setAuth(null);
          setError(null);
          location.hash = '#/';
        },
      },
    [auth],
  );
  if (checking)
    return (
      <p class="loading" role="status">
        Signing in…
      </p>
    );
  if (!session)
    return (
      <SignIn
        initialError={error}
        onSignedIn={(key, role) => {
          rememberKey(key);
          setAuth({ key, role });
        }}
      />
    );
  return <Shell session={session} route={route} />;
};

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
