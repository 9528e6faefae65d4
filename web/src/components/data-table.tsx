import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** Hidden on phone widths to keep rows readable. */
  wide?: boolean;
}

interface DataTableProps<T> {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[] | undefined;
  rowKey: (row: T) => string;
  loading?: boolean;
  empty?: ReactNode;
  page?: { total: number; limit: number; offset: number; onOffset: (offset: number) => void };
}

/** A table with a caption, an empty state and previous/next paging over `{ total, limit, offset }`. */
export function DataTable<T>({ caption, columns, rows, rowKey, loading, empty = 'Nothing here yet.', page }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.wide ? 'wide' : undefined}>{c.header}</th>
            ))}
          </tr>
        </thead>
        <tbody aria-busy={loading || undefined}>
          {rows?.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td key={c.key} data-label={c.header} className={c.wide ? 'wide' : undefined}>
                  <div className="cell">{c.render(r)}</div>
                </td>
              ))}
            </tr>
          ))}
          {!loading && rows && rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">{empty}</td>
            </tr>
          ) : null}
          {loading && !rows ? (
            <tr>
              <td colSpan={columns.length} className="empty">Loading…</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {page ? <Pagination {...page} /> : null}
    </div>
  );
}

/** "21–40 of 93" with previous/next buttons. */
export function Pagination({ total, limit, offset, onOffset }: { total: number; limit: number; offset: number; onOffset: (offset: number) => void }) {
  if (total === 0) return null;
  const from = offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav className="pagination" aria-label="Pages">
      <span>{from}–{to} of {total}</span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>Previous</button>
      <button type="button" disabled={to >= total} onClick={() => onOffset(offset + limit)}>Next</button>
    </nav>
  );
}
