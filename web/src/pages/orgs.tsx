import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { OrgKind, OrgUpdateBody, type OrgRow } from '../../../src/domains/tenancy/schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { ErrorBanner, FormField, fieldErrorsOf, labelOf, validate } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { SESSION_KEY, useActiveSession } from '../session.js';

const KIND_OPTIONS = OrgKind.options.filter((k) => k !== 'platform').map((k) => ({ value: k, label: labelOf(k) }));

/** The directory of organisations on the platform. */
export function OrgsPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), kind: get('kind') };
  const list = useQuery({
    queryKey: ['orgs', filters, offset],
    queryFn: () => api.get<Paged<OrgRow>>('/api/orgs', { ...filters, limit, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Organisations</h1>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search name' },
          { name: 'kind', label: 'Kind', type: 'select', options: KIND_OPTIONS },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Organisations"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(o) => o.id}
        empty="No organisations match."
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'name', header: 'Name', render: (o) => <><strong>{o.name}</strong><div className="muted">{o.shortName}</div></> },
          { key: 'kind', header: 'Kind', render: (o) => labelOf(o.kind) },
          { key: 'sector', header: 'Sector', render: (o) => o.sector ?? '', wide: true },
          { key: 'country', header: 'Country', render: (o) => o.country ?? '', wide: true },
        ]}
      />
    </>
  );
}

/** Settings of the acting org: its name and whether every member must use MFA. */
export function OrgSettingsPage() {
  const s = useActiveSession();
  const orgId = s.org?.id ?? '';
  const org = useQuery({ queryKey: ['org', orgId], queryFn: () => api.get<OrgRow>(`/api/orgs/${orgId}`), enabled: Boolean(orgId) });
  return (
    <>
      <h1>Organisation settings</h1>
      <ErrorBanner error={org.error} />
      {org.data ? <OrgSettingsForm key={org.data.id + org.data.name + String(org.data.mfaRequired)} org={org.data} mfaEnabled={s.user.mfaEnabled} /> : null}
    </>
  );
}

function OrgSettingsForm({ org, mfaEnabled }: { org: OrgRow; mfaEnabled: boolean }) {
  const [name, setName] = useState(org.name);
  const [mfaRequired, setMfaRequired] = useState(org.mfaRequired);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const qc = useQueryClient();
  const toast = useToast();
  const editable = org.actions.includes('orgs.update');
  const save = useMutation({
    mutationFn: (body: unknown) => api.patch<OrgRow>(`/api/orgs/${org.id}`, body),
    onSuccess: (o) => {
      qc.setQueryData(['org', o.id], o);
      void qc.invalidateQueries({ queryKey: SESSION_KEY });
      toast('Settings saved');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Only what changed, so the audit trail names the fields that really moved.
    const patch = { ...(name !== org.name ? { name } : {}), ...(mfaRequired !== org.mfaRequired ? { mfaRequired } : {}) };
    const v = validate(OrgUpdateBody, patch);
    setClientErrors(v.errors ?? {});
    if (!v.data) return;
    if (Object.keys(v.data).length === 0) toast('Nothing changed');
    else save.mutate(v.data);
  };
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };
  return (
    <form className="form-card" onSubmit={submit} noValidate aria-label="Organisation settings">
      <ErrorBanner error={save.error} />
      <FormField label="Name" name="name" value={name} disabled={!editable} onChange={(e) => setName(e.target.value)} errors={errors} />
      <p className="muted">Short name <code>{org.shortName}</code> · {labelOf(org.kind)}</p>
      <label className="checkbox">
        <input type="checkbox" name="mfaRequired" checked={mfaRequired} disabled={!editable} onChange={(e) => setMfaRequired(e.target.checked)} />
        Require two-factor authentication for every member
      </label>
      <p className="hint">Members without it are asked to set it up before they can go on.</p>
      {mfaRequired && !org.mfaRequired && !mfaEnabled ? <div className="banner banner-warn">You have not set up two-factor authentication yourself: you will be asked to right after saving.</div> : null}
      {editable ? <button type="submit" className="primary" disabled={save.isPending}>Save</button> : null}
    </form>
  );
}
