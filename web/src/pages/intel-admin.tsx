import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ImportRow } from '../../../src/domains/intel/schema.js';
import type { SharingGroupRow } from '../../../src/domains/sharing/schema.js';
import { TLP_LEVELS } from '../../../src/domains/sharing/schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf } from '../components/form-field.js';

/** Import a STIX 2.1 bundle: validated at once (errors name object and path), stored by a job whose progress is shown. */
export function IntelImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [tlp, setTlp] = useState('amber');
  const [importId, setImportId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose a bundle file first');
      const bundle = JSON.parse(await file.text()) as unknown;
      return api.post<ImportRow>('/api/intel/imports', bundle, { tlp, source: file.name });
    },
    onSuccess: (r) => setImportId(r.id),
  });
  const progress = useQuery({
    queryKey: ['intel-import', importId],
    queryFn: () => api.get<ImportRow>(`/api/intel/imports/${importId}`),
    enabled: Boolean(importId),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 1000),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setImportId(null);
    start.mutate();
  };
  const p = progress.data;
  return (
    <>
      <h1>Import STIX bundle</h1>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="bundle-file">Bundle (STIX 2.1 JSON)</label>
          <input id="bundle-file" type="file" accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <SelectField label="TLP for objects without a TLP marking" name="tlp" value={tlp} onChange={setTlp} options={TLP_LEVELS.map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }))} errors={fieldErrorsOf(start.error)} />
        <button type="submit" disabled={start.isPending}>Import</button>
      </form>
      <ErrorBanner error={start.error} />
      {p ? (
        <section aria-live="polite">
          <progress max={1} value={p.progress} aria-label="Import progress" /> {Math.round(p.progress * 100)}% · {p.status}
          <p>
            {p.total} objects: {p.inserted} new versions, {p.unchanged} unchanged
          </p>
          {p.errors.length ? (
            <ul className="errors">
              {p.errors.map((e, i) => (
                <li key={i}>
                  <code>{e.path}</code>: {e.message}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

/** Sharing groups the acting org runs or belongs to; create one (optionally hiding its membership). */
export function SharingGroupsPage() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['sharing-groups'], queryFn: () => api.get<Paged<SharingGroupRow>>('/api/sharing-groups', { limit: 100 }) });
  const [name, setName] = useState('');
  const [hide, setHide] = useState(false);
  const create = useMutation({
    mutationFn: () => api.post<SharingGroupRow>('/api/sharing-groups', { name, hideMembers: hide }),
    onSuccess: () => {
      setName('');
      void qc.invalidateQueries({ queryKey: ['sharing-groups'] });
    },
  });
  return (
    <>
      <h1>Sharing groups</h1>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <FormField label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} errors={fieldErrorsOf(create.error)} required />
        <div className="field">
          <label>
            <input type="checkbox" checked={hide} onChange={(e) => setHide(e.target.checked)} /> Hide the membership from members
          </label>
        </div>
        <button type="submit" disabled={create.isPending}>Create group</button>
      </form>
      <ErrorBanner error={create.error ?? list.error} />
      <DataTable
        caption="Sharing groups"
        rows={list.data?.items}
        rowKey={(g) => g.id}
        empty="No sharing groups yet."
        columns={[
          { key: 'name', header: 'Name', render: (g) => g.name },
          { key: 'members', header: 'Members', render: (g) => (g.members ? g.members.map((m) => m.name).join(', ') || '—' : <span className="muted">hidden</span>) },
          { key: 'hide', header: 'Membership', render: (g) => (g.hideMembers ? 'hidden from members' : 'visible to members') },
        ]}
      />
    </>
  );
}
