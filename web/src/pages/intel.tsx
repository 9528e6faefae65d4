import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { MatchRow, ObjectSummary } from '../../../src/domains/intel/schema.js';
import { TLP_LEVELS } from '../../../src/domains/sharing/schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { ErrorBanner } from '../components/form-field.js';
import { Tlp } from '../components/tlp.js';
import { RelationshipGraph, type Graph } from './intel-graph.js';

const TYPES = ['indicator', 'attack-pattern', 'malware', 'intrusion-set', 'tool', 'campaign', 'course-of-action', 'report', 'relationship', 'identity', 'vulnerability', 'threat-actor'];

/** Intel explorer: search every STIX object the acting org may see, with filters kept in the URL. */
export function IntelExplorerPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(50);
  const filters = { q: get('q'), type: get('type'), tlp: get('tlp'), source: get('source'), modifiedAfter: get('modifiedAfter'), sighted: get('sighted') };
  const query = { ...filters, modifiedAfter: filters.modifiedAfter ? new Date(filters.modifiedAfter).toISOString() : '' };
  const list = useQuery({
    queryKey: ['intel-objects', query, offset],
    queryFn: () => api.get<Paged<ObjectSummary>>('/api/intel/objects', { ...query, limit, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="page-head">
        <h1>Threat intelligence</h1>
      </div>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search', type: 'search', placeholder: 'name, description, pattern, T1059, STIX id' },
          { name: 'type', label: 'Type', type: 'select', options: [{ value: '', label: 'Any' }, ...TYPES.map((t) => ({ value: t, label: t }))] },
          { name: 'tlp', label: 'TLP', type: 'select', options: [{ value: '', label: 'Any' }, ...TLP_LEVELS.map((t) => ({ value: t, label: t.toUpperCase() }))] },
          { name: 'source', label: 'Source', placeholder: 'e.g. mitre-attack' },
          { name: 'modifiedAfter', label: 'Modified after', type: 'date' },
          { name: 'sighted', label: 'Sighted', type: 'select', options: [{ value: '', label: 'Any' }, { value: 'true', label: 'Sighted' }, { value: 'false', label: 'Not sighted' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="STIX objects visible to your organisation"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        empty="No objects match these filters."
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'name', header: 'Name', render: (r) => <Link to={`/intel/objects/${r.id}`}>{r.name ?? r.id}</Link> },
          { key: 'type', header: 'Type', render: (r) => <code>{r.type}</code> },
          { key: 'tlp', header: 'TLP', render: (r) => <Tlp tlp={r.tlp} /> },
          { key: 'source', header: 'Source', render: (r) => r.source, wide: true },
          { key: 'modified', header: 'Modified', render: (r) => (r.modified ? <time dateTime={r.modified}>{new Date(r.modified).toLocaleDateString()}</time> : ''), wide: true },
        ]}
      />
    </>
  );
}

interface Detail {
  summary: ObjectSummary;
  object: Record<string, unknown>;
  sightings: { seen: number; falsePositive: number; orgs: number };
}

/** One object: its properties, sightings, relationships (visible ends only) and correlation matches. */
export function IntelObjectPage() {
  const { id = '' } = useParams();
  const detail = useQuery({ queryKey: ['intel-object', id], queryFn: () => api.get<Detail>(`/api/intel/objects/${id}`) });
  const graph = useQuery({ queryKey: ['intel-graph', id], queryFn: () => api.get<Graph>(`/api/intel/objects/${id}/graph`) });
  const matches = useQuery({ queryKey: ['intel-matches', id], queryFn: () => api.get<Paged<MatchRow>>('/api/intel/matches', { ref: id, limit: 50 }) });
  const names = new Map(graph.data?.nodes.map((n) => [n.id, n.name ?? n.id]) ?? []);
  const d = detail.data;
  return (
    <>
      <ErrorBanner error={detail.error} />
      {d ? (
        <>
          <div className="page-head">
            <h1>{d.summary.name ?? d.summary.id}</h1>
            <Tlp tlp={d.summary.tlp} />
          </div>
          <p className="muted">
            <code>{d.summary.type}</code> · version {d.summary.version} · source {d.summary.source}
            {d.summary.revoked ? ' · revoked' : ''}
            {d.summary.deprecated ? ' · deprecated' : ''}
          </p>
          <p>
            Sightings: {d.sightings.seen} seen, {d.sightings.falsePositive} false positive, by {d.sightings.orgs} organisation(s)
          </p>
          <h2>Relationships</h2>
          {graph.data && graph.data.edges.length ? <RelationshipGraph key={id} id={id} graph={graph.data} /> : null}
          <DataTable
            caption="Relationships"
            rows={graph.data?.edges}
            rowKey={(e) => e.id}
            empty="No relationships you may see."
            columns={[
              { key: 'source', header: 'From', render: (e) => (e.source === id ? <strong>{names.get(e.source)}</strong> : <Link to={`/intel/objects/${e.source}`}>{names.get(e.source)}</Link>) },
              { key: 'rel', header: 'Relationship', render: (e) => <code>{e.relationshipType ?? 'sighting'}</code> },
              { key: 'target', header: 'To', render: (e) => (e.target === id ? <strong>{names.get(e.target)}</strong> : <Link to={`/intel/objects/${e.target}`}>{names.get(e.target)}</Link>) },
            ]}
          />
          <h2>Correlation</h2>
          <DataTable
            caption="Matches"
            rows={matches.data?.items}
            rowKey={(m) => m.id}
            empty="No matches you may see."
            columns={[
              { key: 'value', header: 'Value', render: (m) => <code>{m.value}</code> },
              { key: 'sides', header: 'Matched', render: (m) => m.sides.map((s) => `${s.sourceKind} ${s.sourceRef}`).join(' ↔ ') },
              { key: 'when', header: 'When', render: (m) => new Date(m.createdAt).toLocaleString() },
            ]}
          />
          <h2>STIX</h2>
          <pre className="json">{JSON.stringify(d.object, null, 2)}</pre>
        </>
      ) : null}
    </>
  );
}
