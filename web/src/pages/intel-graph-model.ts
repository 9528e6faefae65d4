/** Nodes and edges around an object, as GET /api/intel/objects/:id/graph answers them. */
export interface Graph {
  nodes: Array<{ id: string; type: string; name: string | null }>;
  edges: Array<{ id: string; relationshipType: string | null; source: string; target: string }>;
}

export interface Merged extends Graph {
  /** Objects of the first graph (the object's own hop) that its cap left out. */
  leftOutFirst: number;
  /** Objects only the later graphs (expansions) named that the total cap left out. */
  leftOutLater: number;
}

/**
 * The graphs merged in order (the first is the object's own hop): each object
 * and relationship once; the first graph keeps at most `cap.first` objects,
 * all together at most `cap.total`; only relationships whose both ends are
 * kept are drawn.
 */
export function mergeGraphs(graphs: readonly Graph[], cap: { first: number; total: number }): Merged {
  const nodes = new Map<string, Graph['nodes'][number]>();
  const first = new Set<string>();
  const later = new Set<string>();
  graphs.forEach((g, i) => {
    const limit = i === 0 ? Math.min(cap.first, cap.total) : cap.total;
    for (const n of g.nodes) {
      (i === 0 ? first : later).add(n.id);
      if (!nodes.has(n.id) && nodes.size < limit) nodes.set(n.id, n);
    }
  });
  const edges = new Map<string, Graph['edges'][number]>();
  for (const g of graphs) for (const e of g.edges) if (!edges.has(e.id) && nodes.has(e.source) && nodes.has(e.target)) edges.set(e.id, e);
  const dropped = (ids: Set<string>) => [...ids].filter((id) => !nodes.has(id));
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    leftOutFirst: dropped(first).length,
    leftOutLater: dropped(later).filter((id) => !first.has(id)).length,
  };
}

export interface Placed {
  x: number;
  y: number;
  depth: number;
}

/**
 * A radial tree around `centre`: each object on the ring of its distance in
 * hops, inside the angle of the object it was reached through, each subtree's
 * angle in proportion to its leaves. One hop is the old star. Coordinates are
 * relative to the centre in rings of radius 1; `depth` is the outermost ring.
 */
export function radialLayout(centre: string, graph: Graph): { pos: Map<string, Placed>; depth: number } {
  const order = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const adj = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!order.has(e.source) || !order.has(e.target) || e.source === e.target) continue;
    adj.set(e.source, [...(adj.get(e.source) ?? []), e.target]);
    adj.set(e.target, [...(adj.get(e.target) ?? []), e.source]);
  }
  // Breadth first from the centre; neighbours in the order the answers listed them.
  const depthOf = new Map([[centre, 0]]);
  const children = new Map<string, string[]>();
  const queue = [centre];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    const next = [...new Set(adj.get(at) ?? [])].filter((n) => !depthOf.has(n)).sort((a, b) => order.get(a)! - order.get(b)!);
    for (const n of next) {
      depthOf.set(n, depthOf.get(at)! + 1);
      queue.push(n);
    }
    children.set(at, next);
  }
  // An object no relationship reaches (not expected) hangs off the centre.
  const stray = graph.nodes.map((n) => n.id).filter((id) => !depthOf.has(id));
  for (const id of stray) depthOf.set(id, 1);
  children.set(centre, [...(children.get(centre) ?? []), ...stray]);

  const leaves = new Map<string, number>();
  const count = (id: string): number => {
    const kids = children.get(id) ?? [];
    const n = kids.length ? kids.reduce((s, k) => s + count(k), 0) : 1;
    leaves.set(id, n);
    return n;
  };
  count(centre);
  const depth = Math.max(1, ...depthOf.values());
  const pos = new Map<string, Placed>([[centre, { x: 0, y: 0, depth: 0 }]]);
  const place = (id: string, from: number, to: number) => {
    const kids = children.get(id) ?? [];
    const total = kids.reduce((s, k) => s + leaves.get(k)!, 0);
    let a = from;
    for (const k of kids) {
      const span = ((to - from) * leaves.get(k)!) / total;
      const angle = a + span / 2;
      const d = depthOf.get(k)!;
      pos.set(k, { x: d * Math.cos(angle), y: d * Math.sin(angle), depth: d });
      place(k, a, a + span);
      a += span;
    }
  };
  place(centre, -Math.PI / 2, (3 * Math.PI) / 2);
  return { pos, depth };
}
