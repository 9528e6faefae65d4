import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ROLES } from '../../../src/core/access/index.js';
import type { MemberRow } from '../../../src/domains/tenancy/schema.js';
import { api, type Paged } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { CheckboxGroup, ErrorBanner, fieldErrorsOf, labelOf } from '../components/form-field.js';
import { useToast } from '../components/toast.js';

export const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: labelOf(r) }));

/** People of the acting org: search, role filter, paging; admins change roles and remove members. */
export function MembersPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), role: get('role') };
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({
    queryKey: ['members', filters, offset],
    queryFn: () => api.get<Paged<MemberRow>>('/api/members', { ...filters, limit, offset }),
    placeholderData: keepPreviousData,
  });
  const [editing, setEditing] = useState<MemberRow | null>(null);
  const [removing, setRemoving] = useState<MemberRow | null>(null);
  const remove = useMutation({
    mutationFn: (m: MemberRow) => api.delete(`/api/members/${m.userId}`),
    onSuccess: (_r, m) => {
      setRemoving(null);
      toast(`${m.displayName} was removed`);
      void qc.invalidateQueries({ queryKey: ['members'] });
    },
  });
  return (
    <>
      <h1>Members</h1>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search name or email' },
          { name: 'role', label: 'Role', type: 'select', options: ROLE_OPTIONS },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Members"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(m) => m.userId}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'name', header: 'Name', render: (m) => <><strong>{m.displayName}</strong><div className="muted">{m.email}</div></> },
          { key: 'roles', header: 'Roles', render: (m) => m.roles.map((r) => <span key={r} className="tag">{labelOf(r)}</span>) },
          { key: 'mfa', header: 'Two-factor', render: (m) => (m.mfaEnabled ? 'On' : 'Off'), wide: true },
          { key: 'since', header: 'Member since', render: (m) => new Date(m.createdAt).toLocaleDateString(), wide: true },
          {
            key: 'actions',
            header: 'Actions',
            render: (m) =>
              m.actions.includes('members.manage') ? (
                <div className="row-actions">
                  <button type="button" className="small" onClick={() => setEditing(m)} aria-label={`Change roles of ${m.displayName}`}>Roles</button>
                  <button type="button" className="small danger-outline" onClick={() => setRemoving(m)} aria-label={`Remove ${m.displayName}`}>Remove</button>
                </div>
              ) : null,
          },
        ]}
      />
      {editing ? <RolesDialog member={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog open={removing !== null} title={`Remove ${removing?.displayName ?? ''}?`} confirmLabel="Remove" danger busy={remove.isPending} onCancel={() => setRemoving(null)} onConfirm={() => removing && remove.mutate(removing)}>
        <ErrorBanner error={remove.error} />
        They lose access to this organisation at once. Their past actions stay in the audit log.
      </ConfirmDialog>
    </>
  );
}

function RolesDialog({ member, onClose }: { member: MemberRow; onClose: () => void }) {
  const [roles, setRoles] = useState<string[]>(member.roles);
  const qc = useQueryClient();
  const toast = useToast();
  const save = useMutation({
    mutationFn: () => api.patch(`/api/members/${member.userId}`, { roles }),
    onSuccess: () => {
      toast(`Roles of ${member.displayName} updated`);
      void qc.invalidateQueries({ queryKey: ['members'] });
      onClose();
    },
  });
  return (
    <ConfirmDialog open title={`Roles of ${member.displayName}`} confirmLabel="Save roles" busy={save.isPending || roles.length === 0} onCancel={onClose} onConfirm={() => save.mutate()}>
      <ErrorBanner error={save.error} />
      <CheckboxGroup legend="Roles" name="roles" options={ROLES} value={roles} onChange={setRoles} errors={fieldErrorsOf(save.error)} />
    </ConfirmDialog>
  );
}
