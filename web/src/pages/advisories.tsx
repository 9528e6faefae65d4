import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdvisoryRow, RecipientState } from '../../../src/domains/advisories/schema.js';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { IndicatorPicker, type PickedIndicator } from '../components/indicator-picker.js';
import { ErrorBanner, fieldErrorsOf, FormField, labelOf, SelectField } from '../components/form-field.js';
import { useToast } from '../components/toast.js';
import { can, useActiveSession } from '../session.js';

const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'].map((t) => ({ value: t, label: `TLP:${t.toUpperCase()}` }));
const SEVERITIES = ['critical', 'high', 'medium', 'low'].map((s) => ({ value: s, label: labelOf(s) }));

/** The CERT's advisories (with a compose form) or those delivered to the acting org. */
export function AdvisoriesPage() {
  const session = useActiveSession();
  const { get, limit, offset, setFilters, setOffset } = useListParams(25);
  const filters = { q: get('q'), status: get('status'), severity: get('severity') };
  const list = useQuery({ queryKey: ['advisories', filters, offset], queryFn: () => api.get<Paged<AdvisoryRow>>('/api/advisories', { ...filters, limit, offset }), placeholderData: keepPreviousData });
  return (
    <>
      <h1>Advisories</h1>
      {can(session, 'advisories.write') ? <Compose /> : null}
      <FilterBar key={JSON.stringify(filters)} values={filters} onApply={setFilters} filters={[{ name: 'q', label: 'Search' }, { name: 'status', label: 'Status', type: 'select', options: [{ value: '', label: 'Any' }, ...['draft', 'published', 'withdrawn'].map((s) => ({ value: s, label: labelOf(s) }))] }, { name: 'severity', label: 'Severity', type: 'select', options: [{ value: '', label: 'Any' }, ...SEVERITIES] }]} />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Advisories"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(a) => a.id}
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'ref', header: 'Ref', render: (a) => <Link to={`/advisories/${a.id}`}>{a.ref}</Link> },
          { key: 'title', header: 'Title', render: (a) => a.title },
          { key: 'tlp', header: 'TLP', render: (a) => <span className="tag">TLP:{a.tlp.toUpperCase()}</span> },
          { key: 'severity', header: 'Severity', render: (a) => labelOf(a.severity) },
          { key: 'status', header: 'Status', render: (a) => (a.myResponse ? (a.myResponse.acknowledgedAt ? 'Acknowledged' : 'Awaiting your acknowledgement') : labelOf(a.status)) },
        ]}
      />
    </>
  );
}

function Compose() {
  const navigate = useNavigate();
  const [f, setF] = useState({ title: '', tlp: 'amber', severity: 'high', cveIds: '', products: '', description: '', recommendedActions: '', audience: 'all', sector: '', indicators: '', stixFromObservables: '' });
  const [stix, setStix] = useState<PickedIndicator[]>([]);
  const create = useMutation({
    // The ids travel as the mutation's variables, so an error naming stixIndicatorIds[i] is tied to the id sent there.
    mutationFn: (stixIndicatorIds: string[]) =>
      api.post<AdvisoryRow>('/api/advisories', {
        title: f.title,
        tlp: f.tlp,
        severity: f.severity,
        cveIds: f.cveIds.split(/[\s,]+/).filter(Boolean),
        products: f.products.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => { const [vendor = '', product = vendor, versions = ''] = l.split('|').map((x) => x.trim()); return { vendor, product, versions }; }),
        description: f.description,
        recommendedActions: f.recommendedActions,
        indicators: f.indicators.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => { const i = l.indexOf(':'); return { type: l.slice(0, i).trim(), value: l.slice(i + 1).trim(), tlp: f.tlp }; }),
        stixIndicatorIds,
        stixFromObservables: f.stixFromObservables === 'yes',
        audience: f.audience === 'sector' ? { kind: 'sector', sector: f.sector } : { kind: 'all' },
      }),
    onSuccess: (a) => navigate(`/advisories/${a.id}`),
  });
  const errors = fieldErrorsOf(create.error);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <details className="card">
      <summary>Write an advisory</summary>
      <ErrorBanner error={create.error} />
      <FormField label="Title" name="title" value={f.title} onChange={(e) => set('title')(e.target.value)} errors={errors} />
      <SelectField label="TLP" name="tlp" value={f.tlp} onChange={set('tlp')} options={TLPS} errors={errors} />
      <SelectField label="Severity" name="severity" value={f.severity} onChange={set('severity')} options={SEVERITIES} errors={errors} />
      <FormField label="CVE ids (space or comma separated)" name="cveIds" value={f.cveIds} onChange={(e) => set('cveIds')(e.target.value)} errors={errors} />
      <div className="field"><label htmlFor="adv-products">Affected products (one per line: vendor | product | versions)</label><textarea id="adv-products" value={f.products} onChange={(e) => set('products')(e.target.value)} /></div>
      <div className="field"><label htmlFor="adv-desc">Description</label><textarea id="adv-desc" value={f.description} onChange={(e) => set('description')(e.target.value)} /></div>
      <div className="field"><label htmlFor="adv-actions">Recommended actions</label><textarea id="adv-actions" value={f.recommendedActions} onChange={(e) => set('recommendedActions')(e.target.value)} /></div>
      <div className="field"><label htmlFor="adv-indicators">Observables (one per line: type: value, e.g. ipv4: 51.15.1.2)</label><textarea id="adv-indicators" value={f.indicators} onChange={(e) => set('indicators')(e.target.value)} /></div>
      <SelectField label="Publish the observables as STIX indicators" name="stixFromObservables" value={f.stixFromObservables} onChange={set('stixFromObservables')} options={[{ value: '', label: 'No' }, { value: 'yes', label: "Yes, under the advisory's TLP" }]} errors={errors} />
      <IndicatorPicker value={stix} onChange={setStix} errors={errors} sent={create.variables} />
      <SelectField label="Audience" name="audience" value={f.audience} onChange={set('audience')} options={[{ value: 'all', label: 'All constituents' }, { value: 'sector', label: 'One sector' }]} />
      {f.audience === 'sector' ? <FormField label="Sector" name="audience.sector" value={f.sector} onChange={(e) => set('sector')(e.target.value)} errors={errors} /> : null}
      <button type="button" className="primary" onClick={() => create.mutate(stix.map((i) => i.id))}>Save draft</button>
    </details>
  );
}

/** One advisory: publish and per-org progress (CERT), or acknowledge and report (recipient). */
export function AdvisoryPage() {
  const { id } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const a = useQuery({ queryKey: ['advisory', id], queryFn: () => api.get<AdvisoryRow>(`/api/advisories/${id}`) });
  const own = a.data?.actions.includes('advisories.write') && a.data.myResponse === null;
  const progress = useQuery({ queryKey: ['advisory', id, 'progress'], enabled: Boolean(own && a.data?.status !== 'draft'), queryFn: () => api.get<{ recipients: number; acknowledged: number; affected: number; remediated: number; items: RecipientState[] }>(`/api/advisories/${id}/progress`) });
  const publish = useMutation({ mutationFn: () => api.post<{ recipients: number }>(`/api/advisories/${id}/publish`), onSuccess: (r) => { toast(`Published to ${r.recipients} organisation(s)`); void qc.invalidateQueries({ queryKey: ['advisory', id] }); } });
  if (a.error) return <ErrorBanner error={a.error} />;
  if (!a.data) return <p>Loading…</p>;
  const adv = a.data;
  return (
    <>
      <h1>{adv.ref}: {adv.title}</h1>
      <p><span className="tag">TLP:{adv.tlp.toUpperCase()}</span> {labelOf(adv.severity)} · {labelOf(adv.status)} · <a href={`/api/advisories/${adv.id}/pdf`}>PDF</a></p>
      <dl className="facts">
        <dt>CVE</dt><dd>{adv.cveIds.join(', ') || '-'}</dd>
        <dt>Affected products</dt><dd>{adv.products.map((p) => `${p.vendor} ${p.product} ${p.versions}`).join('; ') || '-'}</dd>
        <dt>Description</dt><dd>{adv.description}</dd>
        <dt>Recommended actions</dt><dd>{adv.recommendedActions}</dd>
        <dt>Indicators</dt><dd>{adv.indicators.map((i) => `${i.type}: ${i.value}`).join(', ') || '-'}{adv.stixFromObservables && adv.status === 'draft' ? <div className="muted">Published as STIX indicators under the advisory's TLP</div> : null}</dd>
        <dt>STIX indicators</dt>
        <dd>
          {adv.stixIndicators?.length ? (
            <ul>
              {adv.stixIndicators.map((i) => (
                <li key={i.id}>
                  <Link to={`/intel/objects/${i.id}`}>{i.name ?? i.id}</Link> {i.pattern ? <code>{i.pattern}</code> : null} {i.tlp ? <span className={`tlp tlp-${i.tlp.replace('+', '-')}`}>TLP:{i.tlp.toUpperCase()}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            '-'
          )}
        </dd>
      </dl>
      <ErrorBanner error={publish.error} />
      {own && adv.status === 'draft' ? <button type="button" className="primary" onClick={() => publish.mutate()}>Publish</button> : null}
      {progress.data ? (
        <section aria-label="Progress">
          <h2>Progress: {progress.data.acknowledged} of {progress.data.recipients} acknowledged, {progress.data.affected} affected, {progress.data.remediated} remediated</h2>
          <DataTable caption="Recipients" rows={progress.data.items} rowKey={(r) => r.orgId} columns={[
            { key: 'org', header: 'Organisation', render: (r) => r.orgName },
            { key: 'ack', header: 'Acknowledged', render: (r) => (r.acknowledgedAt ? new Date(r.acknowledgedAt).toLocaleString() : <span className="tag danger">silent</span>) },
            { key: 'app', header: 'Applicability', render: (r) => labelOf(r.applicability) },
            { key: 'rem', header: 'Remediation', render: (r) => `${labelOf(r.remediationStatus)}${r.remediationDate ? ` (${r.remediationDate})` : ''}` },
            { key: 'rem2', header: 'Reminders', render: (r) => r.remindersSent },
          ]} />
        </section>
      ) : null}
      {adv.myResponse ? <Respond adv={adv} /> : null}
    </>
  );
}

function Respond({ adv }: { adv: AdvisoryRow }) {
  const qc = useQueryClient();
  const toast = useToast();
  const r = adv.myResponse!;
  const [applicability, setApplicability] = useState<string>(r.applicability);
  const [remediationStatus, setRemediation] = useState<string>(r.remediationStatus);
  const [remediationDate, setDate] = useState(r.remediationDate ?? '');
  const save = useMutation({
    mutationFn: () => api.post<AdvisoryRow>(`/api/advisories/${adv.id}/response`, { acknowledge: true, applicability, remediationStatus, remediationDate: remediationDate || null }),
    onSuccess: (d) => { qc.setQueryData(['advisory', adv.id], d); toast('Acknowledged'); },
  });
  return (
    <section aria-label="Your response">
      <h2>Your response {r.acknowledgedAt ? <span className="tag">acknowledged {new Date(r.acknowledgedAt).toLocaleString()}</span> : null}</h2>
      <ErrorBanner error={save.error} />
      <SelectField label="Applicability" name="applicability" value={applicability} onChange={setApplicability} options={['unknown', 'affected', 'not_affected'].map((v) => ({ value: v, label: labelOf(v) }))} />
      <SelectField label="Remediation" name="remediationStatus" value={remediationStatus} onChange={setRemediation} options={['not_started', 'in_progress', 'remediated', 'not_applicable'].map((v) => ({ value: v, label: labelOf(v) }))} />
      <FormField label="Remediation date" name="remediationDate" type="date" value={remediationDate} onChange={(e) => setDate(e.target.value)} errors={fieldErrorsOf(save.error)} />
      <button type="button" className="primary" onClick={() => save.mutate()}>Acknowledge</button>
    </section>
  );
}
