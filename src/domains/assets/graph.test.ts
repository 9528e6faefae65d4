import { describe, expect, it } from 'vitest';
import { findCycles, neighbourhood } from './graph.js';

describe('asset dependency graph', () => {
  it('finds each cycle once and ignores acyclic parts', () => {
    const edges = [
      { from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' },
      { from: 'c', to: 'd' }, { from: 'e', to: 'f' }, { from: 'f', to: 'e' },
    ];
    const cycles = findCycles(['a', 'b', 'c', 'd', 'e', 'f'], edges).map((c) => [...c].sort());
    expect(cycles.sort()).toEqual([['a', 'b', 'c'], ['e', 'f']]);
    expect(findCycles(['a', 'b'], [{ from: 'a', to: 'b' }])).toEqual([]);
  });

  it('walks a neighbourhood in both directions up to a depth', () => {
    const edges = [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'x', to: 'a' }, { from: 'c', to: 'd' }];
    expect([...neighbourhood('a', edges, 1)].sort()).toEqual(['a', 'b', 'x']);
    expect([...neighbourhood('a', edges, 2)].sort()).toEqual(['a', 'b', 'c', 'x']);
  });
});
