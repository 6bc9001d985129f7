/** Graphviz DOT export of an ArchGraph: one cluster per module of the hierarchy, ops as nodes. */
import type { ArchGraph, OpNode, TensorShape } from './types';

const COLORS: Record<string, string> = {
  input: '#dddddd', output: '#dddddd', conv: '#8fb8e8', linear: '#8fb8e8', norm: '#a8d8a8', activation: '#f3c38b',
  pool: '#c8a8e8', dropout: '#e0e0e0', recurrent: '#e8a8a8', attention: '#e8a8c8', embedding: '#d8d8a0',
  upsample: '#c8a8e8', elementwise: '#f0f0f0', reduce: '#f0f0f0', shape: '#f8f8f8', tensor: '#f8f8f8', container: '#ffffff', unknown: '#ff9999',
};

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export function fmtShape(s: TensorShape | null | undefined): string {
  return s ? `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]` : '?';
}

function label(n: OpNode): string {
  const title = n.kind === 'module' ? `${n.modulePath || n.op}: ${n.op}` : n.op;
  return `${esc(title)}\\n${esc(fmtShape(n.outputShapes[0]))}`;
}

export function archGraphToDot(g: ArchGraph): string {
  const a = g.getAttributes();
  const lines = [`digraph "${esc(a.entry || a.modelType)}" {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=8];'];
  // group nodes by the module whose forward ran them (module calls go to their parent)
  const byCluster = new Map<string, OpNode[]>();
  g.forEachNode((_k, n) => {
    const p = n.kind === 'module' ? n.modulePath.split('.').slice(0, -1).join('.') : n.modulePath;
    (byCluster.get(p) ?? byCluster.set(p, []).get(p)!).push(n);
  });
  const paths = [...byCluster.keys()].sort();
  let ci = 0;
  for (const p of paths) {
    const ns = byCluster.get(p)!;
    const indent = p ? '    ' : '  ';
    if (p) lines.push(`  subgraph cluster_${ci++} {`, `    label="${esc(p)}"; style=dashed; color="#999999";`);
    for (const n of ns) lines.push(`${indent}${n.id} [label="${label(n)}", fillcolor="${COLORS[n.category] ?? '#ffffff'}"];`);
    if (p) lines.push('  }');
  }
  g.forEachEdge((_k, e, s, t) => lines.push(`  ${s} -> ${t} [label="${esc(fmtShape(e.shape))}"];`));
  lines.push('}');
  return lines.join('\n') + '\n';
}
