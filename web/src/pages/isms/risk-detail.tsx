import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { RiskDetail } from '../../../../src/domains/risks/schema.js';
import { api } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { LevelChip, useMemberOptions } from './common.js';
import { useInvalidateRisk, useRiskMethod } from './risks.js';

/** One risk: scores, assets, treatment tasks (linked to Annex A controls), acceptance and review. */
export function RiskDetailPage() {
  const { id = '' } = useParams();
  const q = useQuery({ queryKey: ['risk', id], queryFn: () => api.get<RiskDetail>(`/api/risks/${id}`) });
  const r = q.data;
  if (!r) return <ErrorBanner error={q.error} />;
  return (
    <>
      <h1>{r.ref} {r.title}</h1>
      <dl className="form-card">
        <dt>Owner</dt><dd>{r.owner.displayName}</dd>
        <dt>Threat / vulnerability</dt><dd>{r.threat || '—'} / {r.vulnerability || '—'}</dd>
        <dt>Harms</dt><dd>{r.cia.join(', ') || '—'}</dd>
        <dt>Inherent / current / residual</dt>
        <dd><LevelChip {...r.inherent} /> <LevelChip {...r.current} /> {r.residual ? <LevelChip {...r.residual} /> : 'no target'}</dd>
        <dt>Treatment</dt><dd>{r.treatment ? labelOf(r.treatment) : 'not decided'} {r.aboveAppetite ? <span className="status status-pending">above appetite</span> : null}</dd>
        <dt>Review due</dt><dd>{r.reviewDueOn ?? '—'} (last reviewed {r.lastReviewedAt?.slice(0, 10) ?? 'never'})</dd>
        <dt>Assets</dt><dd>{r.assets.map((a) => <Link key={a.id} className="tag" to={`/assets/${a.id}`}>{a.name}</Link>)}</dd>
        <dt>Acceptance</dt>
        <dd>{r.acceptance ? `${r.acceptance.acceptedBy.displayName} accepted ${r.acceptance.level} on ${r.acceptance.acceptedAt.slice(0, 10)} until ${r.acceptance.expiresOn}${r.acceptance.expired ? ' (expired)' : ''}: ${r.acceptance.rationale}` : 'not accepted'}</dd>
      </dl>
      <h2>Treatment plan</h2>
      <DataTable caption="Treatment tasks" rows={r.tasks} rowKey={(t) => t.id} columns={[
        { key: 'title', header: 'Task', render: (t) => t.title },
        { key: 'controls', header: 'Controls', render: (t) => t.controlIds.map((c) => <span key={c} className="tag">{c}</span>) },
        { key: 'owner', header: 'Owner', render: (t) => t.owner?.displayName ?? '—', wide: true },
        { key: 'due', header: 'Due', render: (t) => <>{t.dueOn ?? '—'}{t.overdue ? <span className="status status-pending"> overdue</span> : null}</> },
        { key: 'status', header: 'Status', render: (t) => <TaskStatus riskId={r.id} taskId={t.id} status={t.status} /> },
      ]} />
      {r.actions.includes('tasks') ? <TaskForm riskId={r.id} /> : null}
      {r.actions.includes('accept') ? <AcceptForm riskId={r.id} /> : null}
      {r.actions.includes('review') ? <ReviewForm risk={r} /> : null}
      <h2>Reviews</h2>
      <ul>{r.reviews.map((v) => <li key={v.id}>{v.openedAt.slice(0, 10)} {labelOf(v.sourceType)} {v.sourceId ?? ''}: {v.completedAt ? `done ${v.completedAt.slice(0, 10)}: ${v.outcome}` : `open${v.note ? ` (${v.note})` : ''}`}</li>)}</ul>
    </>
  );
}

function TaskStatus({ riskId, taskId, status }: { riskId: string; taskId: string; status: string }) {
  const done = useInvalidateRisk(riskId);
  const m = useMutation({ mutationFn: (s: string) => api.patch(`/api/risks/${riskId}/tasks/${taskId}`, { status: s }), onSuccess: () => done('Task updated') });
  return (
    <select aria-label="Task status" value={status} onChange={(e) => m.mutate(e.target.value)}>
      {['open', 'in_progress', 'done', 'cancelled'].map((s) => <option key={s} value={s}>{labelOf(s)}</option>)}
    </select>
  );
}

function TaskForm({ riskId }: { riskId: string }) {
  const owners = [{ value: '', label: 'Nobody' }, ...useMemberOptions()];
  const done = useInvalidateRisk(riskId);
  const [f, setF] = useState({ title: '', controls: '', ownerId: '', dueOn: '' });
  const m = useMutation({
    mutationFn: () => api.post(`/api/risks/${riskId}/tasks`, { title: f.title, controlIds: f.controls.split(/[\s,;]+/).filter(Boolean), ownerId: f.ownerId || null, dueOn: f.dueOn || null }),
    onSuccess: () => { setF({ title: '', controls: '', ownerId: '', dueOn: '' }); done('Task added'); },
  });
  const errors = fieldErrorsOf(m.error);
  if (errors['controlIds.0'] || errors['controlIds.1']) errors.controlIds = Object.entries(errors).find(([k]) => k.startsWith('controlIds'))![1];
  return (
    <form className="form-card" onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
      <h3>Add a task</h3>
      <ErrorBanner error={m.error} />
      <FormField label="Task" name="title" value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} errors={errors} required />
      <FormField label="Annex A controls (e.g. A.8.7, A.5.15)" name="controlIds" value={f.controls} onChange={(e) => setF({ ...f, controls: e.target.value })} errors={errors} />
      <SelectField label="Owner" name="ownerId" value={f.ownerId} onChange={(v) => setF({ ...f, ownerId: v })} options={owners} errors={errors} />
      <FormField label="Due" name="dueOn" type="date" value={f.dueOn} onChange={(e) => setF({ ...f, dueOn: e.target.value })} errors={errors} />
      <button type="submit" className="primary" disabled={m.isPending}>Add task</button>
    </form>
  );
}

function AcceptForm({ riskId }: { riskId: string }) {
  const done = useInvalidateRisk(riskId);
  const [f, setF] = useState({ rationale: '', expiresOn: '' });
  const m = useMutation({ mutationFn: () => api.post(`/api/risks/${riskId}/acceptance`, f), onSuccess: () => done('Acceptance signed') });
  const errors = fieldErrorsOf(m.error);
  return (
    <form className="form-card" onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
      <h3>Accept this risk (as its owner)</h3>
      <ErrorBanner error={m.error} />
      <FormField label="Rationale" name="rationale" value={f.rationale} onChange={(e) => setF({ ...f, rationale: e.target.value })} errors={errors} required />
      <FormField label="Accepted until" name="expiresOn" type="date" value={f.expiresOn} onChange={(e) => setF({ ...f, expiresOn: e.target.value })} errors={errors} required />
      <button type="submit" className="primary" disabled={m.isPending}>Sign off acceptance</button>
    </form>
  );
}

function ReviewForm({ risk }: { risk: RiskDetail }) {
  const done = useInvalidateRisk(risk.id);
  const method = useRiskMethod();
  const [f, setF] = useState({ outcome: '', cl: String(risk.current.likelihood), ci: String(risk.current.impact), next: '' });
  const m = useMutation({
    mutationFn: () => api.post(`/api/risks/${risk.id}/review`, { outcome: f.outcome, current: { likelihood: Number(f.cl), impact: Number(f.ci) }, ...(f.next ? { nextReviewOn: f.next } : {}) }),
    onSuccess: () => { setF({ ...f, outcome: '' }); done('Review recorded'); },
  });
  const errors = fieldErrorsOf(m.error);
  const opts = (xs: Array<{ value: number; name: string }>) => xs.map((l) => ({ value: String(l.value), label: `${l.value} ${l.name}` }));
  return (
    <form className="form-card" onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
      <h3>Record a review</h3>
      <ErrorBanner error={m.error} />
      <FormField label="Outcome" name="outcome" value={f.outcome} onChange={(e) => setF({ ...f, outcome: e.target.value })} errors={errors} required />
      <SelectField label="Current likelihood" name="current.likelihood" value={f.cl} onChange={(v) => setF({ ...f, cl: v })} options={opts(method.data?.likelihood ?? [])} errors={errors} />
      <SelectField label="Current impact" name="current.impact" value={f.ci} onChange={(v) => setF({ ...f, ci: v })} options={opts(method.data?.impact ?? [])} errors={errors} />
      <FormField label="Next review" name="nextReviewOn" type="date" value={f.next} onChange={(e) => setF({ ...f, next: e.target.value })} errors={errors} />
      <button type="submit" className="primary" disabled={m.isPending}>Record review</button>
    </form>
  );
}
