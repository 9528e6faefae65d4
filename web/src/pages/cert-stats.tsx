import { Link, useParams } from 'react-router-dom';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { IncidentStats, Point } from '../../../src/domains/incidents/stats-schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { ErrorBanner } from '../components/form-field.js';

/** A horizontal bar chart in plain SVG-free markup: label, bar, value (readable without colour). */
function Bars({ title, points }: { title: string; points: Point[] }) {
  const max = Math.max(1, ...points.map((p) => p.value));
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      {points.map((p) => (
        <div key={p.key} className="bar-row">
          <span className="bar-label">{p.label}</span>
          <span className="bar" style={{ width: `${(p.value / max) * 60}%` }} />
          <span className="bar-value">{p.value}</span>
        </div>
      ))}
    </figure>
  );
}

/** Incident statistics as charts, with the XLSX export. */
export function IncidentStatsPage() {
  const { get, setFilters } = useListParams(25);
  const filters = { from: get('from'), to: get('to') };
  const s = useQuery({ queryKey: ['incident-stats', filters], queryFn: () => api.get<IncidentStats>('/api/incidents/stats', filters), placeholderData: keepPreviousData });
  const pct = (r: number | null) => (r === null ? '-' : `${Math.round(r * 100)}%`);
  return (
    <>
      <h1>Incident statistics</h1>
      <FilterBar key={JSON.stringify(filters)} values={filters} onApply={setFilters} filters={[{ name: 'from', label: 'Reported from', type: 'date' }, { name: 'to', label: 'Reported before', type: 'date' }]} />
      <p><a href={`/api/incidents/stats.xlsx?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString()}`}>Download XLSX</a></p>
      <ErrorBanner error={s.error} />
      {s.data ? (
        <>
          <p>{s.data.total} incidents · median detection→report {s.data.medianHours.detectToReport ?? '-'} h · report→triage {s.data.medianHours.reportToTriage ?? '-'} h · report→containment {s.data.medianHours.reportToContain ?? '-'} h</p>
          <div className="charts">
            <Bars title="By RSIT class" points={s.data.byClass} />
            <Bars title="By severity" points={s.data.bySeverity} />
            <Bars title="By entity" points={s.data.byEntity} />
            <Bars title="By month" points={s.data.byMonth} />
          </div>
          <h2>Deadline adherence</h2>
          <DataTable caption="By stage" rows={s.data.adherenceByStage} rowKey={(r) => r.key} columns={[{ key: 'k', header: 'Stage', render: (r) => r.label }, { key: 'm', header: 'Met', render: (r) => r.met }, { key: 'l', header: 'Late', render: (r) => r.late }, { key: 'o', header: 'Overdue', render: (r) => r.overdue }, { key: 'r', header: 'Rate', render: (r) => pct(r.rate) }]} />
          <DataTable caption="By entity" rows={s.data.adherenceByEntity} rowKey={(r) => r.key} columns={[{ key: 'k', header: 'Entity', render: (r) => r.label }, { key: 'm', header: 'Met', render: (r) => r.met }, { key: 'l', header: 'Late', render: (r) => r.late }, { key: 'o', header: 'Overdue', render: (r) => r.overdue }, { key: 'r', header: 'Rate', render: (r) => pct(r.rate) }]} />
          <h2>Advisories</h2>
          <p>{s.data.advisories.recipients} deliveries · acknowledged {pct(s.data.advisories.acknowledgementRate)} · remediated (of affected) {pct(s.data.advisories.remediationRate)}</p>
        </>
      ) : null}
    </>
  );
}

type CaseRow = { id: string; title: string; status: string; incidents: number; updatedAt: string };
type CaseView = { id: string; title: string; status: string; incidents: Array<{ id: string; ref: string; orgName: string; title: string; status: string }>; affectedEntities: Array<{ orgId: string; name: string }>; sharedObservables: Array<{ type: string; value: string; incidents: number; entities: number }>; timeline: Array<{ at: string; orgName: string; ref: string; kind: string; text: string }> };

/** Coordination cases of the CERT. */
export function CasesPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q') };
  const list = useQuery({ queryKey: ['cases', filters, offset], queryFn: () => api.get<Paged<CaseRow>>('/api/cases', { ...filters, limit, offset }) });
  return (
    <>
      <h1>Coordination cases</h1>
      <FilterBar key={JSON.stringify(filters)} values={filters} onApply={setFilters} filters={[{ name: 'q', label: 'Search' }]} />
      <ErrorBanner error={list.error} />
      <DataTable caption="Cases" rows={list.data?.items} rowKey={(c) => c.id} page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined} columns={[
        { key: 't', header: 'Case', render: (c) => <Link to={`/cases/${c.id}`}>{c.title}</Link> },
        { key: 's', header: 'Status', render: (c) => c.status },
        { key: 'n', header: 'Incidents', render: (c) => c.incidents },
      ]} />
    </>
  );
}

export function CasePage() {
  const { id } = useParams();
  const c = useQuery({ queryKey: ['case', id], queryFn: () => api.get<CaseView>(`/api/cases/${id}`) });
  if (c.error) return <ErrorBanner error={c.error} />;
  if (!c.data) return <p>Loading…</p>;
  return (
    <>
      <h1>{c.data.title}</h1>
      <h2>Affected entities</h2>
      <ul>{c.data.affectedEntities.map((e) => <li key={e.orgId}>{e.name}</li>)}</ul>
      <h2>Incidents</h2>
      <ul>{c.data.incidents.map((i) => <li key={i.id}><Link to={`/incidents/${i.id}`}>{i.ref}</Link> {i.orgName}: {i.title} ({i.status})</li>)}</ul>
      <h2>Shared observables</h2>
      <ul>{c.data.sharedObservables.map((o) => <li key={`${o.type}:${o.value}`}><code>{o.type}</code> {o.value}: {o.incidents} incidents, {o.entities} entities</li>)}</ul>
      <h2>Combined timeline</h2>
      <ol>{c.data.timeline.map((e, i) => <li key={i}>{new Date(e.at).toLocaleString()} {e.orgName} {e.ref}: {e.text}</li>)}</ol>
    </>
  );
}
