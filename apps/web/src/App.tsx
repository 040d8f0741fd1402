import { Suspense, useEffect } from 'react';
import { useMe } from './account/account-api.ts';
import { useUnread } from './account/notifications.ts';
import { preloadRoute, routes } from './routes.tsx';
import { PageErrorBoundary } from './shell/PageErrorBoundary.tsx';
import type { Audience } from './shell/PanelBoundary.tsx';
import { Link, matchPath, usePathname } from './shell/router.tsx';
import { setPreferences, usePreferences, useResolvedTheme } from './storage/preferences.ts';
import type { ThemeChoice } from './storage/preferences.ts';

function ThemePicker() {
  const { theme } = usePreferences();
  return (
    <label className="theme-picker">
      <span className="visually-hidden">Theme</span>
      <select
        value={theme}
        onChange={(e) => setPreferences({ theme: e.target.value as ThemeChoice })}
        data-testid="theme-select"
        aria-label="Theme"
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** The badge of unread comments on the Account link (students). */
function UnreadBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="badge" data-testid="unread-badge" title={`${count} new comments`}>
      {count}
      <span className="visually-hidden"> new comment{count === 1 ? '' : 's'}</span>
    </span>
  );
}

export function App() {
  const pathname = usePathname();
  const theme = useResolvedTheme();
  const me = useMe();
  const unread = useUnread(pathname);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  let audience: Audience = 'student';
  let page = (
    <p className="page-message">
      This page does not exist. <Link href="/">Go to the exercises</Link>.
    </p>
  );
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) {
      const Page = route.component;
      audience = route.audience ?? 'student';
      page = <Page key={route.path} {...params} />;
      break;
    }
  }
  useEffect(() => preloadRoute(pathname), [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ▚
          </span>{' '}
          eBPF Lab
        </Link>
        <nav aria-label="Main" className="topnav">
          {routes
            .filter((r) => r.nav && (!r.navForStaff || me?.teaches))
            .map((r) => (
              <Link
                key={r.path}
                href={r.path}
                aria-current={
                  pathname === r.path || (r.path !== '/' && pathname.startsWith(`${r.path}/`))
                    ? 'page'
                    : undefined
                }
                data-testid={`nav-${r.path.slice(1) || 'home'}`}
              >
                {r.nav}
                {r.path === '/account' && <UnreadBadge count={unread.total} />}
              </Link>
            ))}
        </nav>
        <div className="topbar-end">
          <ThemePicker />
        </div>
      </header>
      <main id="main" className="main">
        <PageErrorBoundary resetKey={pathname} audience={audience}>
          <Suspense fallback={<p className="page-message">Loading…</p>}>{page}</Suspense>
        </PageErrorBoundary>
      </main>
    </div>
  );
}
