import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AssetRow } from '../../../../src/domains/assets/schema.js';
import { TREATMENTS, type HeatMap, type RiskDetail, type RiskMethod, type RiskRow } from '../../../../src/domains/risks/schema.js';
import { api, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, useListParams } from '../../components/filter-bar.js';
import { CheckboxGroup, ErrorBanner, FormField, SelectField, fieldErrorsOf, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { LevelChip, useMemberOptions } from './common.js';

export function useRiskMethod() {
  return useQuery({ queryKey: ['risk-method'], queryFn: () => api.get<RiskMethod>('/api/risks/method') });
}

/** The register: filters, paging, heat maps and exports. */
export function RisksPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), ownerId: get('ownerId'), level: get('level'), treatment: get('treatment'), status: get('status'), controlId: get('controlId'), aboveAppetite: get('aboveAppetite'), sort: get('sort') || 'ref', order: get('order') || 'asc' };
  const owners = useMemberOptions();
  const method = useRiskMethod();
  const list = useQuery({ queryKey: ['risks', filters, offset], queryFn: () => api.get<Paged<RiskRow>>('/api/risks', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  const qs = new URLSearchParams(Object.entries(filters).filter(([k, v]) => v && k !== 'sort' && k !== 'order')).toString();
  return (
    <>
      <div className="page-head">
        <h1>Risk register</h1>
        <div className="row-actions">
          <Link className="button primary" to="/risks/new">New risk</Link>
          <Link className="button" to="/risks/method">Method</Link>
          <a className="button" href={`/api/risks/export?format=xlsx&${qs}`}>Export XLSX</a>
          <a className="button" href={`/api/risks/export?format=pdf&${qs}`}>Export PDF</a>
        </div>
      </div>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'ownerId', label: 'Owner', type: 'select', options: owners },
          { name: 'level', label: 'Current level', type: 'select', options: (method.data?.levels ?? []).map((l) => ({ value: l.key, label: l.name })) },
          { name: 'treatment', label: 'Treatment', type: 'select', options: TREATMENTS.map((t) => ({ value: t, label: labelOf(t) })) },
          { name: 'status', label: 'Status', type: 'select', options: [{ value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }] },
          { name: 'controlId', label: 'Control (A.8.7)' },
          { name: 'aboveAppetite', label: 'Above appetite', type: 'select', options: [{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }] },
          { name: 'sort', label: 'Sort by', type: 'select', options: ['ref', 'title', 'inherent_score', 'current_score', 'residual_score', 'review_due_on', 'updated_at'].map((s) => ({ value: s, label: labelOf(s) })) },
          { name: 'order', label: 'Order', type: 'select', options: [{ value: 'asc', label: 'Ascending' }, { value: 'desc', label: 'Descending' }] },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Risks"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'ref', header: 'Ref', render: (r) => <Link to={`/risks/${r.id}`}>{r.ref}</Link> },
          { key: 'title', header: 'Title', render: (r) => <><strong>{r.title}</strong><div className="muted">{r.owner.displayName}</div></> },
          { key: 'inh', header: 'Inherent', render: (r) => <LevelChip {...r.inherent} />, wide: true },
          { key: 'cur', header: 'Current', render: (r) => <LevelChip {...r.current} /> },
          { key: 'res', header: 'Residual', render: (r) => (r.residual ? <LevelChip {...r.residual} /> : '—'), wide: true },
          { key: 'treat', header: 'Treatment', render: (r) => (r.treatment ? labelOf(r.treatment) : '—'), wide: true },
          { key: 'acc', header: 'Accepted', render: (r) => (r.acceptance ? `until ${r.acceptance.expiresOn}` : r.aboveAppetite ? 'above appetite' : '—'), wide: true },
        ]}
      />
      <HeatMaps />
    </>
  );
}

/** Inherent, current and residual heat maps side by side. */
export function HeatMaps() {
  const q = useQuery({ queryKey: ['risks', 'heatmap'], queryFn: () => api.get<HeatMap>('/api/risks/heatmap') });
  const h = q.data;
  if (!h) return <ErrorBanner error={q.error} />;
  const grid = (kind: 'inherent' | 'current' | 'residual') => (
    <figure key={kind} style={{ margin: 0 }}>
      <figcaption><strong>{labelOf(kind)}</strong></figcaption>
      <table className="data-table" style={{ width: 'auto' }}>
        <caption className="sr-only">{kind} heat map: rows likelihood, columns impact</caption>
        <tbody>
          {[...h.likelihood].reverse().map((l) => (
            <tr key={l.value}>
              <th scope="row">{l.value} {l.name}</th>
              {h.impact.map((i) => {
                const c = h.cells.find((x) => x.likelihood === l.value && x.impact === i.value)!;
                return <td key={i.value} style={{ background: c.colour, color: '#fff', textAlign: 'center', minWidth: '2.5rem' }} title={`${c.level}: ${c[kind]}`}>{c[kind] || ''}</td>;
              })}
            </tr>
          ))}
          <tr><th scope="row" /> {h.impact.map((i) => <th key={i.value} scope="col">{i.value}</th>)}</tr>
        </tbody>
      </table>
    </figure>
  );
  return (
    <section>
      <h2>Heat maps</h2>
      <p className="muted">{h.totals.risks} open risks; {h.totals.withResidual} with a residual target. Rows: likelihood; columns: impact.</p>
      <div style={{ display: 'flex', gap: '2rem', flexWrap: 'wrap' }}>{(['inherent', 'current', 'residual'] as const).map(grid)}</div>
    </section>
  );
}

const CIA = ['C', 'I', 'A'];

/** A new risk scenario, rated on the org's method. */
export function RiskNewPage() {
  const nav = useNavigate();
  const owners = useMemberOptions();
  const method = useRiskMethod();
  const assets = useQuery({ queryKey: ['assets', 'options'], queryFn: () => api.get<Paged<AssetRow>>('/api/assets', { limit: 500 }) });
  const [f, setF] = useState({ title: '', threat: '', vulnerability: '', ownerId: '', il: '3', ii: '3', cl: '', ci: '', rl: '', ri: '', treatment: '', reviewDueOn: '' });
  const [cia, setCia] = useState<string[]>([]);
  const [assetIds, setAssetIds] = useState<string[]>([]);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const create = useMutation({
    mutationFn: () => api.post<RiskDetail>('/api/risks', {
      title: f.title, threat: f.threat, vulnerability: f.vulnerability, cia, ownerId: f.ownerId, assetIds,
      inherent: { likelihood: Number(f.il), impact: Number(f.ii) },
      ...(f.cl && f.ci ? { current: { likelihood: Number(f.cl), impact: Number(f.ci) } } : {}),
      ...(f.rl && f.ri ? { residual: { likelihood: Number(f.rl), impact: Number(f.ri) } } : {}),
      treatment: f.treatment || null, reviewDueOn: f.reviewDueOn || null,
    }),
    onSuccess: (r) => nav(`/risks/${r.id}`),
  });
  const errors = fieldErrorsOf(create.error);
  const L = (method.data?.likelihood ?? []).map((l) => ({ value: String(l.value), label: `${l.value} ${l.name}` }));
  const I = (method.data?.impact ?? []).map((l) => ({ value: String(l.value), label: `${l.value} ${l.name}` }));
  const opt = (xs: typeof L) => [{ value: '', label: '—' }, ...xs];
  return (
    <>
      <h1>New risk</h1>
      <form className="form-card" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <ErrorBanner error={create.error} />
        <FormField label="Title" name="title" value={f.title} onChange={(e) => set('title')(e.target.value)} errors={errors} required />
        <FormField label="Threat" name="threat" value={f.threat} onChange={(e) => set('threat')(e.target.value)} errors={errors} />
        <FormField label="Vulnerability" name="vulnerability" value={f.vulnerability} onChange={(e) => set('vulnerability')(e.target.value)} errors={errors} />
        <CheckboxGroup legend="Harms" name="cia" options={CIA} value={cia} onChange={setCia} errors={errors} />
        <SelectField label="Owner" name="ownerId" value={f.ownerId} onChange={set('ownerId')} options={[{ value: '', label: 'Choose…' }, ...owners]} errors={errors} />
        <div className="field">
          <label htmlFor="risk-assets">Affected assets</label>
          <select id="risk-assets" multiple value={assetIds} onChange={(e) => setAssetIds([...e.target.selectedOptions].map((o) => o.value))}>
            {(assets.data?.items ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </div>
        <SelectField label="Inherent likelihood" name="inherent.likelihood" value={f.il} onChange={set('il')} options={L} errors={errors} />
        <SelectField label="Inherent impact" name="inherent.impact" value={f.ii} onChange={set('ii')} options={I} errors={errors} />
        <SelectField label="Current likelihood (default: inherent)" name="current.likelihood" value={f.cl} onChange={set('cl')} options={opt(L)} errors={errors} />
        <SelectField label="Current impact" name="current.impact" value={f.ci} onChange={set('ci')} options={opt(I)} errors={errors} />
        <SelectField label="Residual likelihood (target)" name="residual.likelihood" value={f.rl} onChange={set('rl')} options={opt(L)} errors={errors} />
        <SelectField label="Residual impact" name="residual.impact" value={f.ri} onChange={set('ri')} options={opt(I)} errors={errors} />
        <SelectField label="Treatment" name="treatment" value={f.treatment} onChange={set('treatment')} options={[{ value: '', label: 'Not decided' }, ...TREATMENTS.map((t) => ({ value: t, label: labelOf(t) }))]} errors={errors} />
        <FormField label="Review due" name="reviewDueOn" type="date" value={f.reviewDueOn} onChange={(e) => set('reviewDueOn')(e.target.value)} errors={errors} />
        <div className="actions"><button type="submit" className="primary" disabled={create.isPending}>Create risk</button></div>
      </form>
    </>
  );
}

export function useInvalidateRisk(id: string) {
  const qc = useQueryClient();
  const toast = useToast();
  return (msg: string) => {
    toast(msg);
    void qc.invalidateQueries({ queryKey: ['risk', id] });
    void qc.invalidateQueries({ queryKey: ['risks'] });
  };
}
