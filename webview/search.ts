/**
 * Search by name or op: every whitespace-separated term must match (case-insensitive substring) one of
 * the node's op, module type, module path, id or category. Pure; unit-tested.
 */
import type { OpNode } from '../extension/protocol/panel';

export function searchText(node: Pick<OpNode, 'op' | 'moduleType' | 'modulePath' | 'id' | 'category'>): string {
  return `${node.op}\n${node.moduleType ?? ''}\n${node.modulePath}\n${node.id}\n${node.category}`.toLowerCase();
}

/** Indexes of matching nodes, in execution order. An empty query matches nothing. */
export function searchNodes(haystack: readonly string[], query: string): number[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [];
  const out: number[] = [];
  haystack.forEach((text, i) => {
    if (terms.every((t) => text.includes(t))) out.push(i);
  });
  return out;
}
