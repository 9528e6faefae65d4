import { useNavigate } from 'react-router-dom';

export interface Graph {
  nodes: Array<{ id: string; type: string; name: string | null }>;
  edges: Array<{ id: string; relationshipType: string | null; source: string; target: string }>;
}

const W = 720;
const H = 460;
const R = 170;
const MAX_NODES = 40;
const COLOURS: Record<string, string> = { indicator: '#c0392b', 'attack-pattern': '#8e44ad', malware: '#d35400', 'intrusion-set': '#2c3e50', tool: '#16a085', campaign: '#2980b9', 'course-of-action': '#27ae60', report: '#7f8c8d', vulnerability: '#b7950b', 'threat-actor': '#34495e' };

const short = (s: string, n = 22) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The object's relationships drawn as a graph: the object in the middle,
 * each related object on a circle around it, one labelled line per
 * relationship. Hand-drawn SVG (a star around one object needs no layout
 * engine, and no graph library then ships to every page); each node is a
 * link, reachable with Tab and followed with Enter. Past MAX_NODES the
 * rest are listed in the table below only.
 */
export function RelationshipGraph({ id, graph }: { id: string; graph: Graph }) {
  const navigate = useNavigate();
  const others = graph.nodes.filter((n) => n.id !== id).slice(0, MAX_NODES);
  const centre = graph.nodes.find((n) => n.id === id) ?? { id, type: id.split('--')[0] ?? '', name: null };
  const pos = new Map<string, { x: number; y: number }>([[id, { x: W / 2, y: H / 2 }]]);
  others.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(others.length, 1) - Math.PI / 2;
    pos.set(n.id, { x: W / 2 + R * 1.6 * Math.cos(a), y: H / 2 + R * Math.sin(a) });
  });
  const edges = graph.edges.filter((e) => pos.has(e.source) && pos.has(e.target));
  const node = (n: { id: string; type: string; name: string | null }, current: boolean) => {
    const p = pos.get(n.id)!;
    const label = n.name ?? n.id;
    const body = (
      <>
        <circle cx={p.x} cy={p.y} r={current ? 14 : 9} fill={COLOURS[n.type] ?? '#555'} stroke={current ? '#000' : '#fff'} strokeWidth={2} />
        <text x={p.x} y={p.y + (current ? 30 : 22)} textAnchor="middle" fontSize="11">{short(label)}</text>
        <text x={p.x} y={p.y + (current ? 43 : 34)} textAnchor="middle" fontSize="9" fill="#666">{n.type}</text>
        <title>{`${n.type}: ${label}`}</title>
      </>
    );
    if (current) return <g key={n.id} data-node={n.id} aria-current="page">{body}</g>;
    const href = `/intel/objects/${n.id}`;
    return (
      <a
        key={n.id}
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
    );
  };
  return (
    <figure className="graph">
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label={`Relationship graph: ${others.length} related object(s)`} style={{ width: '100%', maxWidth: `${W}px`, height: 'auto' }}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="20" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#999" />
          </marker>
        </defs>
        {edges.map((e) => {
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
      {graph.nodes.length - 1 > MAX_NODES ? <figcaption className="muted">Showing {MAX_NODES} of {graph.nodes.length - 1} related objects; all are in the table below.</figcaption> : null}
    </figure>
  );
}
