import { useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ROLES } from '../../../src/core/access/index.js';
import { InvitationCreateBody, type InvitationRow } from '../../../src/domains/tenancy/schema.js';
import { api, type Paged } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DataTable } from '../components/data-table.js';
import { useListParams } from '../components/filter-bar.js';
import { CheckboxGroup, ErrorBanner, FormField, fieldErrorsOf, labelOf, validate } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { CopyButton } from './mfa-enrol.js';

type Created = InvitationRow & { link: string };

/** Invite people by link, see who accepted, revoke what is pending. */
export function InvitationsPage() {
  const { limit, offset, setOffset } = useListParams(25);
  const qc = useQueryClient();
  const toast = useToast();
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<InvitationRow | null>(null);
  const list = useQuery({
    queryKey: ['invitations', offset],
    queryFn: () => api.get<Paged<InvitationRow>>('/api/invitations', { limit, offset }),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (i: InvitationRow) => api.delete<InvitationRow>(`/api/invitations/${i.id}`),
    onSuccess: (i) => {
      setRevoking(null);
      toast(`Invitation for ${i.email} revoked`);
      void qc.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  return (
    <>
      <h1>Invitations</h1>
      <NewInvitation
        onCreated={(c) => {
          setCreated(c);
          void qc.invalidateQueries({ queryKey: ['invitations'] });
        }}
      />
      {created ? (
        <div className="one-time" role="status">
          <strong>Invitation for {created.email} created.</strong> It was mailed; you can also send this link yourself. It is shown only now.
          <code data-testid="invitation-link">{created.link}</code>
          <div className="row-actions">
            <CopyButton text={created.link} label="Copy link" />
            <button type="button" className="small" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      ) : null}
      <h2>All invitations</h2>
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Invitations"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(i) => i.id}
        empty="No invitations yet."
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'email', header: 'Email', render: (i) => i.email },
          { key: 'roles', header: 'Roles', render: (i) => i.roles.map((r) => <span key={r} className="tag">{labelOf(r)}</span>), wide: true },
          { key: 'status', header: 'Status', render: (i) => <span className={`status status-${i.status}`}>{labelOf(i.status)}</span> },
          { key: 'expires', header: 'Expires', render: (i) => new Date(i.expiresAt).toLocaleDateString(), wide: true },
          {
            key: 'actions',
            header: 'Actions',
            render: (i) => (i.actions.includes('revoke') ? <button type="button" className="small danger-outline" onClick={() => setRevoking(i)} aria-label={`Revoke invitation for ${i.email}`}>Revoke</button> : null),
          },
        ]}
      />
      <ConfirmDialog open={revoking !== null} title="Revoke invitation?" confirmLabel="Revoke" danger busy={revoke.isPending} onCancel={() => setRevoking(null)} onConfirm={() => revoking && revoke.mutate(revoking)}>
        <ErrorBanner error={revoke.error} />
        The link sent to {revoking?.email} stops working.
      </ConfirmDialog>
    </>
  );
}

function NewInvitation({ onCreated }: { onCreated: (c: Created) => void }) {
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<string[]>(['staff']);
  const [days, setDays] = useState('7');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<Created>('/api/invitations', body),
    onSuccess: (c) => {
      setEmail('');
      onCreated(c);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(InvitationCreateBody, { email, roles, expiresInDays: Number(days) });
    setClientErrors(v.errors ?? {});
    if (v.data) create.mutate(v.data);
  };
  const errors = { ...fieldErrorsOf(create.error), ...clientErrors };
  return (
    <form className="form-card" onSubmit={submit} noValidate aria-labelledby="new-inv-h">
      <h2 id="new-inv-h">Invite someone</h2>
      <ErrorBanner error={create.error} />
      <FormField label="Email" name="email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} errors={errors} />
      <CheckboxGroup legend="Roles" name="roles" options={ROLES} value={roles} onChange={setRoles} errors={errors} />
      <FormField label="Valid for (days)" name="expiresInDays" type="number" min={1} max={30} value={days} onChange={(e) => setDays(e.target.value)} errors={errors} />
      <button type="submit" className="primary" disabled={create.isPending}>Send invitation</button>
    </form>
  );
}
