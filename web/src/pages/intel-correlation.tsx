import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { LookupRow } from '../../../src/domains/intel/schema.js';
import { api } from '../api.js';
import { ErrorBanner } from '../components/form-field.js';
import { can, useActiveSession } from '../session.js';

const KINDS = new Set(['ipv4', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'sha512', 'mac']);

/**
 * The correlation view of an incident's observables: for each, the
 * indicators and observables, and the reader's other incidents, that match
 * it, looked up as the reader (entity or CERT), so only what the reader may
 * see is shown. Needs intel access; without it the section says so.
 */
export function IntelCorrelation({ observables, excludeRef }: { observables: ReadonlyArray<{ type: string; value: string }>; excludeRef: string }) {
  const session = useActiveSession();
  const values = observables.filter((o) => KINDS.has(o.type) && o.value.trim());
  const allowed = can(session, 'intel.read');
  const q = useQuery({
    queryKey: ['intel-lookup', excludeRef, values],
    queryFn: () => api.post<LookupRow[]>('/api/intel/lookup', { observables: values.map((o) => ({ kind: o.type, value: o.value })), excludeRef }),
    enabled: allowed && values.length > 0,
  });
  return (
    <section aria-label="Threat intelligence correlation" id="correlation">
      <h2>Threat intelligence correlation</h2>
      {!allowed ? <p className="muted">Your role does not include threat intelligence access.</p> : !values.length ? <p className="muted">No observables to correlate yet.</p> : null}
      <ErrorBanner error={q.error} />
      {q.data ? (
        <table className="data-table">
          <caption className="sr-only">What each observable matches</caption>
          <thead>
            <tr>
              <th scope="col">Observable</th>
              <th scope="col">Matches</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((r) => (
              <tr key={`${r.kind}:${r.value}`} data-value={r.value}>
                <td>
                  <code>{r.kind}</code> {r.value}
                  {r.warning ? <div className="muted">on warning list {r.warning}: likely a false positive</div> : null}
                </td>
                <td>
                  {r.hits.length ? (
                    <ul>
                      {r.hits.map((h) => (
                        <li key={`${h.sourceKind}:${h.sourceRef}:${h.value}`}>
                          {h.sourceKind === 'stix' ? (
                            <Link to={`/intel/objects/${h.sourceRef}`}>{h.object?.name ?? h.sourceRef}</Link>
                          ) : h.sourceKind === 'incident' ? (
                            <Link to={`/incidents/${h.sourceRef}`}>another of your incidents</Link>
                          ) : (
                            <>watchlist {h.sourceRef}</>
                          )}{' '}
                          {h.object ? <code>{h.object.type}</code> : null} {h.tlp ? <span className={`tlp tlp-${h.tlp.replace('+', '-')}`}>TLP:{h.tlp.toUpperCase()}</span> : null}
                          {h.value !== r.value ? <span className="muted"> ({h.value})</span> : null}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">No match you may see</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
