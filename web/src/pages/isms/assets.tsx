import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ASSET_TYPES, type AssetDetail, type AssetGraph, type AssetRow } from '../../../../src/domains/assets/schema.js';
import { api, request, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, useListParams } from '../../components/filter-bar.js';
import { ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { RATING_NAMES, useMemberOptions } from './common.js';

const TYPE_OPTIONS = ASSET_TYPES.map((t) => ({ value: t, label: labelOf(t) }));
const RATING_OPTIONS = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: `${n} ${RATING_NAMES[n]}` }));

/** The asset inventory: search, filters, sort, paging, export, and a quick add form. */
export function AssetsPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), type: get('type'), ownerId: get('ownerId'), criticality: get('criticality'), tag: get('tag'), sort: get('sort') || 'name', order: get('order') || 'asc' };
  const owners = useMemberOptions();
  const list = useQuery({ queryKey: ['assets', filters, offset], queryFn: () => api.get<Paged<AssetRow>>('/api/assets', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  const exportQs = new URLSearchParams(Object.entries(filters).filter(([k, v]) => v && k !== 'sort' && k !== 'order')).toString();
  const [adding, setAdding] = useState(false);
  return (
    <>
      <div className="page-head">
        <h1>Assets</h1>
        <div className="row-actions">
          <button type="button" className="primary" onClick={() => setAdding((a) => !a)}>{adding ? 'Close form' : 'Add asset'}</button>
          <Link className="button" to="/assets/import">Import CSV / XLSX</Link>
          <Link className="button" to="/assets/graph">Dependency graph</Link>
          <a className="button" href={`/api/assets/export?format=csv&${exportQs}`}>Export CSV</a>
          <a className="button" href={`/api/assets/export?format=xlsx&${exportQs}`}>Export XLSX</a>
        </div>
      </div>
      {adding ? <AssetForm onDone={() => setAdding(false)} /> : null}
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search', placeholder: 'name, description, location' },
          { name: 'type', label: 'Type', type: 'select', options: TYPE_OPTIONS },
          { name: 'ownerId', label: 'Owner', type: 'select', options: owners },
          { name: 'criticality', label: 'Criticality', type: 'select', options: RATING_OPTIONS },
          { name: 'tag', label: 'Tag' },
          { name: 'sort', label: 'Sort by', type: 'select', options: ['name', 'type', 'criticality', 'review_due_on', 'updated_at'].map((s) => ({ value: s, label: labelOf(s) })) },
          { name: 'order', label: 'Order', type: 'select', options: [{ value: 'asc', label: 'Ascending' }, { value: 'desc', label: 'Descending' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Assets"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(a) => a.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'name', header: 'Name', render: (a) => <><Link to={`/assets/${a.id}`}><strong>{a.name}</strong></Link><div className="muted">{labelOf(a.type)}</div></> },
          { key: 'owner', header: 'Owner', render: (a) => a.owner?.displayName ?? '—', wide: true },
          { key: 'cia', header: 'C / I / A', render: (a) => `${a.confidentiality} / ${a.integrity} / ${a.availability}` },
          { key: 'crit', header: 'Criticality', render: (a) => `${a.criticality} ${RATING_NAMES[a.criticality]}` },
          { key: 'tags', header: 'Tags', render: (a) => a.tags.map((t) => <span key={t} className="tag">{t}</span>), wide: true },
          { key: 'review', header: 'Review due', render: (a) => a.reviewDueOn ?? '—', wide: true },
        ]}
      />
    </>
  );
}

/** Add (or edit) an asset with the fields the API takes; server field errors show beside each field. */
export function AssetForm({ asset, onDone }: { asset?: AssetDetail; onDone: () => void }) {
  const owners = [{ value: '', label: 'Nobody' }, ...useMemberOptions()];
  const qc = useQueryClient();
  const toast = useToast();
  const [f, setF] = useState({
    name: asset?.name ?? '', type: asset?.type ?? 'information', description: asset?.description ?? '', ownerId: asset?.owner?.id ?? '', custodianId: asset?.custodian?.id ?? '',
    location: asset?.location ?? '', confidentiality: String(asset?.confidentiality ?? 3), integrity: String(asset?.integrity ?? 3), availability: String(asset?.availability ?? 3),
    reviewDueOn: asset?.reviewDueOn ?? '', tags: asset?.tags.join(', ') ?? '',
  });
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: f.name, type: f.type, description: f.description, ownerId: f.ownerId || null, custodianId: f.custodianId || null, location: f.location,
        confidentiality: Number(f.confidentiality), integrity: Number(f.integrity), availability: Number(f.availability),
        reviewDueOn: f.reviewDueOn || null, tags: f.tags.split(/[,;]/).map((t) => t.trim()).filter(Boolean),
      };
      return asset ? api.patch<AssetDetail>(`/api/assets/${asset.id}`, body) : api.post<AssetDetail>('/api/assets', body);
    },
    onSuccess: (a) => {
      toast(`${a.name} saved`);
      void qc.invalidateQueries({ queryKey: ['assets'] });
      void qc.invalidateQueries({ queryKey: ['asset', a.id] });
      onDone();
    },
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <form className="form-card" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <ErrorBanner error={save.error} />
      <FormField label="Name" name="name" value={f.name} onChange={(e) => set('name')(e.target.value)} errors={errors} required />
      <SelectField label="Type" name="type" value={f.type} onChange={set('type')} options={TYPE_OPTIONS} errors={errors} />
      <FormField label="Description" name="description" value={f.description} onChange={(e) => set('description')(e.target.value)} errors={errors} />
      <SelectField label="Owner" name="ownerId" value={f.ownerId} onChange={set('ownerId')} options={owners} errors={errors} />
      <SelectField label="Custodian" name="custodianId" value={f.custodianId} onChange={set('custodianId')} options={owners} errors={errors} />
      <FormField label="Location" name="location" value={f.location} onChange={(e) => set('location')(e.target.value)} errors={errors} />
      <SelectField label="Confidentiality" name="confidentiality" value={f.confidentiality} onChange={set('confidentiality')} options={RATING_OPTIONS} errors={errors} />
      <SelectField label="Integrity" name="integrity" value={f.integrity} onChange={set('integrity')} options={RATING_OPTIONS} errors={errors} />
      <SelectField label="Availability" name="availability" value={f.availability} onChange={set('availability')} options={RATING_OPTIONS} errors={errors} />
      <FormField label="Review due" name="reviewDueOn" type="date" value={f.reviewDueOn} onChange={(e) => set('reviewDueOn')(e.target.value)} errors={errors} />
      <FormField label="Tags (comma separated)" name="tags" value={f.tags} onChange={(e) => set('tags')(e.target.value)} errors={errors} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>Save</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

/** One asset: its attributes, dependencies both ways, edit and delete. */
export function AssetDetailPage() {
  const { id = '' } = useParams();
  const nav = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useQuery({ queryKey: ['asset', id], queryFn: () => api.get<AssetDetail>(`/api/assets/${id}`) });
  const [editing, setEditing] = useState(false);
  const del = useMutation({
    mutationFn: () => request('DELETE', `/api/assets/${id}`),
    onSuccess: () => { toast('Asset deleted'); void qc.invalidateQueries({ queryKey: ['assets'] }); nav('/assets'); },
  });
  const a = q.data;
  if (!a) return <ErrorBanner error={q.error} />;
  return (
    <>
      <div className="page-head">
        <h1>{a.name}</h1>
        {a.actions.includes('update') ? (
          <div className="row-actions">
            <button type="button" onClick={() => setEditing((e) => !e)}>{editing ? 'Close form' : 'Edit'}</button>
            <button type="button" className="danger-outline" onClick={() => del.mutate()}>Delete</button>
          </div>
        ) : null}
      </div>
      <ErrorBanner error={del.error} />
      {editing ? <AssetForm asset={a} onDone={() => setEditing(false)} /> : null}
      <dl className="form-card">
        <dt>Type</dt><dd>{labelOf(a.type)}</dd>
        <dt>Owner / custodian</dt><dd>{a.owner?.displayName ?? '—'} / {a.custodian?.displayName ?? '—'}</dd>
        <dt>Location</dt><dd>{a.location || '—'}</dd>
        <dt>Confidentiality / integrity / availability</dt><dd>{RATING_NAMES[a.confidentiality]} / {RATING_NAMES[a.integrity]} / {RATING_NAMES[a.availability]}</dd>
        <dt>Criticality</dt><dd>{RATING_NAMES[a.criticality]}</dd>
        <dt>Acquired / review due / retired</dt><dd>{a.acquiredOn ?? '—'} / {a.reviewDueOn ?? '—'} / {a.retiredOn ?? '—'}</dd>
        <dt>Tags</dt><dd>{a.tags.map((t) => <span key={t} className="tag">{t}</span>)}</dd>
        <dt>Description</dt><dd>{a.description || '—'}</dd>
      </dl>
      <h2>Depends on</h2>
      <ul>{a.dependsOn.map((d) => <li key={d.id}><Link to={`/assets/${d.id}`}>{d.name}</Link></li>)}{a.dependsOn.length === 0 ? <li className="muted">Nothing</li> : null}</ul>
      <h2>Depended on by</h2>
      <ul>{a.dependents.map((d) => <li key={d.id}><Link to={`/assets/${d.id}`}>{d.name}</Link></li>)}{a.dependents.length === 0 ? <li className="muted">Nothing</li> : null}</ul>
      <p><Link to={`/assets/graph?root=${a.id}`}>Show the graph around this asset</Link></p>
    </>
  );
}

/**
 * The dependency graph as SVG: assets laid out in layers by dependency depth
 * (what others depend on sits lower); edges in a cycle are drawn in red.
 */
export function AssetGraphPage() {
  const { get } = useListParams();
  const root = get('root');
  const q = useQuery({ queryKey: ['assets', 'graph', root], queryFn: () => api.get<AssetGraph>('/api/assets/graph', root ? { root, depth: 3 } : {}) });
  const g = q.data;
  if (!g) return <ErrorBanner error={q.error} />;
  const depth = new Map<string, number>(g.nodes.map((n) => [n.id, 0]));
  // Longest-path layering, bounded so cycles terminate.
  for (let pass = 0; pass < g.nodes.length; pass++) {
    let changed = false;
    for (const e of g.edges) {
      if (e.inCycle) continue;
      const want = (depth.get(e.from) ?? 0) + 1;
      if ((depth.get(e.to) ?? 0) < want) { depth.set(e.to, want); changed = true; }
    }
    if (!changed) break;
  }
  const layers = new Map<number, string[]>();
  for (const n of g.nodes) layers.set(depth.get(n.id)!, [...(layers.get(depth.get(n.id)!) ?? []), n.id]);
  const W = 180, H = 90;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [d, ids] of layers) ids.forEach((id, i) => pos.set(id, { x: 20 + i * W, y: 30 + d * H }));
  const width = Math.max(...[...layers.values()].map((l) => l.length)) * W + 40;
  const height = (Math.max(0, ...layers.keys()) + 1) * H + 40;
  return (
    <>
      <h1>Dependency graph</h1>
      <p className="muted">{g.nodes.length} assets, {g.edges.length} dependencies{g.cycles.length ? `, ${g.cycles.length} cycle(s) shown in red` : ''}. An arrow points to what an asset depends on.</p>
      <div className="table-wrap">
        <svg width={width} height={height} role="img" aria-label="Asset dependency graph">
          <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666" /></marker></defs>
          {g.edges.map((e) => {
            const a = pos.get(e.from)!, b = pos.get(e.to)!;
            return <line key={`${e.from}-${e.to}`} x1={a.x + 70} y1={a.y + 30} x2={b.x + 70} y2={b.y} stroke={e.inCycle ? '#c62828' : '#888'} strokeWidth={e.inCycle ? 2 : 1} markerEnd="url(#arrow)" />;
          })}
          {g.nodes.map((n) => {
            const p = pos.get(n.id)!;
            return (
              <a key={n.id} href={`/assets/${n.id}`}>
                <rect x={p.x} y={p.y} width={140} height={30} rx={4} fill={n.inCycle ? '#fdecea' : '#eef3fb'} stroke={n.inCycle ? '#c62828' : '#5b7db1'} />
                <text x={p.x + 70} y={p.y + 19} textAnchor="middle" fontSize="12">{n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}</text>
              </a>
            );
          })}
        </svg>
      </div>
    </>
  );
}
