import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { IncidentDetail, IncidentRow, ReportDraft } from '../../../src/domains/incidents/schema.js';
import type { RegimeRow } from '../../../src/domains/incidents/regimes/schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { ErrorBanner, fieldErrorsOf, FormField, labelOf, SelectField } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { can, useActiveSession } from '../session.js';
import { IncidentHandling } from './incident-handling.js';
import { IntelCorrelation } from './intel-correlation.js';

const STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'post_incident', 'closed', 'rejected'];
const opts = (xs: readonly string[], blank = 'Any') => [{ value: '', label: blank }, ...xs.map((x) => ({ value: x, label: labelOf(x) }))];

/** Counts down to a deadline from the server's clock, so a wrong client clock does not lie. */
export function Countdown({ dueAt, serverNow }: { dueAt: string; serverNow: string }) {
  const skew = useRef(new Date(serverNow).getTime() - Date.now());
  const [now, setNow] = useState(() => Date.now() + skew.current);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + skew.current), 1000);
    return () => clearInterval(t);
  }, []);
  const ms = new Date(dueAt).getTime() - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const text = `${h >= 48 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`}`;
  return <span className={ms < 0 ? 'tag danger' : 'tag'} role="timer">{ms < 0 ? `overdue by ${text}` : `${text} left`}</span>;
}

/** Own reports (an entity) or the triage queue (a CERT): filters, search, deadline sort. */
export function IncidentsPage() {
  const session = useActiveSession();
  const cert = session.org?.kind === 'cert';
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), status: get('status'), severity: get('severity'), deadline: get('deadline'), sort: get('sort') || (cert ? 'deadline' : 'created') };
  const list = useQuery({ queryKey: ['incidents', filters, offset], queryFn: () => api.get<Paged<IncidentRow>>('/api/incidents', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  const navigate = useNavigate();
  const create = useMutation({ mutationFn: () => api.post<IncidentDetail>('/api/incidents', { draft: {} }), onSuccess: (i) => navigate(`/incidents/${i.id}`) });
  return (
    <>
      <h1>{cert ? 'Triage queue' : 'Incident reports'}</h1>
      {can(session, 'incidents.report') ? <p><button type="button" className="primary" onClick={() => create.mutate()}>Report an incident</button></p> : null}
      <ErrorBanner error={create.error ?? list.error} />
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'status', label: 'Status', type: 'select', options: opts(STATUSES) },
          { name: 'severity', label: 'Severity', type: 'select', options: opts(['critical', 'high', 'medium', 'low']) },
          { name: 'deadline', label: 'Deadline', type: 'select', options: [{ value: '', label: 'Any' }, { value: 'due', label: 'Due within 24 h' }, { value: 'missed', label: 'Missed' }] },
          { name: 'sort', label: 'Sort by', type: 'select', options: [{ value: 'deadline', label: 'Next deadline' }, { value: 'created', label: 'Newest' }, { value: 'severity', label: 'Severity' }] },
        ]}
      />
      <DataTable
        caption="Incidents"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(i) => i.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'ref', header: 'Ref', render: (i) => <Link to={`/incidents/${i.id}`}>{i.ref}</Link> },
          { key: 'title', header: 'Title', render: (i) => <>{i.title}{i.major ? <span className="tag danger">major</span> : null}</> },
          ...(cert ? [{ key: 'org', header: 'Entity', render: (i: IncidentRow) => i.orgName }] : []),
          { key: 'status', header: 'Status', render: (i) => labelOf(i.status) },
          { key: 'severity', header: 'Severity', render: (i) => i.severity ?? '-' },
          { key: 'due', header: 'Next deadline', render: (i) => (i.nextDueAt ? <>{labelOf(i.nextDueStage ?? '')} {i.overdue ? <span className="tag danger">overdue</span> : new Date(i.nextDueAt).toLocaleString()}</> : '-') },
        ]}
      />
    </>
  );
}

/** One incident: the entity's guided report, or the CERT's handling view. */
export function IncidentPage() {
  const { id } = useParams();
  const q = useQuery({ queryKey: ['incident', id], queryFn: () => api.get<IncidentDetail>(`/api/incidents/${id}`) });
  if (q.error) return <ErrorBanner error={q.error} />;
  const inc = q.data;
  if (!inc) return <p>Loading…</p>;
  return (
    <>
      <h1>{inc.ref}: {inc.title}</h1>
      <p>
        <span className="tag">{labelOf(inc.status)}</span> {inc.side === 'cert' ? <>reported by <strong>{inc.orgName}</strong> · </> : null}regime {inc.regime.name}
      </p>
      <section aria-label="Deadlines">
        <h2>Deadlines</h2>
        <ul className="deadlines">
          {inc.deadlines.map((d) => (
            <li key={d.stage} data-stage={d.stage}>
              <strong>{d.label}</strong>: {labelOf(d.state)}
              {d.dueAt ? <> · due {new Date(d.dueAt).toLocaleString()} ({d.basis})</> : null}
              {d.dueAt && !d.submittedAt ? <> <Countdown dueAt={d.dueAt} serverNow={inc.serverNow} /></> : null}
            </li>
          ))}
        </ul>
      </section>
      {inc.side === 'entity' ? <ReportWizard inc={inc} /> : <ReportView inc={inc} />}
      <IntelCorrelation observables={((inc.report ?? inc.draft ?? {}) as ReportDraft).observables ?? []} excludeRef={inc.id} />
      <IncidentHandling inc={inc} />
    </>
  );
}

function ReportView({ inc }: { inc: IncidentDetail }) {
  const r = (inc.report ?? {}) as ReportDraft;
  return (
    <section aria-label="Report">
      <h2>Latest report</h2>
      <dl className="facts">
        <dt>Summary</dt><dd>{r.summary}</dd>
        <dt>Detected</dt><dd>{r.detectedAt ? new Date(r.detectedAt).toLocaleString() : '-'}</dd>
        <dt>RSIT</dt><dd>{r.rsitClass} / {r.rsitType}</dd>
        <dt>Severity</dt><dd>{r.severity}</dd>
        <dt>Major (entity)</dt><dd>{r.major ? 'yes' : 'no'} · system suggestion: {inc.suggestion.major ? 'major' : 'not major'}</dd>
        <dt>Affected services</dt><dd>{r.affectedServices?.join(', ') ?? '-'}</dd>
        <dt>Impact</dt><dd>{r.impactDescription ?? '-'}</dd>
        <dt>Observables</dt><dd>{r.observables?.map((o) => <div key={`${o.type}:${o.value}`}><code>{o.type}</code> {o.value} <span className="tag">TLP:{o.tlp.toUpperCase()}</span></div>) ?? '-'}</dd>
        <dt>Contact</dt><dd>{r.contact ? `${r.contact.name} <${r.contact.email}>` : '-'}</dd>
      </dl>
    </section>
  );
}

type Rsit = { classes: Array<{ key: string; label: string; types: Array<{ key: string; label: string }> }> };
const toLocal = (iso?: string) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');
const fromLocal = (v: string) => (v ? new Date(`${v}:00Z`).toISOString() : null);

/** The guided report: every change autosaves the draft; each stage is submitted as a whole. */
function ReportWizard({ inc }: { inc: IncidentDetail }) {
  const qc = useQueryClient();
  const toast = useToast();
  const rsit = useQuery({ queryKey: ['rsit'], queryFn: () => api.get<Rsit>('/api/rsit') });
  const regimes = useQuery({ queryKey: ['regimes'], queryFn: () => api.get<RegimeRow[]>('/api/regimes') });
  const regime = regimes.data?.find((r) => r.id === inc.regime.id);
  const [draft, setDraft] = useState<ReportDraft>(inc.draft ?? {});
  const pending = useRef<Record<string, unknown>>({});
  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) => api.patch<IncidentDetail>(`/api/incidents/${inc.id}/draft`, patch),
    onSuccess: (d) => qc.setQueryData(['incident', inc.id], d),
  });
  useEffect(() => {
    const t = setTimeout(() => {
      if (Object.keys(pending.current).length) {
        const patch = pending.current;
        pending.current = {};
        save.mutate(patch);
      }
    }, 800);
    return () => clearTimeout(t);
  });
  const set = (k: keyof ReportDraft, v: unknown) => {
    setDraft({ ...draft, [k]: v ?? undefined });
    pending.current[k] = v;
  };
  const submit = useMutation({
    mutationFn: async (stage: string) => {
      if (Object.keys(pending.current).length) {
        const patch = pending.current;
        pending.current = {};
        await api.patch(`/api/incidents/${inc.id}/draft`, patch);
      }
      return api.post<IncidentDetail>(`/api/incidents/${inc.id}/stages`, { stage });
    },
    onSuccess: (d, stage) => {
      qc.setQueryData(['incident', inc.id], d);
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      toast(`${labelOf(stage)} report submitted`);
    },
  });
  const errors = Object.fromEntries(Object.entries(fieldErrorsOf(submit.error)).map(([k, v]) => [k.replace(/^draft\./, ''), v]));
  const cls = rsit.data?.classes.find((c) => c.key === draft.rsitClass);
  const observables = draft.observables ?? [];
  const closed = inc.status === 'closed' || inc.status === 'rejected';
  return (
    <section aria-label="Report">
      <h2>Report {save.isPending ? <span className="muted">saving…</span> : <span className="muted">draft saved</span>}</h2>
      <ErrorBanner error={save.error} />
      <fieldset disabled={closed}>
        <legend>1. What happened</legend>
        <FormField label="Title" name="title" value={draft.title ?? ''} onChange={(e) => set('title', e.target.value)} errors={errors} />
        <div className="field">
          <label htmlFor="summary">Summary</label>
          <textarea id="summary" value={draft.summary ?? ''} onChange={(e) => set('summary', e.target.value || null)} aria-invalid={errors.summary ? true : undefined} />
          {errors.summary ? <div className="field-error" role="alert">{errors.summary}</div> : null}
        </div>
        <FormField label="Detected at (UTC)" name="detectedAt" type="datetime-local" value={toLocal(draft.detectedAt)} onChange={(e) => set('detectedAt', fromLocal(e.target.value))} errors={errors} />
        <FormField label="Started at (UTC)" name="startedAt" type="datetime-local" value={toLocal(draft.startedAt)} onChange={(e) => set('startedAt', fromLocal(e.target.value))} errors={errors} />
      </fieldset>
      <fieldset disabled={closed}>
        <legend>2. Classification</legend>
        <SelectField label="RSIT class" name="rsitClass" value={draft.rsitClass ?? ''} onChange={(v) => set('rsitClass', v || null)} options={[{ value: '', label: 'Choose…' }, ...(rsit.data?.classes.map((c) => ({ value: c.key, label: c.label })) ?? [])]} errors={errors} />
        <SelectField label="RSIT type" name="rsitType" value={draft.rsitType ?? ''} onChange={(v) => set('rsitType', v || null)} options={[{ value: '', label: 'Choose…' }, ...(cls?.types.map((t) => ({ value: t.key, label: t.label })) ?? [])]} errors={errors} />
        <SelectField label="Severity" name="severity" value={draft.severity ?? ''} onChange={(v) => set('severity', v || null)} options={opts(['critical', 'high', 'medium', 'low'], 'Choose…')} errors={errors} />
        {regime?.definition.criteria.map((c) => (
          <FormField key={c.key} label={c.label} name={`criteria.${c.key}`} type="number" min={0} value={draft.criteria?.[c.key] ?? ''} onChange={(e) => set('criteria', { ...(draft.criteria ?? {}), [c.key]: e.target.value === '' ? undefined : Number(e.target.value) })} errors={errors} />
        ))}
        <div className="callout" role="status" aria-label="Suggestion">
          System suggestion: <strong>{inc.suggestion.major ? 'major' : inc.suggestion.reportable ? 'reportable, not major' : 'not reportable'}</strong>
          <ul>{inc.suggestion.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
        </div>
        <div className="field">
          <label><input type="checkbox" checked={draft.major ?? false} onChange={(e) => set('major', e.target.checked)} /> We classify this incident as major</label>
          {errors.major ? <div className="field-error" role="alert">{errors.major}</div> : null}
        </div>
      </fieldset>
      <fieldset disabled={closed}>
        <legend>3. Impact and response</legend>
        <FormField label="Affected services (comma-separated)" name="affectedServices" value={(draft.affectedServices ?? []).join(', ')} onChange={(e) => set('affectedServices', e.target.value.split(',').map((s) => s.trim()).filter(Boolean))} errors={errors} />
        <FormField label="Impact" name="impactDescription" value={draft.impactDescription ?? ''} onChange={(e) => set('impactDescription', e.target.value || null)} errors={errors} />
        <FormField label="Measures taken" name="measures" value={draft.measures ?? ''} onChange={(e) => set('measures', e.target.value || null)} errors={errors} />
        <FormField label="Root cause" name="rootCause" value={draft.rootCause ?? ''} onChange={(e) => set('rootCause', e.target.value || null)} errors={errors} />
      </fieldset>
      <fieldset disabled={closed}>
        <legend>4. Observables</legend>
        {observables.map((o, i) => (
          <div key={i} className="row-actions">
            <SelectField label={`Type ${i + 1}`} name={`observables.${i}.type`} value={o.type} onChange={(v) => set('observables', observables.map((x, j) => (j === i ? { ...x, type: v } : x)))} options={['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'filename'].map((t) => ({ value: t, label: t }))} />
            <FormField label={`Value ${i + 1}`} name={`observables.${i}.value`} value={o.value} onChange={(e) => set('observables', observables.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} errors={fieldErrorsOf(save.error)} />
            <SelectField label={`TLP ${i + 1}`} name={`observables.${i}.tlp`} value={o.tlp} onChange={(v) => set('observables', observables.map((x, j) => (j === i ? { ...x, tlp: v } : x)))} options={['clear', 'green', 'amber', 'amber+strict', 'red'].map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }))} />
            <button type="button" className="small" onClick={() => set('observables', observables.filter((_x, j) => j !== i))}>Remove</button>
          </div>
        ))}
        <button type="button" onClick={() => set('observables', [...observables, { type: 'ipv4', value: '', tlp: 'amber' }])}>Add observable</button>
      </fieldset>
      <fieldset disabled={closed}>
        <legend>5. Contact person</legend>
        <FormField label="Contact name" name="contact" value={draft.contact?.name ?? ''} onChange={(e) => set('contact', { ...(draft.contact ?? { email: '' }), name: e.target.value })} errors={errors} />
        <FormField label="Contact email" name="contact.email" value={draft.contact?.email ?? ''} onChange={(e) => set('contact', { ...(draft.contact ?? { name: '' }), email: e.target.value })} errors={errors} />
      </fieldset>
      <ErrorBanner error={submit.error} />
      {!closed ? (
        <p className="row-actions">
          {(regime?.definition.stages ?? []).map((s) => (
            <button key={s.stage} type="button" className="primary" disabled={submit.isPending} onClick={() => submit.mutate(s.stage)}>Submit {s.label.toLowerCase()}</button>
          ))}
        </p>
      ) : null}
    </section>
  );
}
