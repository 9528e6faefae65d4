import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditRow } from '../../../src/domains/audit/schema.js';
import { api, withQuery, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { FilterBar, useListParams } from '../components/filter-bar.js';
import { ErrorBanner } from '../components/form-field.js';

/** A local calendar day `2026-03-01` as the ISO instant it starts at; `nextDay` gives the exclusive end. */
function dayStart(day: string, nextDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (nextDay ? 1 : 0)).toISOString();
}

/** The acting org's audit trail: filter, page through, export what is filtered as CSV. */
export function AuditLogPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(50);
  const filters = { action: get('action'), entityType: get('entityType'), actor: get('actor'), from: get('from'), to: get('to') };
  const query = { action: filters.action, entityType: filters.entityType, actor: filters.actor, from: dayStart(filters.from), to: dayStart(filters.to, true) };
  const list = useQuery({
    queryKey: ['audit-log', query, offset],
    queryFn: () => api.get<Paged<AuditRow>>('/api/audit-log', { ...query, limit, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <a className="button" href={withQuery('/api/audit-log/export.csv', query)} download>Export CSV</a>
      </div>
      <FilterBar
        key={JSON.stringify(filters)}
        values={filters}
        onApply={setFilters}
        filters={[
          { name: 'action', label: 'Action starts with', placeholder: 'e.g. auth. or invitations.create' },
          { name: 'entityType', label: 'Entity type', placeholder: 'e.g. user' },
          { name: 'actor', label: 'Actor', placeholder: 'email or token' },
          { name: 'from', label: 'From (day)', type: 'date' },
          { name: 'to', label: 'To (day, inclusive)', type: 'date' },
        ]}
      />
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Audit log entries"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => String(r.seq)}
        empty="No entries match these filters."
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'at', header: 'When', render: (r) => <time dateTime={r.at}>{new Date(r.at).toLocaleString()}</time> },
          { key: 'actor', header: 'Actor', render: (r) => r.actor },
          { key: 'action', header: 'Action', render: (r) => <code>{r.action}</code> },
          { key: 'entity', header: 'Entity', render: (r) => <>{r.entityType}{r.entityId ? <code className="json">{r.entityId}</code> : null}</>, wide: true },
          { key: 'details', header: 'Details', render: (r) => (Object.keys(r.details).length ? <code className="json">{JSON.stringify(r.details)}</code> : null), wide: true },
          { key: 'ip', header: 'IP', render: (r) => r.ip ?? '', wide: true },
        ]}
      />
    </>
  );
}
