import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { NotificationRow } from '../../../src/domains/notifications/schema.js';
import { api, type Paged } from '../api.js';
import { Pagination } from '../components/data-table.js';
import { useListParams } from '../components/filter-bar.js';
import { ErrorBanner } from '../components/form-field.js';

/** Your notifications in the acting org; unread ones are marked and can be marked read. */
export function NotificationsPage() {
  const { get, limit, offset, setFilters, setOffset } = useListParams(20);
  const unreadOnly = get('unread') === 'true';
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['notifications', 'list', unreadOnly, offset],
    queryFn: () => api.get<Paged<NotificationRow> & { unread: number }>('/api/notifications', { unread: unreadOnly ? 'true' : undefined, limit, offset }),
    placeholderData: keepPreviousData,
  });
  const mark = useMutation({
    mutationFn: (ids?: string[]) => api.post<{ updated: number }>('/api/notifications/read', ids ? { ids } : {}),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const items = list.data?.items ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        <div className="row-actions">
          <label className="checkbox">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setFilters(e.target.checked ? { unread: 'true' } : {})} /> Unread only
          </label>
          <button type="button" onClick={() => mark.mutate(undefined)} disabled={!list.data?.unread || mark.isPending}>Mark all read</button>
        </div>
      </div>
      <ErrorBanner error={list.error ?? mark.error} />
      {list.data && items.length === 0 ? <p className="muted">{unreadOnly ? 'No unread notifications.' : 'No notifications yet.'}</p> : null}
      {items.map((n) => (
        <article key={n.id} className={`notification${n.readAt ? '' : ' unread'}`} aria-label={n.readAt ? n.title : `Unread: ${n.title}`}>
          <h2>{n.link ? <Link to={n.link}>{n.title}</Link> : n.title}</h2>
          <p>{n.body}</p>
          <div className="row-actions muted">
            <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time>
            {!n.readAt ? <button type="button" className="link" onClick={() => mark.mutate([n.id])}>Mark read</button> : null}
          </div>
        </article>
      ))}
      {list.data ? <Pagination total={list.data.total} limit={limit} offset={offset} onOffset={setOffset} /> : null}
    </>
  );
}
