import { useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';

export interface FilterDef {
  name: string;
  label: string;
  type?: 'text' | 'search' | 'select' | 'datetime-local' | 'date';
  options?: ReadonlyArray<{ value: string; label: string }>;
  placeholder?: string;
}

/**
 * Filters kept in the URL's query string, so a filtered list can be
 * bookmarked and the back button works. Changing a filter goes back to page 1.
 */
export function useListParams(limit = 25) {
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const get = (name: string) => params.get(name) ?? '';
  const setFilters = (values: Record<string, string>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v) next.set(k, v);
    setParams(next);
  };
  const setOffset = (o: number) => {
    const next = new URLSearchParams(params);
    if (o) next.set('offset', String(o));
    else next.delete('offset');
    setParams(next);
  };
  return { params, get, limit, offset, setFilters, setOffset };
}

/** A row of labelled filters applied together with one button (or Enter). */
export function FilterBar({ filters, values, onApply, extra }: { filters: readonly FilterDef[]; values: Record<string, string>; onApply: (v: Record<string, string>) => void; extra?: ReactNode }) {
  const [draft, setDraft] = useState(values);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const clear = () => {
    const empty = Object.fromEntries(filters.map((f) => [f.name, '']));
    setDraft(empty);
    onApply(empty);
  };
  return (
    <form className="filter-bar" role="search" onSubmit={submit}>
      {filters.map((f) => {
        const id = `filter-${f.name}`;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>{f.label}</label>
            {f.type === 'select' ? (
              <select id={id} value={draft[f.name] ?? ''} onChange={(e) => setDraft({ ...draft, [f.name]: e.target.value })}>
                <option value="">Any</option>
                {f.options?.map((o) => (
                  <option key={o.value} value={o.value}>{o.label}</option>
                ))}
              </select>
            ) : (
              <input id={id} type={f.type ?? 'search'} placeholder={f.placeholder} value={draft[f.name] ?? ''} onChange={(e) => setDraft({ ...draft, [f.name]: e.target.value })} />
            )}
          </div>
        );
      })}
      <div className="filter-actions">
        <button type="submit" className="primary">Apply</button>
        <button type="button" onClick={clear}>Clear</button>
        {extra}
      </div>
    </form>
  );
}
