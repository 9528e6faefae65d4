import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CLASSIFICATIONS, DOC_KINDS, type CampaignRow, type DocumentDetail, type DocumentRow, type VersionFile } from '../../../../src/domains/documents/schema.js';
import { api, formatBytes, request, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, useListParams } from '../../components/filter-bar.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { can, useActiveSession } from '../../session.js';
import { useMemberOptions } from './common.js';

const opts = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: labelOf(x) }));

/** Policies and documents: list with filters, what I still have to acknowledge, and a new-document form. */
export function DocumentsPage() {
  const session = useActiveSession();
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), kind: get('kind'), classification: get('classification'), status: get('status'), versionStatus: get('versionStatus'), reviewDue: get('reviewDue') };
  const list = useQuery({ queryKey: ['documents', filters, offset], queryFn: () => api.get<Paged<DocumentRow>>('/api/documents', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  const mine = useQuery({ queryKey: ['documents', 'mine'], queryFn: () => api.get<Array<{ documentId: string; title: string; version: number; dueOn: string; overdue: boolean }>>('/api/documents/acknowledgements/mine') });
  const [adding, setAdding] = useState(false);
  return (
    <>
      <div className="page-head">
        <h1>Policies and documents</h1>
        {can(session, 'documents.write') ? <button type="button" className="primary" onClick={() => setAdding((a) => !a)}>{adding ? 'Close form' : 'New document'}</button> : null}
      </div>
      {mine.data?.length ? (
        <div className="banner banner-warn" role="status">
          Please read and accept: {mine.data.map((p) => <Link key={p.documentId} className="tag" to={`/documents/${p.documentId}`}>{p.title} v{p.version} by {p.dueOn}{p.overdue ? ' (overdue)' : ''}</Link>)}
        </div>
      ) : null}
      {adding ? <NewDocumentForm /> : null}
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search title' },
          { name: 'kind', label: 'Kind', type: 'select', options: opts(DOC_KINDS) },
          { name: 'classification', label: 'Classification', type: 'select', options: opts(CLASSIFICATIONS) },
          { name: 'status', label: 'Status', type: 'select', options: opts(['draft', 'published', 'retired']) },
          { name: 'versionStatus', label: 'Latest version', type: 'select', options: opts(['draft', 'in_review', 'approved', 'published']) },
          { name: 'reviewDue', label: 'Review due', type: 'select', options: [{ value: 'true', label: 'Due or overdue' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Documents"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(d) => d.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'title', header: 'Title', render: (d) => <><Link to={`/documents/${d.id}`}><strong>{d.title}</strong></Link><div className="muted">{labelOf(d.kind)} · {labelOf(d.classification)}</div></> },
          { key: 'owner', header: 'Owner', render: (d) => d.owner.displayName, wide: true },
          { key: 'status', header: 'Status', render: (d) => <span className="status">{labelOf(d.status)}{d.publishedVersion ? ` v${d.publishedVersion}` : ''}</span> },
          { key: 'latest', header: 'Latest version', render: (d) => `v${d.latest.version} ${labelOf(d.latest.status)}`, wide: true },
          { key: 'review', header: 'Next review', render: (d) => <>{d.nextReviewOn ?? '—'}{d.reviewOverdue ? <span className="status status-pending"> overdue</span> : null}</>, wide: true },
        ]}
      />
    </>
  );
}

function NewDocumentForm() {
  const owners = useMemberOptions();
  const nav = useNavigate();
  const [f, setF] = useState({ title: '', kind: 'policy', classification: 'internal', ownerId: '', reviewCycleMonths: '12', content: '' });
  const m = useMutation({ mutationFn: () => api.post<DocumentDetail>('/api/documents', { ...f, reviewCycleMonths: Number(f.reviewCycleMonths) }), onSuccess: (d) => nav(`/documents/${d.id}`) });
  const errors = fieldErrorsOf(m.error);
  return (
    <form className="form-card" onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
      <ErrorBanner error={m.error} />
      <FormField label="Title" name="title" value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} errors={errors} required />
      <SelectField label="Kind" name="kind" value={f.kind} onChange={(v) => setF({ ...f, kind: v })} options={opts(DOC_KINDS)} errors={errors} />
      <SelectField label="Classification" name="classification" value={f.classification} onChange={(v) => setF({ ...f, classification: v })} options={opts(CLASSIFICATIONS)} errors={errors} />
      <SelectField label="Owner" name="ownerId" value={f.ownerId} onChange={(v) => setF({ ...f, ownerId: v })} options={[{ value: '', label: 'Choose…' }, ...owners]} errors={errors} />
      <FormField label="Review cycle (months)" name="reviewCycleMonths" type="number" min={1} max={60} value={f.reviewCycleMonths} onChange={(e) => setF({ ...f, reviewCycleMonths: e.target.value })} errors={errors} />
      <button type="submit" className="primary" disabled={m.isPending}>Create draft</button>
    </form>
  );
}

/** One document: text (markdown source), editor for drafts, workflow buttons, acknowledgement and campaigns. */
export function DocumentDetailPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useQuery({ queryKey: ['document', id], queryFn: () => api.get<DocumentDetail>(`/api/documents/${id}`) });
  const refresh = (msg: string) => { toast(msg); void qc.invalidateQueries({ queryKey: ['document', id] }); void qc.invalidateQueries({ queryKey: ['documents'] }); };
  const [note, setNote] = useState('');
  const move = useMutation({ mutationFn: (action: string) => api.post(`/api/documents/${id}/transition`, { action, ...(note ? { note } : {}) }), onSuccess: (_r, a) => { setNote(''); refresh(`Done: ${a}`); } });
  const newVer = useMutation({ mutationFn: () => api.post(`/api/documents/${id}/versions`, {}), onSuccess: () => refresh('New draft version started') });
  const ack = useMutation({ mutationFn: () => api.post(`/api/documents/${id}/acknowledge`), onSuccess: () => refresh('Thank you: acknowledged') });
  const d = q.data;
  if (!d) return <ErrorBanner error={q.error} />;
  const has = (a: string) => d.actions.includes(a);
  return (
    <>
      <h1>{d.title}</h1>
      <p className="muted">{labelOf(d.kind)} · {labelOf(d.classification)} · owner {d.owner.displayName} · review every {d.reviewCycleMonths} months, next {d.nextReviewOn ?? '—'} · latest v{d.latest.version} {labelOf(d.latest.status)}{d.latest.decisionNote ? ` (“${d.latest.decisionNote}”)` : ''}</p>
      <ErrorBanner error={move.error ?? newVer.error ?? ack.error} />
      <div className="row-actions">
        {(['submit', 'approve', 'reject', 'publish', 'retire'] as const).filter(has).map((a) => <button key={a} type="button" className={a === 'approve' || a === 'publish' ? 'primary' : undefined} onClick={() => move.mutate(a)}>{labelOf(a)}</button>)}
        {has('new_version') ? <button type="button" onClick={() => newVer.mutate()}>Start a new version</button> : null}
        {has('acknowledge') && !d.acknowledged ? <button type="button" className="primary" onClick={() => ack.mutate()}>I have read and accept v{d.publishedVersion}</button> : null}
        {d.acknowledged ? <span className="status">You accepted v{d.publishedVersion}</span> : null}
      </div>
      {has('approve') || has('reject') ? <FormField label="Decision note" name="note" value={note} onChange={(e) => setNote(e.target.value)} /> : null}
      {d.content?.file ? <FileLink id={id} version={d.content.version} file={d.content.file} /> : null}
      {has('edit') && d.content ? (
        <>
          <FileUpload id={id} onSaved={() => refresh('File uploaded as the draft')} />
          <DraftEditor key={`${d.content.version}-${d.content.file?.sha256 ?? 'md'}`} id={id} initial={d.content.markdown} isFile={Boolean(d.content.file)} onSaved={() => refresh('Draft saved')} />
        </>
      ) : d.content?.file ? null : (
        <article className="form-card" style={{ whiteSpace: 'pre-wrap', maxWidth: '60rem' }} aria-label={`Version ${d.content?.version ?? ''}`}>{d.content?.markdown ?? 'No published text.'}</article>
      )}
      <h2>Versions</h2>
      <DataTable caption="Versions" rows={d.versions} rowKey={(v) => String(v.version)} columns={[
        { key: 'v', header: 'Version', render: (v) => v.version },
        { key: 's', header: 'Status', render: (v) => labelOf(v.status) },
        { key: 'a', header: 'Author', render: (v) => v.author.displayName },
        { key: 'f', header: 'Content', render: (v) => (v.file ? <a href={`/api/documents/${id}/versions/${v.version}/file`} download>{v.file.filename}</a> : 'markdown'), wide: true },
        { key: 'ap', header: 'Approved by', render: (v) => (v.approvedBy ? `${v.approvedBy.displayName} ${v.approvedAt?.slice(0, 10)}` : '—'), wide: true },
        { key: 'p', header: 'Published', render: (v) => v.publishedAt?.slice(0, 10) ?? '—', wide: true },
      ]} />
      {has('campaign') ? <Campaigns id={id} /> : null}
    </>
  );
}

/** The uploaded file of the shown version: name, size, type, sha256 and a download link (always an attachment). */
function FileLink({ id, version, file }: { id: string; version: number; file: VersionFile }) {
  return (
    <p className="form-card" aria-label={`File of version ${version}`}>
      <a href={`/api/documents/${id}/versions/${version}/file`} download={file.filename}>Download {file.filename}</a>{' '}
      <span className="muted">({formatBytes(file.size)}, {file.mediaType}, sha256 <code>{file.sha256.slice(0, 16)}…</code>)</span>
    </p>
  );
}

/** Replaces the draft's content with an uploaded file (PDF, DOCX, ...); the workflow stays the same. */
function FileUpload({ id, onSaved }: { id: string; onSaved: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [changeNote, setChangeNote] = useState('');
  const m = useMutation({ mutationFn: () => api.upload(`/api/documents/${id}/draft/file`, file!, { changeNote }), onSuccess: () => { setFile(null); setChangeNote(''); onSaved(); } });
  const errors = fieldErrorsOf(m.error);
  return (
    <form className="form-card" style={{ maxWidth: '60rem' }} onSubmit={(e) => { e.preventDefault(); if (file) m.mutate(); }}>
      <ErrorBanner error={m.error} />
      <div className="field">
        <label htmlFor="draft-file">Upload a file as this draft (PDF, DOCX, …)</label>
        <input id="draft-file" name="file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} aria-invalid={Boolean(errors.file)} />
        {errors.file ? <div className="field-error" role="alert">{errors.file}</div> : null}
      </div>
      <FormField label="Change note" name="changeNote" value={changeNote} onChange={(e) => setChangeNote(e.target.value)} errors={errors} />
      <button type="submit" className="primary" disabled={!file || m.isPending}>Upload file</button>
    </form>
  );
}

function DraftEditor({ id, initial, isFile, onSaved }: { id: string; initial: string; isFile: boolean; onSaved: () => void }) {
  const [text, setText] = useState(initial);
  const m = useMutation({ mutationFn: () => request('PUT', `/api/documents/${id}/draft`, { content: text }), onSuccess: onSaved });
  return (
    <form className="form-card" style={{ maxWidth: '60rem' }} onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
      <ErrorBanner error={m.error} />
      <div className="field">
        <label htmlFor="draft-text">{isFile ? 'Or write the draft as markdown instead of the file' : 'Draft (markdown)'}</label>
        <textarea id="draft-text" rows={18} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <button type="submit" className="primary" disabled={m.isPending}>Save draft</button>
    </form>
  );
}

function Campaigns({ id }: { id: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: ['document', id, 'campaigns'], queryFn: () => api.get<CampaignRow[]>(`/api/documents/${id}/campaigns`) });
  const [dueOn, setDueOn] = useState('');
  const start = useMutation({ mutationFn: () => api.post(`/api/documents/${id}/campaigns`, { dueOn }), onSuccess: () => { toast('Campaign started'); void qc.invalidateQueries({ queryKey: ['document', id, 'campaigns'] }); } });
  const remind = useMutation({ mutationFn: (cid: string) => api.post<{ reminded: number }>(`/api/documents/campaigns/${cid}/remind`), onSuccess: (r) => toast(`${r.reminded} reminded`) });
  return (
    <section>
      <h2>Acknowledgement campaigns</h2>
      <ErrorBanner error={start.error ?? remind.error} />
      <form className="filter-bar" onSubmit={(e) => { e.preventDefault(); start.mutate(); }}>
        <FormField label="Due on" name="dueOn" type="date" value={dueOn} onChange={(e) => setDueOn(e.target.value)} errors={fieldErrorsOf(start.error)} required />
        <div className="filter-actions"><button type="submit" className="primary">Ask every member to accept</button></div>
      </form>
      <DataTable caption="Campaigns" rows={list.data} rowKey={(c) => c.id} columns={[
        { key: 'v', header: 'Version', render: (c) => `v${c.version}` },
        { key: 'due', header: 'Due', render: (c) => <>{c.dueOn}{c.overdue ? <span className="status status-pending"> overdue</span> : null}</> },
        { key: 'p', header: 'Done', render: (c) => <><progress max={100} value={c.percent} aria-label="Acknowledged" /> {c.acknowledged}/{c.targets} ({c.percent}%)</> },
        { key: 'a', header: 'Actions', render: (c) => (c.closedAt ? 'closed' : <button type="button" className="small" onClick={() => remind.mutate(c.id)}>Remind pending</button>) },
      ]} />
    </section>
  );
}
