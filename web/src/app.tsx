import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { setUnauthenticatedHandler } from './api.js';
import { ErrorBanner } from './components/form-field.js';
import { Layout } from './layout.js';
import { AuthFrame, SignInPage } from './pages/sign-in.js';
import { InviteAcceptPage } from './pages/invite-accept.js';
import { AppRoutes } from './routes.js';
import { SESSION_KEY, useSession } from './session.js';

/** The gate: the invitation page is public; everything else needs an active session. */
export function App() {
  const location = useLocation();
  const qc = useQueryClient();
  const { data: session, isPending, error } = useSession();

  // A 401 from any page means the session ended (idle timeout, signed out elsewhere): ask again.
  useEffect(() => {
    setUnauthenticatedHandler(() => void qc.invalidateQueries({ queryKey: SESSION_KEY }));
    return () => setUnauthenticatedHandler(null);
  }, [qc]);

  if (location.pathname === '/invite') return <InviteAcceptPage />;
  if (isPending) return <div className="splash" role="status">Loading…</div>;
  if (error) {
    return (
      <AuthFrame title="Muhafiz is unavailable">
        <ErrorBanner error={error} />
      </AuthFrame>
    );
  }
  if (!session || session.stage !== 'active') return <SignInPage session={session} />;
  return (
    <Layout>
      <AppRoutes />
    </Layout>
  );
}
