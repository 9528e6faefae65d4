import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TokenCreateBody, type TokenRow } from '../../../src/domains/auth/schema.js';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf, validate } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { can, useActiveSession } from '../session.js';
import { CopyButton } from './mfa-enrol.js';

type Created = TokenRow & { token: string };

/** API tokens: create (role + expiry), the secret shown once, list, revoke. */
export function TokensPage() {
  const s = useActiveSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  const list = useQuery({ queryKey: ['tokens'], queryFn: () => api.get<{ items: TokenRow[] }>('/api/tokens') });
  const revoke = useMutation({
    mutationFn: (t: TokenRow) => api.delete<TokenRow>(`/api/tokens/${t.id}`),
    onSuccess: (t) => {
      setRevoking(null);
      toast(`Token ${t.name} revoked`);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  return (
    <>
      <h1>API tokens</h1>
      <p className="muted">Scripts and integrations call the API with <code>Authorization: Bearer &lt;token&gt;</code>. A token acts in {s.org?.name} with the role you give it, never more than you have.</p>
      {can(s, 'tokens.create') ? (
        <NewToken
          roles={s.roles}
          onCreated={(t) => {
            setCreated(t);
            void qc.invalidateQueries({ queryKey: ['tokens'] });
          }}
        />
      ) : null}
      {created ? (
        <div className="one-time" role="status">
          <strong>Token {created.name} created.</strong> Copy it now: it is not shown again.
          <code data-testid="new-token">{created.token}</code>
          <div className="row-actions">
            <CopyButton text={created.token} label="Copy token" />
            <button type="button" className="small" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      ) : null}
      <h2>Tokens</h2>
      <ErrorBanner error={list.error} />
      <DataTable
        caption="API tokens"
        rows={list.data?.items}
        loading={list.isPending}
        rowKey={(t) => t.id}
        empty="No API tokens."
        columns={[
          { key: 'name', header: 'Name', render: (t) => <><strong>{t.name}</strong><div className="muted"><code>{t.prefix}…</code></div></> },
          { key: 'role', header: 'Role', render: (t) => <span className="tag">{labelOf(t.role)}</span> },
          { key: 'expires', header: 'Expires', render: (t) => (t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : 'Never'), wide: true },
          { key: 'used', header: 'Last used', render: (t) => (t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'Never'), wide: true },
          { key: 'status', header: 'Status', render: (t) => (t.revokedAt ? <span className="status status-revoked">Revoked</span> : t.expiresAt && new Date(t.expiresAt) < new Date() ? <span className="status status-expired">Expired</span> : <span className="status status-active">Active</span>) },
          { key: 'actions', header: 'Actions', render: (t) => (t.actions.includes('revoke') ? <button type="button" className="small danger-outline" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>Revoke</button> : null) },
        ]}
      />
      <ConfirmDialog open={revoking !== null} title={`Revoke ${revoking?.name ?? 'token'}?`} confirmLabel="Revoke" danger busy={revoke.isPending} onCancel={() => setRevoking(null)} onConfirm={() => revoking && revoke.mutate(revoking)}>
        <ErrorBanner error={revoke.error} />
        Anything using this token stops working at once.
      </ConfirmDialog>
    </>
  );
}

function NewToken({ roles, onCreated }: { roles: readonly string[]; onCreated: (t: Created) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState(roles[0] ?? 'viewer');
  const [days, setDays] = useState('90');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<Created>('/api/tokens', body),
    onSuccess: (t) => {
      setName('');
      onCreated(t);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(TokenCreateBody, { name, role, ...(days ? { expiresInDays: Number(days) } : {}) });
    setClientErrors(v.errors ?? {});
    if (v.data) create.mutate(v.data);
  };
  const errors = { ...fieldErrorsOf(create.error), ...clientErrors };
  return (
    <form className="form-card" onSubmit={submit} noValidate aria-labelledby="new-token-h">
      <h2 id="new-token-h">New token</h2>
      <ErrorBanner error={create.error} />
      <FormField label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} errors={errors} hint="What uses it, e.g. “SIEM export”." />
      <SelectField label="Role" name="role" value={role} onChange={setRole} options={roles.map((r) => ({ value: r, label: labelOf(r) }))} errors={errors} />
      <SelectField
        label="Expires after"
        name="expiresInDays"
        value={days}
        onChange={setDays}
        errors={errors}
        options={[
          { value: '7', label: '7 days' },
          { value: '30', label: '30 days' },
          { value: '90', label: '90 days' },
          { value: '365', label: '1 year' },
          { value: '730', label: '2 years' },
          { value: '', label: 'Never' },
        ]}
      />
      <button type="submit" className="primary" disabled={create.isPending}>Create token</button>
    </form>
  );
}
