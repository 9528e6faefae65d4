import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ChangePasswordBody } from '../../../src/domains/auth/schema.js';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBanner, FormField, fieldErrorsOf, validate } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { useActiveSession, useApplySession } from '../session.js';
import { MfaEnrolment } from './mfa-enrol.js';

interface SessionRow {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** Account security: two-factor status, password change, live sessions. */
export function AccountSecurityPage() {
  const s = useActiveSession();
  return (
    <>
      <h1>Security</h1>
      <section className="form-card" aria-labelledby="mfa-h">
        <h2 id="mfa-h">Two-factor authentication</h2>
        {s.user.mfaEnabled ? (
          <p>On. You sign in with your password and a code from your authenticator app.</p>
        ) : (
          <p>
            Off. <Link to="/account/mfa">Set up two-factor authentication</Link>
          </p>
        )}
      </section>
      <ChangePassword />
      <Sessions />
    </>
  );
}

function ChangePassword() {
  const toast = useToast();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const qc = useQueryClient();
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => api.post('/api/auth/password', body),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      setRepeat('');
      toast('Password changed; your other sessions were signed out');
      void qc.invalidateQueries({ queryKey: ['my-sessions'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(ChangePasswordBody, { currentPassword, newPassword });
    const errors = { ...(v.errors ?? {}) };
    if (newPassword && repeat !== newPassword) errors.repeat = 'The passwords differ';
    setClientErrors(errors);
    if (v.data && !errors.repeat) change.mutate(v.data);
  };
  const errors = { ...fieldErrorsOf(change.error), ...clientErrors };
  return (
    <section className="form-card" aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={change.error} />
        <FormField label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrent(e.target.value)} errors={errors} />
        <FormField label="New password" name="newPassword" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNew(e.target.value)} errors={errors} hint="At least 12 characters; not a common password." />
        <FormField label="Repeat the new password" name="repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} errors={errors} />
        <button type="submit" className="primary" disabled={change.isPending}>Change password</button>
      </form>
    </section>
  );
}

function Sessions() {
  const toast = useToast();
  const qc = useQueryClient();
  const applySession = useApplySession();
  const navigate = useNavigate();
  const [everywhere, setEverywhere] = useState(false);
  const list = useQuery({ queryKey: ['my-sessions'], queryFn: () => api.get<{ items: SessionRow[] }>('/api/auth/sessions') });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/auth/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => {
      toast('Session ended');
      void qc.invalidateQueries({ queryKey: ['my-sessions'] });
    },
  });
  const outEverywhere = useMutation({
    mutationFn: () => api.post('/api/auth/logout', {}, { everywhere: 'true' }),
    onSettled: () => {
      applySession(null);
      navigate('/');
    },
  });
  return (
    <section aria-labelledby="sessions-h">
      <div className="page-head">
        <h2 id="sessions-h">Where you are signed in</h2>
        <button type="button" className="danger-outline" onClick={() => setEverywhere(true)}>Sign out everywhere</button>
      </div>
      <ErrorBanner error={list.error ?? revoke.error} />
      <DataTable
        caption="Your sessions"
        rows={list.data?.items}
        loading={list.isPending}
        rowKey={(r) => r.id}
        columns={[
          { key: 'device', header: 'Device', render: (r) => <>{shortAgent(r.userAgent)}{r.current ? <span className="tag"> this device</span> : null}</> },
          { key: 'ip', header: 'IP address', render: (r) => r.ip ?? '—', wide: true },
          { key: 'created', header: 'Signed in', render: (r) => new Date(r.createdAt).toLocaleString(), wide: true },
          { key: 'seen', header: 'Last active', render: (r) => new Date(r.lastSeenAt).toLocaleString() },
          { key: 'act', header: 'Actions', render: (r) => (r.current ? null : <button type="button" className="small" onClick={() => revoke.mutate(r.id)}>End session</button>) },
        ]}
      />
      <ConfirmDialog open={everywhere} title="Sign out everywhere?" confirmLabel="Sign out everywhere" danger busy={outEverywhere.isPending} onCancel={() => setEverywhere(false)} onConfirm={() => outEverywhere.mutate()}>
        Every session of your account ends, including this one.
      </ConfirmDialog>
    </section>
  );
}

/** "Chrome on Linux" out of a user-agent string, or the string itself. */
function shortAgent(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  return browser && os ? `${browser} on ${os}` : ua.slice(0, 60);
}

/** Voluntary MFA set-up from the account pages. */
export function MfaSetupPage() {
  const s = useActiveSession();
  const applySession = useApplySession();
  const navigate = useNavigate();
  const toast = useToast();
  if (s.user.mfaEnabled) {
    return (
      <>
        <h1>Two-factor authentication</h1>
        <p>Two-factor authentication is on for your account.</p>
      </>
    );
  }
  return (
    <>
      <h1>Set up two-factor authentication</h1>
      <div className="narrow">
        <MfaEnrolment
          onDone={(next) => {
            applySession(next);
            toast('Two-factor authentication is on');
            navigate('/account/security');
          }}
        />
      </div>
    </>
  );
}
