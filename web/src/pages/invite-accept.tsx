import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { InvitationAcceptBody } from '../../../src/domains/tenancy/schema.js';
import { api } from '../api.js';
import { ErrorBanner, FormField, fieldErrorsOf, labelOf, validate } from '../components/form-field.js';
import { SESSION_KEY, useApplySession, useSession, type SessionInfo } from '../session.js';
import { AuthFrame, SignInFlow } from './sign-in.js';

interface Preview {
  orgName: string;
  email: string;
  roles: string[];
  expiresAt: string;
  userExists: boolean;
}

// A newcomer's account needs both fields; the server says the same, this just says it sooner.
const NewcomerForm = InvitationAcceptBody.extend({
  displayName: z.string().trim().min(1, 'Enter your name').max(200),
  password: z.string().min(1, 'Choose a password').max(256),
});

/**
 * /invite#<token>. The token sits in the fragment so it never reaches a
 * server log; it is sent to the API in a request body.
 */
export function InviteAcceptPage() {
  const token = decodeURIComponent(window.location.hash.replace(/^#/, ''));
  const qc = useQueryClient();
  const { data: session, isPending: sessionPending } = useSession();
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: () => api.post<Preview>('/api/invitations/preview', { token }),
    // A signed-in browser must send its CSRF token even here, and the token comes with the session.
    enabled: token.length >= 20 && !sessionPending,
    retry: false,
    // Kept across sign-in: after accepting, the token no longer previews, but the page still shows what was joined.
    meta: { public: true },
    staleTime: Infinity,
  });
  const accept = useMutation({
    mutationFn: (body: { token: string; displayName?: string; password?: string }) => api.post<{ orgId: string; created: boolean }>('/api/invitations/accept', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: SESSION_KEY }),
  });

  if (token.length < 20) {
    return (
      <AuthFrame title="Invitation">
        <div className="banner banner-error" role="alert">This invitation link is incomplete. Open the full link from your email.</div>
      </AuthFrame>
    );
  }
  if (preview.isPending) return <AuthFrame title="Invitation"><p role="status">Checking the invitation…</p></AuthFrame>;
  if (preview.error || !preview.data) {
    return (
      <AuthFrame title="Invitation">
        <ErrorBanner error={preview.error} />
        <p>Ask whoever invited you for a new link.</p>
      </AuthFrame>
    );
  }
  const inv = preview.data;

  if (accept.data) {
    return (
      <AuthFrame title={`Welcome to ${inv.orgName}`}>
        <div className="banner banner-ok" role="status">
          {accept.data.created ? 'Your account is ready.' : `${inv.orgName} is now among your organisations.`}
        </div>
        {accept.data.created ? (
          <>
            <p>Sign in with your email and the password you chose.</p>
            <SignInFlow session={session ?? null} email={inv.email} />
            {session?.stage === 'active' ? <p><Link to="/">Continue to Muhafiz</Link></p> : null}
          </>
        ) : (
          <SwitchTo orgId={accept.data.orgId} orgName={inv.orgName} />
        )}
      </AuthFrame>
    );
  }

  const summary = (
    <p>
      You are invited to join <strong>{inv.orgName}</strong> as {inv.roles.map(labelOf).join(', ')}. The invitation is for <strong>{inv.email}</strong> and
      expires {new Date(inv.expiresAt).toLocaleString()}.
    </p>
  );

  if (!inv.userExists) {
    return (
      <AuthFrame title="Join Muhafiz">
        {summary}
        <NewcomerSignup token={token} email={inv.email} accept={accept} />
      </AuthFrame>
    );
  }

  const signedInAs = session?.stage === 'active' ? session.user.email : null;
  return (
    <AuthFrame title="Accept invitation">
      {summary}
      <ErrorBanner error={accept.error} />
      {signedInAs === inv.email ? (
        <button type="button" className="primary block" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>Accept and join {inv.orgName}</button>
      ) : signedInAs ? (
        <div className="banner banner-warn">You are signed in as {signedInAs}. Sign out and sign in as {inv.email} to accept.</div>
      ) : (
        <>
          <p>You already have an account. Sign in as {inv.email} to accept.</p>
          <SignInFlow session={session ?? null} email={inv.email} />
        </>
      )}
    </AuthFrame>
  );
}

/** After an existing user accepted: act in the new org right away. */
function SwitchTo({ orgId, orgName }: { orgId: string; orgName: string }) {
  const applySession = useApplySession();
  const navigate = useNavigate();
  const sw = useMutation({
    mutationFn: () => api.post<SessionInfo>('/api/auth/switch-org', { orgId }),
    onSuccess: (s) => {
      navigate('/');
      applySession(s);
    },
  });
  return (
    <>
      <ErrorBanner error={sw.error} />
      <button type="button" className="primary block" disabled={sw.isPending} onClick={() => sw.mutate()}>Switch to {orgName} now</button>
      <p className="center"><Link to="/">Continue where I was</Link></p>
    </>
  );
}

function NewcomerSignup({ token, email, accept }: { token: string; email: string; accept: { mutate: (b: { token: string; displayName: string; password: string }) => void; isPending: boolean; error: unknown } }) {
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(NewcomerForm, { token, displayName, password });
    const errors = { ...(v.errors ?? {}) };
    if (password && repeat !== password) errors.repeat = 'The passwords differ';
    setClientErrors(errors);
    if (v.data && !errors.repeat) accept.mutate({ token, displayName: v.data.displayName, password: v.data.password });
  };
  const errors = { ...fieldErrorsOf(accept.error), ...clientErrors };
  return (
    <form onSubmit={submit} noValidate aria-label="Create your account">
      <ErrorBanner error={accept.error} />
      <input type="hidden" name="email" autoComplete="username" value={email} readOnly />
      <FormField label="Your name" name="displayName" autoComplete="name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} errors={errors} />
      <FormField label="Password" name="password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} errors={errors} hint="At least 12 characters; a passphrase of several words works well." />
      <FormField label="Repeat the password" name="repeat" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} errors={errors} />
      <button type="submit" className="primary block" disabled={accept.isPending}>Create account and join</button>
    </form>
  );
}
