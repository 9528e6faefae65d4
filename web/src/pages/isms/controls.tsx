import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FREQUENCIES, IMPLEMENTATION_STATUSES, type CheckRow, type ControlDetail, type ControlRow, type EvidenceRow } from '../../../../src/domains/controls/schema.js';
import { api, postForm, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, useListParams } from '../../components/filter-bar.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { useMemberOptions } from './common.js';

const statusOptions = IMPLEMENTATION_STATUSES.map((s) => ({ value: s, label: labelOf(s) }));

/** "iso27001-2022:A.8.7" lines (or "A.8.7" for ISO) -> requirement refs. */
function parseRequirements(text: string) {
  return text
    .split(/[\n;]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.indexOf(':');
      return i > 0 ? { framework: s.slice(0, i).trim(), ref: s.slice(i + 1).trim() } : { framework: 'iso27001-2022', ref: s };
    });
}

/** Applied controls: search, filters, paging; each mapped to requirements of any framework. */
export function ControlsPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), status: get('status'), framework: get('framework'), ref: get('ref'), checkDue: get('checkDue') };
  const list = useQuery({ queryKey: ['controls', filters, offset], queryFn: () => api.get<Paged<ControlRow>>('/api/controls', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  return (
    <>
      <div className="page-head">
        <h1>Applied controls</h1>
        <div className="row-actions">
          <Link className="button primary" to="/controls/new">New control</Link>
          <Link className="button" to="/evidence">Evidence</Link>
        </div>
      </div>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'status', label: 'Status', type: 'select', options: statusOptions },
          { name: 'framework', label: 'Framework', type: 'select', options: [{ value: 'iso27001-2022', label: 'ISO/IEC 27001:2022' }, { value: 'nist-csf-2.0', label: 'NIST CSF 2.0' }] },
          { name: 'ref', label: 'Requirement (A.8.7)' },
          { name: 'checkDue', label: 'Check due', type: 'select', options: [{ value: 'true', label: 'Yes' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Applied controls"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'ref', header: 'Ref', render: (r) => <Link to={`/controls/${r.id}`}>{r.ref}</Link> },
          { key: 'name', header: 'Name', render: (r) => <><strong>{r.name}</strong><div className="muted">{r.owner?.displayName ?? 'no owner'}</div></> },
          { key: 'status', header: 'Status', render: (r) => labelOf(r.status) },
          { key: 'reqs', header: 'Satisfies', render: (r) => r.requirements.map((q) => q.ref).join(', '), wide: true },
          { key: 'ev', header: 'Evidence', render: (r) => `${r.evidence.valid} valid / ${r.evidence.total}` },
          { key: 'check', header: 'Next check', render: (r) => (r.nextCheckOn ? `${r.nextCheckOn}${r.checkOverdue ? ' (overdue)' : ''}` : '—'), wide: true },
        ]}
      />
    </>
  );
}

/** A new applied control with its mappings. */
export function ControlNewPage() {
  const nav = useNavigate();
  const owners = useMemberOptions();
  const [f, setF] = useState({ name: '', description: '', ownerId: '', status: 'not_started', frequency: '', requirements: '' });
  const create = useMutation({
    mutationFn: () => api.post<ControlDetail>('/api/controls', { name: f.name, description: f.description, ownerId: f.ownerId || null, status: f.status, frequency: f.frequency || null, requirements: parseRequirements(f.requirements) }),
    onSuccess: (c) => nav(`/controls/${c.id}`),
  });
  const errors = fieldErrorsOf(create.error);
  const reqError = Object.entries(errors).find(([k]) => k.startsWith('requirements'))?.[1];
  return (
    <>
      <h1>New applied control</h1>
      <form className="form-card" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <ErrorBanner error={create.error} />
        <FormField label="Name" name="name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} errors={errors} required />
        <FormField label="Description" name="description" value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} errors={errors} />
        <SelectField label="Owner" name="ownerId" value={f.ownerId} onChange={(v) => setF({ ...f, ownerId: v })} options={[{ value: '', label: '—' }, ...owners]} errors={errors} />
        <SelectField label="Status" name="status" value={f.status} onChange={(v) => setF({ ...f, status: v })} options={statusOptions} errors={errors} />
        <SelectField label="Check frequency" name="frequency" value={f.frequency} onChange={(v) => setF({ ...f, frequency: v })} options={[{ value: '', label: 'No recurring check' }, ...FREQUENCIES.map((x) => ({ value: x, label: labelOf(x) }))]} errors={errors} />
        <div className="field">
          <label htmlFor="control-reqs">Satisfies (one per line: A.8.7 or nist-csf-2.0:DE.CM-01)</label>
          <textarea id="control-reqs" rows={4} value={f.requirements} aria-invalid={reqError ? true : undefined} onChange={(e) => setF({ ...f, requirements: e.target.value })} />
          {reqError ? <div className="field-error" role="alert">{reqError}</div> : null}
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>Create control</button>
      </form>
    </>
  );
}

function EvidenceTable({ rows, onReview }: { rows: EvidenceRow[]; onReview?: (id: string, outcome: 'accepted' | 'rejected') => void }) {
  return (
    <DataTable
      caption="Evidence"
      rows={rows}
      rowKey={(e) => e.id}
      empty="No evidence yet."
      columns={[
        { key: 'ref', header: 'Ref', render: (e) => e.ref },
        { key: 'title', header: 'Title', render: (e) => (e.kind === 'file' ? <a href={`/api/evidence/${e.id}/file`}>{e.title}</a> : <a href={e.url ?? '#'} rel="noopener noreferrer" target="_blank">{e.title}</a>) },
        { key: 'what', header: 'Kind', render: (e) => (e.file ? `${e.file.name} (${e.file.mediaType}, ${e.file.size} bytes)` : 'link'), wide: true },
        { key: 'valid', header: 'Valid', render: (e) => `${e.validFrom} – ${e.validUntil ?? 'open'} (${e.state})` },
        { key: 'review', header: 'Review', render: (e) => (e.review ? `${labelOf(e.review.outcome)} by ${e.review.by.displayName}` : e.actions.includes('review') && onReview ? <><button type="button" onClick={() => onReview(e.id, 'accepted')}>Accept {e.ref}</button> <button type="button" onClick={() => onReview(e.id, 'rejected')}>Reject</button></> : 'not reviewed') },
      ]}
    />
  );
}

/** One applied control: status, mappings, evidence (upload, link, review) and recurring checks. */
export function ControlDetailPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useQuery({ queryKey: ['controls', id], queryFn: () => api.get<ControlDetail>(`/api/controls/${id}`) });
  const c = q.data;
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['controls'] });
    await qc.invalidateQueries({ queryKey: ['soa'] });
    await qc.invalidateQueries({ queryKey: ['compliance'] });
  };
  const setStatus = useMutation({ mutationFn: (status: string) => api.patch<ControlDetail>(`/api/controls/${id}`, { status }), onSuccess: async () => { toast('Status saved'); await refresh(); } });
  const [ev, setEv] = useState({ title: '', validUntil: '', url: '' });
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: async () => {
      if (file) {
        const form = new FormData();
        form.set('title', ev.title);
        form.set('controlIds', id);
        if (ev.validUntil) form.set('validUntil', ev.validUntil);
        form.set('file', file);
        return postForm<EvidenceRow>('/api/evidence/upload', form);
      }
      return api.post<EvidenceRow>('/api/evidence', { kind: 'link', title: ev.title, url: ev.url, controlIds: [id], ...(ev.validUntil ? { validUntil: ev.validUntil } : {}) });
    },
    onSuccess: async (e) => {
      toast(`Evidence ${e.ref} added`);
      setEv({ title: '', validUntil: '', url: '' });
      setFile(null);
      await refresh();
    },
  });
  const review = useMutation({ mutationFn: (v: { id: string; outcome: 'accepted' | 'rejected' }) => api.post<EvidenceRow>(`/api/evidence/${v.id}/review`, { outcome: v.outcome }), onSuccess: async () => { toast('Review recorded'); await refresh(); } });
  const [check, setCheck] = useState({ result: 'pass', note: '' });
  const record = useMutation({ mutationFn: () => api.post<CheckRow>(`/api/controls/${id}/checks`, check), onSuccess: async () => { toast('Check recorded'); await refresh(); } });
  if (!c) return <ErrorBanner error={q.error} />;
  const evErrors = fieldErrorsOf(upload.error);
  return (
    <>
      <div className="page-head">
        <h1>{c.ref} {c.name}</h1>
        <div className="row-actions"><Link className="button" to="/controls">All controls</Link></div>
      </div>
      <p>{c.description}</p>
      <p>Owner: {c.owner?.displayName ?? '—'}. Satisfies: {c.requirements.map((r) => `${r.ref} (${r.framework})`).join(', ') || 'nothing yet'}.</p>
      {c.actions.includes('update') ? (
        <SelectField label="Implementation status" name="status" value={c.status} onChange={(v) => setStatus.mutate(v)} options={statusOptions} />
      ) : <p>Status: {labelOf(c.status)}</p>}
      <ErrorBanner error={setStatus.error ?? review.error} />
      <h2>Evidence</h2>
      <EvidenceTable rows={c.evidenceItems} onReview={(eid, outcome) => review.mutate({ id: eid, outcome })} />
      {c.actions.includes('evidence') ? (
        <form className="form-card" aria-label="Add evidence" onSubmit={(e) => { e.preventDefault(); upload.mutate(); }}>
          <ErrorBanner error={upload.error} />
          <FormField label="Evidence title" name="title" value={ev.title} onChange={(e) => setEv({ ...ev, title: e.target.value })} errors={evErrors} />
          <div className="field">
            <label htmlFor="evidence-file">Evidence file</label>
            <input id="evidence-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
          <FormField label="Or a link" name="url" value={ev.url} onChange={(e) => setEv({ ...ev, url: e.target.value })} errors={evErrors} />
          <FormField label="Valid until" name="validUntil" type="date" value={ev.validUntil} onChange={(e) => setEv({ ...ev, validUntil: e.target.value })} errors={evErrors} />
          <button type="submit" disabled={upload.isPending}>Add evidence</button>
        </form>
      ) : null}
      <h2>Checks</h2>
      <p>{c.frequency ? `Checked ${c.frequency}; next check ${c.nextCheckOn}${c.checkOverdue ? ' (overdue)' : ''}.` : 'No recurring check.'}</p>
      {c.actions.includes('check') ? (
        <form className="row-actions" aria-label="Record a check" onSubmit={(e) => { e.preventDefault(); record.mutate(); }}>
          <SelectField label="Result" name="result" value={check.result} onChange={(v) => setCheck({ ...check, result: v })} options={[{ value: 'pass', label: 'Pass' }, { value: 'partial', label: 'Partial' }, { value: 'fail', label: 'Fail' }]} />
          <FormField label="Check note" name="note" value={check.note} onChange={(e) => setCheck({ ...check, note: e.target.value })} />
          <button type="submit" disabled={record.isPending}>Record check</button>
        </form>
      ) : null}
      <ErrorBanner error={record.error} />
      <DataTable
        caption="Check history"
        rows={c.checks}
        rowKey={(k) => k.id}
        empty="No checks yet."
        columns={[
          { key: 'due', header: 'Due', render: (k) => `${k.dueOn}${k.overdue ? ' (overdue)' : ''}` },
          { key: 'result', header: 'Result', render: (k) => (k.result ? labelOf(k.result) : 'open') },
          { key: 'by', header: 'By', render: (k) => k.performedBy?.displayName ?? '—' },
          { key: 'note', header: 'Note', render: (k) => k.note || '—', wide: true },
        ]}
      />
    </>
  );
}

/** All evidence: search, state (valid, expiring, expired, unreviewed), kind; paging. */
export function EvidencePage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), state: get('state'), kind: get('kind') };
  const list = useQuery({ queryKey: ['evidence', filters, offset], queryFn: () => api.get<Paged<EvidenceRow>>('/api/evidence', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  return (
    <>
      <h1>Evidence</h1>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'state', label: 'State', type: 'select', options: ['valid', 'expiring', 'expired', 'pending', 'rejected', 'unreviewed'].map((s) => ({ value: s, label: labelOf(s) })) },
          { name: 'kind', label: 'Kind', type: 'select', options: [{ value: 'file', label: 'File' }, { value: 'link', label: 'Link' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <EvidenceTable rows={list.data?.items ?? []} />
      {list.data ? <p className="muted">{list.data.total} item(s)</p> : null}
      {list.data && list.data.total > limit ? (
        <div className="row-actions">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>Previous</button>
          <button type="button" disabled={offset + limit >= list.data.total} onClick={() => setOffset(offset + limit)}>Next</button>
        </div>
      ) : null}
    </>
  );
}
