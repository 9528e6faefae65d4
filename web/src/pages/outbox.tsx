import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type Paged } from '../api.js';
import { DataTable } from '../components/data-table.js';
import { useListParams } from '../components/filter-bar.js';
import { ErrorBanner, labelOf } from '../components/form-field.js';

interface OutboxRow {
  id: string;
  to: string;
  subject: string;
  body: string;
  status: string;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Outgoing mail of the org: where invitations and reminders wait when no SMTP server is set. */
export function OutboxPage() {
  const { limit, offset, setOffset } = useListParams(25);
  const list = useQuery({
    queryKey: ['outbox', offset],
    queryFn: () => api.get<Paged<OutboxRow>>('/api/outbox', { limit, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Outbox</h1>
      <p className="muted">Mail the platform sent or will send for this organisation. Without an SMTP server mail stays here, so administrators can forward it by hand.</p>
      <ErrorBanner error={list.error} />
      <DataTable
        caption="Outgoing mail"
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(m) => m.id}
        empty="No mail yet."
        page={list.data ? { total: list.data.total, limit, offset, onOffset: setOffset } : undefined}
        columns={[
          { key: 'to', header: 'To', render: (m) => m.to },
          {
            key: 'subject',
            header: 'Message',
            render: (m) => (
              <details>
                <summary>{m.subject}</summary>
                <pre className="mail">{m.body}</pre>
              </details>
            ),
          },
          { key: 'status', header: 'Status', render: (m) => <><span className={`status status-${m.status}`}>{labelOf(m.status)}</span>{m.error ? <div className="field-error">{m.error}</div> : null}</> },
          { key: 'created', header: 'Queued', render: (m) => new Date(m.createdAt).toLocaleString(), wide: true },
        ]}
      />
    </>
  );
}
