import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { LoginBody, MfaCodeBody } from '../../../src/domains/auth/schema.js';
import { api } from '../api.js';
import { ErrorBanner, FormField, fieldErrorsOf, validate } from '../components/form-field.js';
import { useApplySession, type SessionInfo } from '../session.js';
import { MfaEnrolment } from './mfa-enrol.js';

/** The centred card the sign-in steps are shown in. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-frame" id="main">
      <div className="auth-card">
        <div className="brand brand-large" aria-hidden="true">Muhafiz</div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/**
 * Every step between "signed out" and "active": password, then a TOTP code
 * when the user has MFA, or a forced enrolment when the org requires MFA.
 * Renders nothing once the session is active; the parent shows the app.
 */
export function SignInFlow({ session, email }: { session: SessionInfo | null; email?: string }) {
  if (!session) return <PasswordStep email={email} />;
  if (session.stage === 'mfa_pending') return <CodeStep session={session} />;
  if (session.stage === 'mfa_enrolment') return <EnrolStep session={session} />;
  return null;
}

/** The whole-page sign-in. */
export function SignInPage({ session }: { session: SessionInfo | null }) {
  const title = !session ? 'Sign in' : session.stage === 'mfa_pending' ? 'Two-factor authentication' : 'Set up two-factor authentication';
  return (
    <AuthFrame title={title}>
      <SignInFlow session={session} />
    </AuthFrame>
  );
}

function PasswordStep({ email: initialEmail }: { email?: string | undefined }) {
  const applySession = useApplySession();
  const [email, setEmail] = useState(initialEmail ?? '');
  const [password, setPassword] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api.post<SessionInfo>('/api/auth/login', body),
    onSuccess: (s) => applySession(s),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(LoginBody, { email, password });
    setClientErrors(v.errors ?? {});
    if (v.data) login.mutate(v.data);
  };
  const errors = { ...fieldErrorsOf(login.error), ...clientErrors };
  return (
    <form onSubmit={submit} noValidate aria-label="Sign in">
      <ErrorBanner error={login.error} />
      <FormField label="Email" name="email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} errors={errors} />
      <FormField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} errors={errors} />
      <button type="submit" className="primary block" disabled={login.isPending}>{login.isPending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

function CodeStep({ session }: { session: SessionInfo }) {
  const applySession = useApplySession();
  const [code, setCode] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const verify = useMutation({
    mutationFn: (body: { code: string }) => api.post<SessionInfo>('/api/auth/mfa', body),
    onSuccess: (s) => applySession(s),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(MfaCodeBody, { code });
    setClientErrors(v.errors ?? {});
    if (v.data) verify.mutate(v.data);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Two-factor code">
      <p>Signed in as <strong>{session.user.email}</strong>. Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      <ErrorBanner error={verify.error} />
      <FormField label="Authentication code" name="code" inputMode="numeric" autoComplete="one-time-code" required autoFocus value={code} onChange={(e) => setCode(e.target.value)} errors={{ ...fieldErrorsOf(verify.error), ...clientErrors }} />
      <button type="submit" className="primary block" disabled={verify.isPending}>Verify</button>
      <SignOutLink />
    </form>
  );
}

function EnrolStep({ session }: { session: SessionInfo }) {
  const applySession = useApplySession();
  return (
    <>
      <p>{session.org?.name ?? 'Your organisation'} requires two-factor authentication. Set it up to continue.</p>
      <MfaEnrolment onDone={(s) => applySession(s)} />
      <SignOutLink />
    </>
  );
}

/** Abandons a half-finished sign-in. */
export function SignOutLink() {
  const applySession = useApplySession();
  const out = useMutation({ mutationFn: () => api.post('/api/auth/logout'), onSettled: () => applySession(null) });
  return (
    <p className="muted center">
      <button type="button" className="link" onClick={() => out.mutate()}>Use a different account</button>
    </p>
  );
}
