import { describe, expect, it } from 'vitest';
import { mergeGraphs, radialLayout, type Graph } from '../../web/src/pages/intel-graph-model.js';

const n = (id: string) => ({ id, type: id.split('-')[0]!, name: id });
const e = (id: string, source: string, target: string) => ({ id, relationshipType: 'uses', source, target });

// c -- a, c -- b (the object's own hop); a -- b, a -- x, a -- y (a's hop, expanded).
const own: Graph = { nodes: [n('c'), n('a'), n('b')], edges: [e('r1', 'c', 'a'), e('r2', 'b', 'c')] };
const ofA: Graph = { nodes: [n('a'), n('c'), n('b'), n('x'), n('y')], edges: [e('r1', 'c', 'a'), e('r3', 'a', 'b'), e('r4', 'a', 'x'), e('r5', 'y', 'a')] };

describe('relationship graph model', () => {
  it('merges expansions without duplicate objects or relationships', () => {
    const m = mergeGraphs([own, ofA, ofA], { first: 10, total: 10 });
    expect(m.nodes.map((x) => x.id)).toEqual(['c', 'a', 'b', 'x', 'y']);
    expect(m.edges.map((x) => x.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect([m.leftOutFirst, m.leftOutLater]).toEqual([0, 0]);
  });

  it('keeps the own hop first, caps the total and counts what it left out, with no edge to a dropped object', () => {
    const m = mergeGraphs([own, ofA], { first: 10, total: 4 });
    expect(m.nodes.map((x) => x.id)).toEqual(['c', 'a', 'b', 'x']);
    expect(m.edges.map((x) => x.id)).not.toContain('r5');
    expect([m.leftOutFirst, m.leftOutLater]).toEqual([0, 1]);
    const small = mergeGraphs([own], { first: 2, total: 4 });
    expect(small.nodes.map((x) => x.id)).toEqual(['c', 'a']);
    expect(small.edges.map((x) => x.id)).toEqual(['r1']);
    expect(small.leftOutFirst).toBe(1);
  });

  it('puts each object on the ring of its distance, inside the angle of the object it was reached through', () => {
    const { pos, depth } = radialLayout('c', mergeGraphs([own, ofA], { first: 10, total: 10 }));
    expect(depth).toBe(2);
    expect(pos.get('c')).toEqual({ x: 0, y: 0, depth: 0 });
    for (const id of ['a', 'b']) expect(Math.hypot(pos.get(id)!.x, pos.get(id)!.y)).toBeCloseTo(1);
    for (const id of ['x', 'y']) expect(Math.hypot(pos.get(id)!.x, pos.get(id)!.y)).toBeCloseTo(2);
    // x and y hang off a: nearer to a's direction than to b's.
    const angle = (id: string) => Math.atan2(pos.get(id)!.y, pos.get(id)!.x);
    for (const id of ['x', 'y']) expect(Math.abs(angle(id) - angle('a'))).toBeLessThan(Math.abs(angle(id) - angle('b')));
    // One hop is a star: every object once, evenly around.
    const star = radialLayout('c', own);
    expect(star.depth).toBe(1);
    expect(star.pos.size).toBe(3);
  });
});
