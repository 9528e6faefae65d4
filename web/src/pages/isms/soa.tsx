import { useState } from 'react';
import { Link } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Comparison, SoaRow, SoaSummary, VersionRow } from '../../../../src/domains/soa/schema.js';
import { api, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, useListParams } from '../../components/filter-bar.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { useMemberOptions } from './common.js';

type SoaPage = Paged<SoaRow> & { summary: SoaSummary };

const STATUS_LABEL: Record<string, string> = { not_started: 'Not started', partial: 'Partial', implemented: 'Implemented' };

function StatusChip({ row }: { row: SoaRow }) {
  if (row.applicable === false) return <span className="muted">Not applicable</span>;
  const colour = row.status === 'implemented' ? '#2e7d32' : row.status === 'partial' ? '#f9a825' : '#9e9e9e';
  return (
    <span>
      <span className="chip" style={{ background: colour, color: '#fff', padding: '0 .4rem', borderRadius: 4 }}>{STATUS_LABEL[row.status]}</span>
      <span className="muted"> {row.statusSource === 'manual' ? '(set by hand)' : '(derived)'}</span>
    </span>
  );
}

/** Inline editor of one SoA entry: applicable, justification (required), status, owner. */
function EntryEditor({ row, onDone }: { row: SoaRow; onDone: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const owners = useMemberOptions();
  const [f, setF] = useState({ applicable: row.applicable === false ? 'no' : 'yes', justification: row.justification, status: row.statusSource === 'manual' ? row.status : 'derived', ownerId: row.owner?.id ?? '' });
  const save = useMutation({
    mutationFn: () => api.put<SoaRow>(`/api/soa/controls/${encodeURIComponent(row.ref)}`, { applicable: f.applicable === 'yes', justification: f.justification, status: f.status, ownerId: f.ownerId || null }),
    onSuccess: async () => {
      toast(`${row.ref} saved`);
      await qc.invalidateQueries({ queryKey: ['soa'] });
      await qc.invalidateQueries({ queryKey: ['compliance'] });
      onDone();
    },
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <form className="form-card" aria-label={`Edit ${row.ref}`} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <ErrorBanner error={save.error} />
      <SelectField label="Applicable" name="applicable" value={f.applicable} onChange={(v) => setF({ ...f, applicable: v })} options={[{ value: 'yes', label: 'Yes (included)' }, { value: 'no', label: 'No (excluded)' }]} errors={errors} />
      <div className="field">
        <label htmlFor={`just-${row.ref}`}>Justification</label>
        <textarea id={`just-${row.ref}`} rows={3} value={f.justification} aria-invalid={errors.justification ? true : undefined} onChange={(e) => setF({ ...f, justification: e.target.value })} />
        {errors.justification ? <div className="field-error" role="alert">{errors.justification}</div> : null}
      </div>
      <SelectField label="Implementation status" name="status" value={f.status} onChange={(v) => setF({ ...f, status: v })} options={[{ value: 'derived', label: `Derived from applied controls (now: ${STATUS_LABEL[row.derivedStatus]})` }, ...Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label }))]} errors={errors} />
      <SelectField label="Control owner" name="ownerId" value={f.ownerId} onChange={(v) => setF({ ...f, ownerId: v })} options={[{ value: '', label: '— (from the applied controls)' }, ...owners]} errors={errors} />
      <div className="row-actions">
        <button type="submit" className="primary" disabled={save.isPending}>Save {row.ref}</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

/** The Statement of Applicability: every Annex A control, filters, inline edit, bulk decisions, approval and exports. */
export function SoaPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(100);
  const filters = { q: get('q'), applicable: get('applicable'), status: get('status'), group: get('group'), gaps: get('gaps') };
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: ['soa', filters, offset, limit], queryFn: () => api.get<SoaPage>('/api/soa', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  const [editing, setEditing] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulk, setBulk] = useState({ applicable: 'yes', justification: '' });
  const [note, setNote] = useState('');
  const s = list.data?.summary;
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['soa'] });
    await qc.invalidateQueries({ queryKey: ['compliance'] });
  };
  const applyBulk = useMutation({
    mutationFn: () => api.post<{ updated: number }>('/api/soa/bulk', { refs: selected, applicable: bulk.applicable === 'yes', justification: bulk.justification }),
    onSuccess: async (r) => {
      toast(`${r.updated} control(s) decided`);
      setSelected([]);
      await refresh();
    },
  });
  const approve = useMutation({
    mutationFn: () => api.post<VersionRow>('/api/soa/versions', { note }),
    onSuccess: async (v) => {
      toast(`Version ${v.version} approved`);
      setNote('');
      await refresh();
    },
  });
  const rows = list.data?.items ?? [];
  const allSelected = rows.length > 0 && rows.every((r) => selected.includes(r.ref));
  const bulkErrors = fieldErrorsOf(applyBulk.error);
  return (
    <>
      <div className="page-head">
        <h1>Statement of Applicability</h1>
        <div className="row-actions">
          <Link className="button" to="/soa/versions">Versions</Link>
          <Link className="button" to="/compliance">Compliance</Link>
          <a className="button" href="/api/soa/export?format=xlsx">Export XLSX</a>
          <a className="button" href="/api/soa/export?format=pdf">Export PDF</a>
          <a className="button" href="/api/soa/export?format=oscal">Export OSCAL SSP</a>
        </div>
      </div>
      {s ? (
        <p aria-label="SoA summary">
          {s.frameworkName}: {s.total} controls, {s.decided} decided, {s.applicable} applicable, {s.excluded} excluded; {s.implemented} implemented, {s.partial} partial, {s.notStarted} not started.{' '}
          {s.latestVersion ? <>Latest approved: version {s.latestVersion.version} by {s.latestVersion.approvedBy.displayName} on {s.latestVersion.approvedAt.slice(0, 10)}{s.changedSinceApproval ? ' (changed since)' : ' (unchanged)'}.</> : 'No version approved yet.'}
        </p>
      ) : null}
      {s?.actions.includes('approve') ? (
        <form className="row-actions" onSubmit={(e) => { e.preventDefault(); approve.mutate(); }}>
          <FormField label="Approval note" name="note" value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="submit" className="primary" disabled={approve.isPending}>Approve this version</button>
        </form>
      ) : null}
      {approve.error ? <div className="banner banner-error" role="alert">{approve.error.message}</div> : null}
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'applicable', label: 'Applicable', type: 'select', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }, { value: 'undecided', label: 'Undecided' }] },
          { name: 'status', label: 'Status', type: 'select', options: Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label })) },
          { name: 'group', label: 'Theme', type: 'select', options: [{ value: 'A.5', label: 'A.5 Organizational' }, { value: 'A.6', label: 'A.6 People' }, { value: 'A.7', label: 'A.7 Physical' }, { value: 'A.8', label: 'A.8 Technological' }] },
          { name: 'gaps', label: 'Gaps only', type: 'select', options: [{ value: 'true', label: 'Yes' }] },
        ]}
      />
      {s?.actions.includes('edit') ? (
        <form className="row-actions" aria-label="Decide selected controls" onSubmit={(e) => { e.preventDefault(); applyBulk.mutate(); }}>
          <label><input type="checkbox" checked={allSelected} onChange={(e) => setSelected(e.target.checked ? rows.map((r) => r.ref) : [])} /> Select all on this page</label>
          <SelectField label="Decision for selected" name="applicable" value={bulk.applicable} onChange={(v) => setBulk({ ...bulk, applicable: v })} options={[{ value: 'yes', label: 'Applicable' }, { value: 'no', label: 'Not applicable' }]} errors={bulkErrors} />
          <FormField label="Justification for selected" name="justification" value={bulk.justification} onChange={(e) => setBulk({ ...bulk, justification: e.target.value })} errors={bulkErrors} />
          <button type="submit" disabled={selected.length === 0 || applyBulk.isPending}>Apply to {selected.length} selected</button>
        </form>
      ) : null}
      <ErrorBanner error={list.error ?? (Object.keys(bulkErrors).length ? null : applyBulk.error)} />
      {editing ? (() => {
        const row = rows.find((r) => r.ref === editing);
        return row ? <EntryEditor key={row.ref} row={row} onDone={() => setEditing(null)} /> : null;
      })() : null}
      <DataTable
        caption="Statement of Applicability"
        rows={rows}
        loading={list.isFetching}
        rowKey={(r) => r.ref}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'sel', header: '', render: (r) => <input type="checkbox" aria-label={`Select ${r.ref}`} checked={selected.includes(r.ref)} onChange={(e) => setSelected(e.target.checked ? [...selected, r.ref] : selected.filter((x) => x !== r.ref))} /> },
          { key: 'ref', header: 'Control', render: (r) => <><strong>{r.ref}</strong> {r.title}<div className="muted">{r.group?.title}</div></> },
          { key: 'app', header: 'Applicable', render: (r) => (r.applicable === null ? <em>Undecided</em> : r.applicable ? 'Yes' : 'No') },
          { key: 'just', header: 'Justification', render: (r) => r.justification || '—', wide: true },
          { key: 'status', header: 'Status', render: (r) => <StatusChip row={r} /> },
          { key: 'owner', header: 'Owner', render: (r) => r.owner?.displayName ?? '—', wide: true },
          { key: 'controls', header: 'Applied controls', render: (r) => r.controls.map((c) => c.ref).join(', ') || '—', wide: true },
          { key: 'evidence', header: 'Evidence', render: (r) => `${r.evidence.valid} valid${r.evidence.expired ? `, ${r.evidence.expired} expired` : ''}` },
          { key: 'risks', header: 'Risks', render: (r) => [...new Set(r.risks.map((k) => k.riskRef))].map((ref) => { const k = r.risks.find((x) => x.riskRef === ref)!; return <Link key={ref} to={`/risks/${k.riskId}`}>{ref} </Link>; }), wide: true },
          { key: 'edit', header: '', render: (r) => (s?.actions.includes('edit') ? <button type="button" onClick={() => setEditing(r.ref)}>Edit {r.ref}</button> : null) },
        ]}
      />
    </>
  );
}

/** Approved versions and what changed between two of them (or a version and the current SoA). */
export function SoaVersionsPage() {
  const versions = useQuery({ queryKey: ['soa', 'versions'], queryFn: () => api.get<VersionRow[]>('/api/soa/versions') });
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('current');
  const cmp = useQuery({ queryKey: ['soa', 'compare', from, to], enabled: Boolean(from), queryFn: () => api.get<Comparison>('/api/soa/compare', { from, to }) });
  const options = (versions.data ?? []).map((v) => ({ value: String(v.version), label: `Version ${v.version} (${v.approvedAt.slice(0, 10)})` }));
  return (
    <>
      <div className="page-head">
        <h1>SoA versions</h1>
        <div className="row-actions"><Link className="button" to="/soa">Back to the SoA</Link></div>
      </div>
      <ErrorBanner error={versions.error} />
      <DataTable
        caption="Approved versions"
        rows={versions.data}
        rowKey={(v) => String(v.version)}
        empty="No version approved yet."
        columns={[
          { key: 'v', header: 'Version', render: (v) => v.version },
          { key: 'by', header: 'Approved by', render: (v) => `${v.approvedBy.displayName} on ${v.approvedAt.slice(0, 16).replace('T', ' ')}` },
          { key: 'counts', header: 'Controls', render: (v) => `${v.counts.applicable} applicable of ${v.counts.total}; ${v.counts.implemented} implemented` },
          { key: 'note', header: 'Note', render: (v) => v.note || '—' },
          { key: 'dl', header: 'Export', render: (v) => <><a href={`/api/soa/export?format=xlsx&version=${v.version}`}>XLSX</a> · <a href={`/api/soa/export?format=pdf&version=${v.version}`}>PDF</a></> },
        ]}
      />
      <h2>Compare</h2>
      <div className="row-actions">
        <SelectField label="From" name="from" value={from} onChange={setFrom} options={[{ value: '', label: 'Choose…' }, ...options]} />
        <SelectField label="To" name="to" value={to} onChange={setTo} options={[{ value: 'current', label: 'Current SoA' }, ...options]} />
      </div>
      <ErrorBanner error={cmp.error} />
      {cmp.data ? (
        <>
          <p>{cmp.data.changed.length} control(s) changed, {cmp.data.unchanged} unchanged.</p>
          <DataTable
            caption="Changes"
            rows={cmp.data.changed}
            rowKey={(c) => c.ref}
            empty="No differences."
            columns={[
              { key: 'ref', header: 'Control', render: (c) => <><strong>{c.ref}</strong> {c.title}</> },
              { key: 'changes', header: 'What changed', render: (c) => <ul>{c.changes.map((x) => <li key={x.field}>{labelOf(x.field)}: {JSON.stringify(x.from)} → {JSON.stringify(x.to)}</li>)}</ul> },
            ]}
          />
        </>
      ) : null}
    </>
  );
}
