import { useEffect, useId, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ObjectSummary } from '../../../src/domains/intel/schema.js';
import { api, type FieldErrors, type Paged } from '../api.js';
import { ErrorBanner } from './form-field.js';
import { Tlp } from './tlp.js';

/** An indicator chosen in the picker; a pasted id has no name, pattern or TLP until the server checks it. */
export interface PickedIndicator {
  id: string;
  name: string | null;
  pattern: string | null;
  tlp: string | null;
}

const SHOWN = 10;

/** `value`, once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/**
 * The server's errors about `stixIndicatorIds` (`stixIndicatorIds[1]` from the
 * service, `stixIndicatorIds.1` from the schema), each tied to the id sent at
 * that index, so the right chip is marked even after the list has changed.
 */
export function indicatorErrors(errors: FieldErrors, sent: readonly string[] | undefined): Array<{ key: string; id: string | undefined; message: string }> {
  return Object.entries(errors)
    .filter(([k]) => k.startsWith('stixIndicatorIds'))
    .map(([key, message]) => {
      const m = /^stixIndicatorIds(?:\[(\d+)\]|\.(\d+))/.exec(key);
      const id = m ? sent?.[Number(m[1] ?? m[2])] : undefined;
      return { key, id, message: id && !message.startsWith(id) ? `${id}: ${message}` : message };
    });
}

/**
 * Chooses STIX indicators the acting org may see: a search over the intel
 * store (type indicator) lists name, pattern and TLP to add; chosen ones are
 * removable chips; ids can be pasted in bulk. The caller sends the chips' ids.
 */
export function IndicatorPicker({ value, onChange, errors, sent }: { value: readonly PickedIndicator[]; onChange: (v: PickedIndicator[]) => void; errors: FieldErrors; sent?: readonly string[] | undefined }) {
  const uid = useId();
  const [q, setQ] = useState('');
  const [pasted, setPasted] = useState('');
  const term = useDebounced(q.trim(), 250);
  const found = useQuery({
    queryKey: ['indicator-picker', term],
    enabled: term.length >= 2,
    queryFn: () => api.get<Paged<ObjectSummary>>('/api/intel/objects', { q: term, type: 'indicator', limit: SHOWN }),
    placeholderData: keepPreviousData,
  });
  const chosen = new Set(value.map((v) => v.id));
  const problems = indicatorErrors(errors, sent);
  const bad = new Set(problems.map((p) => p.id));
  const add = (items: PickedIndicator[]) => {
    const seen = new Set(chosen);
    const fresh = items.filter((i) => !seen.has(i.id) && seen.add(i.id));
    if (fresh.length) onChange([...value, ...fresh]);
  };
  const addPasted = () => {
    add(pasted.split(/[\s,]+/).filter(Boolean).map((id) => ({ id: id.toLowerCase(), name: null, pattern: null, tlp: null })));
    setPasted('');
  };
  const label = (i: { id: string; name: string | null }) => i.name ?? i.id;
  const results = term.length >= 2 ? found.data : undefined;
  return (
    <fieldset className="field indicator-picker" aria-describedby={problems.length ? `${uid}-errors` : undefined}>
      <legend>Existing STIX indicators to attach</legend>
      {value.length ? (
        <ul className="chips" aria-label="Attached indicators">
          {value.map((v) => (
            <li key={v.id} className={bad.has(v.id) ? 'chip invalid' : 'chip'} title={v.pattern ?? v.id}>
              <span className="chip-label">{label(v)}</span>
              {v.tlp ? <Tlp tlp={v.tlp} /> : null}
              <button type="button" className="link" aria-label={`Remove ${label(v)}`} onClick={() => onChange(value.filter((x) => x.id !== v.id))}>×</button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None attached.</p>
      )}
      <label htmlFor={`${uid}-q`}>Find indicators (name, pattern or STIX id)</label>
      <input id={`${uid}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-controls={`${uid}-results`} aria-invalid={problems.length ? true : undefined} autoComplete="off" />
      <div id={`${uid}-results`} aria-live="polite">
        <ErrorBanner error={term.length >= 2 ? found.error : null} />
        {results ? (
          results.items.length ? (
            <>
              <ul className="plain picker-results" aria-label="Matching indicators">
                {results.items.map((i) => (
                  <li key={i.id}>
                    <span>
                      <strong>{label(i)}</strong> <Tlp tlp={i.tlp} />
                      {i.pattern ? <code className="pattern">{i.pattern}</code> : null}
                    </span>
                    <button type="button" className="small" disabled={chosen.has(i.id)} aria-label={chosen.has(i.id) ? `${label(i)} attached` : `Add ${label(i)}`} onClick={() => add([{ id: i.id, name: i.name, pattern: i.pattern, tlp: i.tlp }])}>
                      {chosen.has(i.id) ? 'Attached' : 'Add'}
                    </button>
                  </li>
                ))}
              </ul>
              {results.total > results.items.length ? <p className="hint">Showing {results.items.length} of {results.total}; type more to narrow the search.</p> : null}
            </>
          ) : (
            <p className="muted">No indicator you may see matches “{term}”.</p>
          )
        ) : null}
      </div>
      <label htmlFor={`${uid}-paste`}>Or paste indicator ids (space or line separated)</label>
      <div className="paste-row">
        <textarea id={`${uid}-paste`} rows={2} value={pasted} onChange={(e) => setPasted(e.target.value)} />
        <button type="button" className="small" onClick={addPasted} disabled={!pasted.trim()}>Add ids</button>
      </div>
      <div id={`${uid}-errors`}>
        {problems.map((p) => <div key={p.key} className="field-error" role="alert">{p.message}</div>)}
      </div>
    </fieldset>
  );
}
