import { useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { useQueries } from '@tanstack/react-query';
import { api } from '../api.js';
import { ErrorBanner } from '../components/form-field.js';
import { mergeGraphs, radialLayout, type Graph } from './intel-graph-model.js';

export type { Graph } from './intel-graph-model.js';

/** Related objects drawn around the object itself (its own hop). */
const MAX_NODES = 40;
/** Related objects drawn at most once neighbours are expanded. */
export const MAX_EXPANDED_NODES = 80;
const R = 170;
const COLOURS: Record<string, string> = { indicator: '#c0392b', 'attack-pattern': '#8e44ad', malware: '#d35400', 'intrusion-set': '#2c3e50', tool: '#16a085', campaign: '#2980b9', 'course-of-action': '#27ae60', report: '#7f8c8d', vulnerability: '#b7950b', 'threat-actor': '#34495e' };

const short = (s: string, n = 22) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

type Node = Graph['nodes'][number];

/**
 * The object's relationships drawn as a graph: the object in the middle, each
 * related object on a ring around it, one labelled line per relationship.
 * A related object's "+" expands it: its own relationships (the same graph
 * endpoint, so the same row-level security) are merged in, each object and
 * relationship once, further objects on an outer ring; Reset goes back to one
 * hop. Hand-drawn SVG (a radial tree needs no layout engine, and no graph
 * library then ships to every page); each node is a link, reachable with Tab
 * and followed with Enter. Past the caps the rest are left out, and said so.
 */
export function RelationshipGraph({ id, graph }: { id: string; graph: Graph }) {
  const navigate = useNavigate();
  const [expanded, setExpanded] = useState<string[]>([]);
  const more = useQueries({ queries: expanded.map((n) => ({ queryKey: ['intel-graph', n], queryFn: () => api.get<Graph>(`/api/intel/objects/${n}/graph`) })) });
  const merged = mergeGraphs([graph, ...more.flatMap((m) => (m.data ? [m.data] : []))], { first: MAX_NODES + 1, total: MAX_EXPANDED_NODES + 1 });
  const full = merged.nodes.length - 1 >= MAX_EXPANDED_NODES;
  const loading = expanded.filter((_, i) => more[i]?.isPending);
  const failed = more.find((m) => m.error)?.error;
  const { pos: unit, depth } = radialLayout(id, merged);
  const step = depth === 1 ? R : 140;
  const W = 2 * 1.6 * step * depth + 176;
  const H = 2 * step * depth + 120;
  const pos = new Map([...unit].map(([k, p]) => [k, { x: W / 2 + 1.6 * step * p.x, y: H / 2 + step * p.y }]));
  const others = merged.nodes.filter((n) => n.id !== id);
  const centre = merged.nodes.find((n) => n.id === id) ?? { id, type: id.split('--')[0] ?? '', name: null };
  const nameOf = (nid: string) => merged.nodes.find((n) => n.id === nid)?.name ?? nid;
  const expand = (nid: string) => setExpanded((x) => (x.includes(nid) ? x : [...x, nid]));
  const node = (n: Node, current: boolean) => {
    const p = pos.get(n.id)!;
    const label = n.name ?? n.id;
    const isOpen = expanded.includes(n.id);
    const body = (
      <>
        <circle cx={p.x} cy={p.y} r={current ? 14 : 9} fill={COLOURS[n.type] ?? '#555'} stroke={current || isOpen ? '#000' : '#fff'} strokeWidth={isOpen ? 3 : 2} />
        <text x={p.x} y={p.y + (current ? 30 : 22)} textAnchor="middle" fontSize="11">{short(label)}</text>
        <text x={p.x} y={p.y + (current ? 43 : 34)} textAnchor="middle" fontSize="9" fill="#666">{n.type}</text>
        <title>{`${n.type}: ${label}`}</title>
      </>
    );
    if (current) return <g key={n.id} data-node={n.id} aria-current="page">{body}</g>;
    const href = `/intel/objects/${n.id}`;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        expand(n.id);
      }
    };
    return (
      <g key={n.id}>
        <a
          href={href}
          data-node={n.id}
          aria-label={`${n.type} ${label}`}
          className="graph-node"
          onClick={(e) => {
            // Client-side navigation for plain clicks; modified clicks open as the browser wants.
            if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey) {
              e.preventDefault();
              void navigate(href);
            }
          }}
        >
          {body}
        </a>
        {isOpen || full ? null : (
          <g role="button" tabIndex={0} className="graph-expand" aria-label={`Expand ${n.type} ${label}`} onClick={() => expand(n.id)} onKeyDown={onKey}>
            <circle cx={p.x + 12} cy={p.y - 12} r={7} fill="#fff" stroke="#666" />
            <text x={p.x + 12} y={p.y - 8.5} textAnchor="middle" fontSize="11" fontWeight="bold">+</text>
            <title>{`Expand: also show the relationships of ${label}`}</title>
          </g>
        )}
      </g>
    );
  };
  return (
    <figure className="graph">
      {expanded.length ? (
        <div className="graph-toolbar">
          <p role="status">
            {loading.length ? `Loading the relationships of ${loading.map(nameOf).join(', ')}… ` : null}
            Expanded {expanded.length} object(s): {others.length} related objects and {merged.edges.length} relationships drawn.
          </p>
          <button type="button" className="small" onClick={() => setExpanded([])}>Reset to one hop</button>
        </div>
      ) : null}
      <ErrorBanner error={failed} />
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label={`Relationship graph: ${others.length} related object(s)`} style={{ width: '100%', maxWidth: `${W}px`, height: 'auto' }}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="20" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#999" />
          </marker>
        </defs>
        {merged.edges.map((e) => {
          const a = pos.get(e.source)!;
          const b = pos.get(e.target)!;
          return (
            <g key={e.id} data-edge={e.id}>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#999" strokeWidth={1.2} markerEnd="url(#arrow)" />
              <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 4} textAnchor="middle" fontSize="10" fill="#444">{e.relationshipType ?? 'sighting'}</text>
            </g>
          );
        })}
        {others.map((n) => node(n, false))}
        {node(centre, true)}
      </svg>
      {merged.leftOutFirst ? <figcaption className="muted">Showing {MAX_NODES} of {graph.nodes.length - 1} related objects; all are in the table below.</figcaption> : null}
      {merged.leftOutLater ? (
        <p className="banner" role="alert">
          The graph draws at most {MAX_EXPANDED_NODES} related objects: {merged.leftOutLater} more from the expanded objects are left out. Open one of them, or reset to one hop.
        </p>
      ) : full && expanded.length ? (
        <p className="muted">The graph holds its most objects ({MAX_EXPANDED_NODES}); nothing more can be expanded.</p>
      ) : null}
    </figure>
  );
}
