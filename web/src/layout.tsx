import { useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router-dom';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from './api.js';
import { ErrorBanner } from './components/form-field.js';
import { useToast } from './components/toast.js';
import { SECTION_LABELS, visibleNav, type NavItem } from './nav.js';
import { useActiveSession, useApplySession, type SessionInfo } from './session.js';

/** The signed-in frame: header (org switcher, notifications, account), navigation, content. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useActiveSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  // Following a link closes the phone menu.
  useEffect(() => setMenuOpen(false), [location.pathname]);
  // Escape closes the phone menu, as it would a dialog.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setMenuOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="sidenav" onClick={() => setMenuOpen((o) => !o)}>
          <span aria-hidden="true">☰</span>
          <span className="sr-only">Menu</span>
        </button>
        <Link to="/" className="brand">Muhafiz</Link>
        <OrgSwitcher session={session} />
        <div className="topbar-end">
          <NotificationBell />
          <UserMenu session={session} />
        </div>
      </header>
      <nav id="sidenav" className="sidenav" aria-label="Main">
        <NavSections items={visibleNav(session)} />
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function NavSections({ items }: { items: NavItem[] }) {
  const sections = (['main', 'admin', 'account'] as const).map((s) => ({ s, items: items.filter((i) => (i.section ?? 'main') === s) })).filter((x) => x.items.length);
  return (
    <>
      {sections.map(({ s, items: its }) => (
        <div className="nav-section" key={s}>
          <h2 className="nav-heading">{SECTION_LABELS[s]}</h2>
          <ul>
            {its.map((i) => (
              <li key={i.path}>
                <NavLink to={i.path} end={i.path === '/'}>{i.label}</NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </>
  );
}

/** Switches the acting organisation; the server rotates the session and answers with the new one. */
function OrgSwitcher({ session }: { session: SessionInfo }) {
  const applySession = useApplySession();
  const navigate = useNavigate();
  const toast = useToast();
  const sw = useMutation({
    mutationFn: (orgId: string) => api.post<SessionInfo>('/api/auth/switch-org', { orgId }),
    onSuccess: (s) => {
      // Leave the current page first: it may not exist for the new org and would refetch into a 403.
      navigate('/');
      applySession(s);
      toast(`Now acting in ${s.org?.name ?? 'the organisation'}`);
    },
  });
  if (session.memberships.length <= 1) return <span className="org-name" title="Acting organisation">{session.org?.name}</span>;
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher" className="sr-only">Acting organisation</label>
      <select id="org-switcher" value={session.org?.id ?? ''} disabled={sw.isPending} onChange={(e) => sw.mutate(e.target.value)}>
        {session.memberships.map((m) => (
          <option key={m.orgId} value={m.orgId}>{m.orgName}</option>
        ))}
      </select>
      {sw.error ? <ErrorBanner error={sw.error} /> : null}
    </div>
  );
}

/** The bell with the unread count; polls gently because notifications arrive from jobs. */
function NotificationBell() {
  const { data } = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: () => api.get<{ unread: number }>('/api/notifications', { limit: 1 }),
    refetchInterval: 60_000,
  });
  const unread = data?.unread ?? 0;
  return (
    <Link to="/notifications" className="bell" aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}>
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.73 21a2 2 0 0 1-3.46 0" />
      </svg>
      {unread ? <span className="badge" data-testid="unread-count">{unread > 99 ? '99+' : unread}</span> : null}
    </Link>
  );
}

function UserMenu({ session }: { session: SessionInfo }) {
  const applySession = useApplySession();
  const navigate = useNavigate();
  const out = useMutation({
    mutationFn: () => api.post('/api/auth/logout'),
    onSettled: () => {
      applySession(null);
      navigate('/');
    },
  });
  return (
    <div className="user-menu">
      <Link to="/account/security" className="user-name" title={session.user.email}>{session.user.displayName}</Link>
      <button type="button" onClick={() => out.mutate()} disabled={out.isPending}>Sign out</button>
    </div>
  );
}
