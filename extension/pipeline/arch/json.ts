/** ArchGraph <-> plain JSON (the CLI's `--format json`, the webview payload). */
import { MultiDirectedGraph } from 'graphology';
import type { ArchGraph, ArchGraphAttributes, ArchGraphJson, OpNode, TensorEdge } from './types';

export function archGraphToJson(g: ArchGraph): ArchGraphJson {
  const a = g.getAttributes();
  const nodes: OpNode[] = [];
  g.forEachNode((_k, n) => nodes.push(n));
  const edges: ArchGraphJson['edges'] = [];
  g.forEachEdge((_k, e, source, target) => edges.push({ source, target, ...e }));
  return { ...a, modules: a.modules, nodes, edges };
}

export function archGraphFromJson(j: ArchGraphJson): ArchGraph {
  const { nodes, edges, ...attrs } = j;
  const g: ArchGraph = new MultiDirectedGraph<OpNode, TensorEdge, ArchGraphAttributes>();
  for (const n of nodes) g.addNode(n.id, n);
  for (const { source, target, ...e } of edges) g.addEdge(source, target, e);
  g.replaceAttributes(attrs as ArchGraphAttributes);
  return g;
}
