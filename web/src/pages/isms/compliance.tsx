import { useQuery } from '@tanstack/react-query';
import type { ComplianceOverview } from '../../../../src/domains/soa/schema.js';
import { api } from '../../api.js';
import { DataTable } from '../../components/data-table.js';
import { useListParams } from '../../components/filter-bar.js';
import { ErrorBanner, SelectField, labelOf } from '../../components/form-field.js';

const FRAMEWORKS = [
  { value: 'iso27001-2022', label: 'ISO/IEC 27001:2022 Annex A' },
  { value: 'nist-csf-2.0', label: 'NIST CSF 2.0 (derived through the mapping)' },
];

function Bar({ percent }: { percent: number }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: '.4rem' }}>
      <span style={{ display: 'inline-block', width: 80, height: 8, background: '#e0e0e0' }} aria-hidden>
        <span style={{ display: 'block', width: `${percent}%`, height: 8, background: '#2e7d32' }} />
      </span>
      {percent}%
    </span>
  );
}

/** Compliance with one framework: % implemented overall, per group and attribute value, and the gap list. */
export function CompliancePage() {
  const { get, setFilters } = useListParams(50);
  const framework = get('framework') || 'iso27001-2022';
  const q = useQuery({ queryKey: ['compliance', framework], queryFn: () => api.get<ComplianceOverview>(`/api/compliance/${encodeURIComponent(framework)}`) });
  const c = q.data;
  return (
    <>
      <h1>Compliance</h1>
      <SelectField label="Framework" name="framework" value={framework} onChange={(v) => setFilters({ framework: v })} options={FRAMEWORKS} />
      <ErrorBanner error={q.error} />
      {c ? (
        <>
          <h2 aria-label="Overall compliance">{c.frameworkName}: {c.overall.percent}% implemented</h2>
          <p>{c.overall.implemented} implemented, {c.overall.partial} partial, of {c.overall.applicable} applicable ({c.overall.total} in the framework). {c.gaps.length} gap(s).</p>
          <DataTable
            caption="By group"
            rows={c.groups}
            rowKey={(g) => `${g.level}:${g.ref}`}
            columns={[
              { key: 'ref', header: 'Group', render: (g) => <span style={{ paddingLeft: `${g.level * 1.2}rem` }}><strong>{g.ref}</strong> {g.title}</span> },
              { key: 'impl', header: 'Implemented', render: (g) => `${g.implemented} / ${g.applicable}` },
              { key: 'pct', header: '%', render: (g) => <Bar percent={g.percent} /> },
            ]}
          />
          {c.attributes.length ? (
            <DataTable
              caption="By attribute"
              rows={c.attributes}
              rowKey={(a) => `${a.type}:${a.value}`}
              columns={[
                { key: 'type', header: 'Attribute', render: (a) => labelOf(a.type) },
                { key: 'value', header: 'Value', render: (a) => labelOf(a.value) },
                { key: 'impl', header: 'Implemented', render: (a) => `${a.implemented} / ${a.applicable}` },
                { key: 'pct', header: '%', render: (a) => <Bar percent={a.percent} /> },
              ]}
            />
          ) : null}
          <DataTable
            caption="Gaps"
            rows={c.gaps}
            rowKey={(g) => g.ref}
            empty="No gaps."
            columns={[
              { key: 'ref', header: 'Requirement', render: (g) => <><strong>{g.ref}</strong> {g.title}</> },
              { key: 'status', header: 'Status', render: (g) => labelOf(g.status) },
              { key: 'reasons', header: 'Why', render: (g) => g.reasons.map(labelOf).join(', ') },
              { key: 'via', header: 'Through', render: (g) => g.via.join(', ') || '—', wide: true },
            ]}
          />
        </>
      ) : null}
    </>
  );
}
