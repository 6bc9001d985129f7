/**
 * Graphviz DOT of an architecture graph: one node per op (labelled with the op, module path and output
 * shape), one edge per tensor (labelled with its shape), ops clustered by the module that ran them.
 */
import type { ArchGraphJson, OpNode, TensorShape } from './types';

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const shapeText = (s: TensorShape | undefined): string => (s ? `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]` : '');

function label(n: OpNode): string {
  const title = n.kind === 'module' ? (n.moduleType ?? n.op) : n.op;
  return [title, n.modulePath, shapeText(n.outputShapes[0])].filter(Boolean).join('\n');
}

function container(n: OpNode): string {
  if (n.kind !== 'module') return n.modulePath;
  const i = n.modulePath.lastIndexOf('.');
  return i < 0 ? '' : n.modulePath.slice(0, i);
}

export function archGraphToDot(graph: ArchGraphJson): string {
  const lines: string[] = [`digraph ${quote(graph.entry)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#eeeeee", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=9];'];
  // Nest clusters by module path.
  interface Cluster { path: string; nodes: OpNode[]; children: Map<string, Cluster> }
  const root: Cluster = { path: '', nodes: [], children: new Map() };
  for (const n of graph.nodes) {
    let c = root;
    const parts = container(n).split('.').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const p = parts.slice(0, i + 1).join('.');
      let next = c.children.get(p);
      if (!next) { next = { path: p, nodes: [], children: new Map() }; c.children.set(p, next); }
      c = next;
    }
    c.nodes.push(n);
  }
  const types = new Map(graph.modules.map((m) => [m.path, m.type]));
  let k = 0;
  const emit = (c: Cluster, indent: string): void => {
    for (const n of c.nodes) lines.push(`${indent}${quote(n.id)} [label=${quote(label(n))}];`);
    for (const child of c.children.values()) {
      lines.push(`${indent}subgraph cluster_${k++} {`, `${indent}  label=${quote(`${child.path} (${types.get(child.path) ?? ''})`)};`, `${indent}  style=rounded;`);
      emit(child, indent + '  ');
      lines.push(`${indent}}`);
    }
  };
  emit(root, '  ');
  for (const e of graph.edges) lines.push(`  ${quote(e.source)} -> ${quote(e.target)} [label=${quote(shapeText(e.shape))}];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
