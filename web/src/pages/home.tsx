import { Link } from 'react-router-dom';
import { labelOf } from '../components/form-field.js';
import { visibleNav } from '../nav.js';
import { useActiveSession } from '../session.js';

/** The landing page: who you are, where you act, and where you can go. */
export function HomePage() {
  const s = useActiveSession();
  const links = visibleNav(s).filter((i) => i.path !== '/');
  return (
    <>
      <h1>Welcome, {s.user.displayName}</h1>
      {s.org ? (
        <p>
          You are acting in <strong>{s.org.name}</strong> ({labelOf(s.org.kind)}) as {s.roles.map(labelOf).join(', ') || 'a member without roles'}.
        </p>
      ) : (
        <p>You are not a member of any organisation yet.</p>
      )}
      {!s.user.mfaEnabled ? (
        <div className="banner banner-warn">
          Two-factor authentication is off for your account. <Link to="/account/mfa">Set it up</Link>.
        </div>
      ) : null}
      <ul className="card-grid">
        {links.map((i) => (
          <li key={i.path} className="card">
            <Link to={i.path}>{i.label}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </>
  );
}
