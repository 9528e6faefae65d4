import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { FrameworkDetail, FrameworkRow, ImportResult, MappingRow, RequirementDetail, RequirementRow } from '../../../../src/domains/catalogs/schema.js';
import { api, ApiError, type Paged } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { FilterBar, type FilterDef } from '../../components/filter-bar.js';
import { ErrorBanner, SelectField, labelOf } from '../../components/form-field.js';
import { useToast } from '../../components/toast.js';
import { can, useActiveSession } from '../../session.js';

const LIMIT = 100;
const ATTR_PREFIX = 'a_';

function attrLabel(type: string): string {
  return labelOf(type).replace(/\bIso\b/, 'ISO');
}

/**
 * The catalog browser: pick a framework, search and filter its requirement
 * tree (kind, theme, new in this edition, any attribute such as "detective
 * controls in the respond concept"), and see the mapped requirements of
 * another framework side by side. Filters live in the URL.
 */
export function CatalogsPage() {
  const session = useActiveSession();
  const [params, setParams] = useSearchParams();
  const frameworks = useQuery({ queryKey: ['catalogs'], queryFn: () => api.get<FrameworkRow[]>('/api/catalogs') });
  const key = params.get('fw') || frameworks.data?.[0]?.key || '';
  const fw = useQuery({ queryKey: ['catalogs', key], queryFn: () => api.get<FrameworkDetail>(`/api/catalogs/${key}`), enabled: Boolean(key) });
  const compare = params.get('compare') ?? '';
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);

  const attrTypes = Object.keys(fw.data?.attributes ?? {});
  const filterValues: Record<string, string> = { q: params.get('q') ?? '', kind: params.get('kind') ?? '', theme: params.get('theme') ?? '', isNew: params.get('isNew') ?? '' };
  for (const t of attrTypes) filterValues[ATTR_PREFIX + t] = params.get(ATTR_PREFIX + t) ?? '';
  const attr = attrTypes.filter((t) => filterValues[ATTR_PREFIX + t]).map((t) => `${t}:${filterValues[ATTR_PREFIX + t]}`);
  const query = { q: filterValues.q, kind: filterValues.kind, theme: filterValues.theme, isNew: filterValues.isNew, attr: attr.join(','), limit: LIMIT, offset };

  const list = useQuery({
    queryKey: ['catalogs', key, 'requirements', query],
    queryFn: () => api.get<Paged<RequirementRow>>(`/api/catalogs/${key}/requirements`, query),
    enabled: Boolean(key),
    placeholderData: keepPreviousData,
  });
  const refs = list.data?.items.map((r) => r.ref) ?? [];
  const mapped = useQuery({
    queryKey: ['catalogs', key, 'mappings', compare, refs],
    queryFn: () => api.get<MappingRow[]>(`/api/catalogs/${key}/mappings`, { to: compare, refs: refs.join(',') }),
    enabled: Boolean(key && compare && refs.length),
  });
  const byRef = new Map<string, MappingRow[]>();
  for (const m of mapped.data ?? []) byRef.set(m.fromRef, [...(byRef.get(m.fromRef) ?? []), m]);

  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v);
    else next.delete(k);
    if (!('offset' in changes)) next.delete('offset');
    setParams(next);
  };
  const pickFramework = (k: string) => setParams(new URLSearchParams({ fw: k }));

  const filters: FilterDef[] = [
    { name: 'q', label: 'Search ref, title or text' },
    { name: 'kind', label: 'Kind', type: 'select', options: Object.keys(fw.data?.kinds ?? {}).map((k) => ({ value: k, label: `${labelOf(k)} (${fw.data!.kinds[k]})` })) },
    ...(fw.data?.themes.length ? [{ name: 'theme', label: 'Theme', type: 'select' as const, options: fw.data.themes.map((t) => ({ value: t.value, label: `${labelOf(t.value)} (${t.count})` })) }] : []),
    ...(key === 'iso27001-2022' ? [{ name: 'isNew', label: 'New in 2022', type: 'select' as const, options: [{ value: 'true', label: 'New controls' }, { value: 'false', label: 'Carried over' }] }] : []),
    ...attrTypes.map((t) => ({ name: ATTR_PREFIX + t, label: attrLabel(t), type: 'select' as const, options: fw.data!.attributes[t]!.map((v) => ({ value: v.value, label: `${labelOf(v.value)} (${v.count})` })) })),
  ];

  return (
    <>
      <div className="page-head">
        <h1>Frameworks</h1>
        {key ? (
          <span>
            <a href={`/api/catalogs/${key}/export?format=csv`} download>Export CSV</a> · <a href={`/api/catalogs/${key}/export?format=json`} download>Export JSON</a>
          </span>
        ) : null}
      </div>
      <ErrorBanner error={frameworks.error ?? fw.error ?? list.error} />
      <div className="filter-bar">
        <SelectField label="Framework" name="fw" value={key} onChange={pickFramework} options={(frameworks.data ?? []).map((f) => ({ value: f.key, label: `${f.name}${f.origin === 'imported' ? ' (imported)' : ''}` }))} />
        <SelectField
          label="Show mapped requirements of"
          name="compare"
          value={compare}
          onChange={(v) => set({ compare: v })}
          options={[{ value: '', label: 'None' }, ...(fw.data?.mappedFrameworks ?? []).map((k) => ({ value: k, label: frameworks.data?.find((f) => f.key === k)?.name ?? k }))]}
        />
      </div>
      {fw.data ? <p className="muted">{fw.data.description} <em>Source: {fw.data.source}.</em></p> : null}
      <FilterBar key={`${key}:${JSON.stringify(filterValues)}`} values={filterValues} filters={filters} onApply={(v) => set(Object.fromEntries(Object.keys(filterValues).map((k) => [k, v[k] ?? ''])))} />
      <DataTable
        caption={`Requirements of ${fw.data?.name ?? key}`}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.ref}
        page={list.data ? { total: list.data.total, limit: LIMIT, offset, onOffset: (o) => set({ offset: o ? String(o) : '' }) } : undefined}
        columns={[
          {
            key: 'ref',
            header: 'Ref',
            render: (r) => (
              <span style={{ paddingLeft: `${r.depth * 1.2}rem` }}>
                <Link to={`/catalogs/${key}/requirements/${encodeURIComponent(r.ref)}`}>{r.label ?? r.ref}</Link>
                {r.isNew ? <span className="tag">new</span> : null}
              </span>
            ),
          },
          { key: 'title', header: 'Title', render: (r) => <>{r.kind === 'control' || r.kind === 'subcategory' || r.kind === 'enhancement' ? r.title : <strong>{r.title}</strong>}<div className="muted">{labelOf(r.kind)}</div></> },
          { key: 'attributes', header: 'Attributes', wide: true, render: (r) => <Attributes attrs={r.attributes} /> },
          ...(compare
            ? [{ key: 'mapped', header: `Mapped (${frameworks.data?.find((f) => f.key === compare)?.name ?? compare})`, render: (r: RequirementRow) => <Mapped rows={byRef.get(r.ref)} to={compare} /> }]
            : []),
        ]}
      />
      {can(session, 'catalogs.import') ? <ImportForm onImported={pickFramework} /> : null}
    </>
  );
}

function Attributes({ attrs }: { attrs: Record<string, string[]> }) {
  const entries = Object.entries(attrs);
  if (!entries.length) return null;
  return (
    <dl className="attrs">
      {entries.map(([t, vs]) => (
        <div key={t}>
          <dt className="sr-only">{attrLabel(t)}</dt>
          <dd title={attrLabel(t)}>{vs.map((v) => <span key={v} className="tag">{labelOf(v)}</span>)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Mapped({ rows, to }: { rows: MappingRow[] | undefined; to: string }) {
  if (!rows?.length) return <span className="muted">—</span>;
  return (
    <ul className="plain">
      {rows.map((m) => (
        <li key={m.toRef}>
          <Link to={`/catalogs/${to}/requirements/${encodeURIComponent(m.toRef)}`}>{m.toRef}</Link> {m.toTitle.length > 80 ? `${m.toTitle.slice(0, 80)}…` : m.toTitle}
          {m.relationship !== 'intersect' ? <span className="muted"> ({m.relationship})</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** Platform administrators: upload an OSCAL catalog; an invalid file is refused with the JSON path of its first problem. */
function ImportForm({ onImported }: { onImported: (key: string) => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const m = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose an OSCAL catalog file first');
      let doc: unknown;
      try {
        doc = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not JSON`);
      }
      return api.post<ImportResult>('/api/catalogs/imports', doc, { key: key.trim() || undefined });
    },
    onSuccess: async (r) => {
      toast(`${labelOf(r.status)} ${r.name}: ${r.requirements} requirements`);
      await qc.invalidateQueries({ queryKey: ['catalogs'] });
      onImported(r.key);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  const problems = m.error instanceof ApiError && m.error.code === 'CATALOG_OSCAL_INVALID' ? m.error.message : null;
  return (
    <form className="form-card" onSubmit={submit} aria-labelledby="catalog-import-title">
      <h2 id="catalog-import-title">Import an OSCAL catalog</h2>
      <p className="muted">Any OSCAL 1.x catalog in JSON (for example NIST SP 800-53 rev5). It is checked against the NIST schema and stored all or nothing; importing the same key again replaces that catalog.</p>
      <div className="field">
        <label htmlFor="catalog-file">Catalog file (OSCAL JSON)</label>
        <input id="catalog-file" type="file" accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <div className="field">
        <label htmlFor="catalog-key">Key (optional)</label>
        <input id="catalog-key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="e.g. sp800-53-rev5" pattern="[a-z0-9][a-z0-9.\-]{1,62}" aria-describedby="catalog-key-hint" />
        <div className="hint" id="catalog-key-hint">Lower-case letters, digits, dots and dashes; default: from the catalog title.</div>
      </div>
      <button type="submit" className="primary" disabled={m.isPending}>{m.isPending ? 'Importing…' : 'Import'}</button>
      {problems ? <div className="banner banner-error" role="alert">{problems}</div> : <ErrorBanner error={m.error} />}
    </form>
  );
}

/** One requirement: text, guidance, attributes, its place in the tree and its mappings to other frameworks. */
export function RequirementPage() {
  const { key = '', ref = '' } = useParams();
  const r = useQuery({ queryKey: ['catalogs', key, 'requirement', ref], queryFn: () => api.get<RequirementDetail>(`/api/catalogs/${key}/requirements/${encodeURIComponent(ref)}`) });
  const d = r.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="muted">
        <Link to={`/catalogs?fw=${key}`}>{key}</Link>
        {d?.parents.map((p) => <span key={p.ref}> › <Link to={`/catalogs/${key}/requirements/${encodeURIComponent(p.ref)}`}>{p.ref}</Link></span>)}
      </nav>
      <ErrorBanner error={r.error} />
      {d ? (
        <>
          <h1>{d.label ?? d.ref} {d.kind === 'subcategory' ? '' : d.title} {d.isNew ? <span className="tag">new in 2022</span> : null}</h1>
          <p className="muted">{labelOf(d.kind)}{d.theme ? ` · ${labelOf(d.theme)}` : ''}</p>
          {d.statement ? <section><h2>Statement</h2><p style={{ whiteSpace: 'pre-wrap' }}>{d.statement}</p></section> : null}
          {d.guidance ? <section><h2>Guidance</h2><p style={{ whiteSpace: 'pre-wrap' }}>{d.guidance}</p></section> : null}
          {Object.keys(d.attributes).length ? (
            <section>
              <h2>Attributes</h2>
              <dl>
                {Object.entries(d.attributes).map(([t, vs]) => (
                  <div key={t}><dt>{attrLabel(t)}</dt><dd>{vs.map((v) => <span key={v} className="tag">{labelOf(v)}</span>)}</dd></div>
                ))}
              </dl>
            </section>
          ) : null}
          {d.children.length ? (
            <section>
              <h2>Contains</h2>
              <ul>{d.children.map((c) => <li key={c.ref}><Link to={`/catalogs/${key}/requirements/${encodeURIComponent(c.ref)}`}>{c.ref}</Link> {c.title}</li>)}</ul>
            </section>
          ) : null}
          <section>
            <h2>Mapped requirements</h2>
            <DataTable
              caption="Mapped requirements in other frameworks"
              rows={d.mappings}
              rowKey={(m) => `${m.toFramework}:${m.toRef}`}
              empty="No mappings."
              columns={[
                { key: 'fw', header: 'Framework', render: (m) => m.toFramework },
                { key: 'ref', header: 'Requirement', render: (m) => <><Link to={`/catalogs/${m.toFramework}/requirements/${encodeURIComponent(m.toRef)}`}>{m.toRef}</Link> {m.toTitle}</> },
                { key: 'rel', header: 'Relationship', render: (m) => labelOf(m.relationship) },
                { key: 'src', header: 'Source', wide: true, render: (m) => <>{m.source}{m.note ? <div className="muted">{m.note}</div> : null}</> },
              ]}
            />
          </section>
        </>
      ) : null}
    </>
  );
}
