/** GraphML export of an ArchGraph (yEd, Gephi, networkx). */
import type { ArchGraph } from './types';
import { fmtShape } from './exportDot';

function x(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const NODE_KEYS: [string, string][] = [
  ['op', 'string'], ['category', 'string'], ['kind', 'string'], ['modulePath', 'string'], ['moduleType', 'string'],
  ['inputShapes', 'string'], ['outputShapes', 'string'], ['params', 'long'], ['macs', 'long'], ['attrs', 'string'], ['line', 'int'],
];

export function archGraphToGraphml(g: ArchGraph): string {
  const a = g.getAttributes();
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'];
  for (const [k, t] of NODE_KEYS) out.push(`  <key id="${k}" for="node" attr.name="${k}" attr.type="${t}"/>`);
  out.push('  <key id="shape" for="edge" attr.name="shape" attr.type="string"/>');
  out.push('  <key id="totalParams" for="graph" attr.name="totalParams" attr.type="long"/>', '  <key id="macs_total" for="graph" attr.name="macs" attr.type="long"/>');
  out.push(`  <graph id="${x(a.entry || a.modelType)}" edgedefault="directed">`);
  out.push(`    <data key="totalParams">${a.totalParams}</data>`, `    <data key="macs_total">${a.macs}</data>`);
  g.forEachNode((id, n) => {
    const vals: Record<string, string> = {
      op: n.op, category: n.category, kind: n.kind, modulePath: n.modulePath, moduleType: n.moduleType ?? '',
      inputShapes: n.inputShapes.map(fmtShape).join(' '), outputShapes: n.outputShapes.map(fmtShape).join(' '),
      params: String(n.params.filter((p) => p.role === 'parameter').reduce((s, p) => s + p.shape.reduce((q, d) => q * d, 1), 0)),
      macs: String(n.macs), attrs: JSON.stringify(n.attrs), line: n.loc ? String(n.loc.line + 1) : '',
    };
    out.push(`    <node id="${x(id)}">`);
    for (const [k] of NODE_KEYS) if (vals[k] !== '') out.push(`      <data key="${k}">${x(vals[k])}</data>`);
    out.push('    </node>');
  });
  g.forEachEdge((id, e, s, t) => out.push(`    <edge id="${x(id)}" source="${x(s)}" target="${x(t)}"><data key="shape">${x(fmtShape(e.shape))}</data></edge>`));
  out.push('  </graph>', '</graphml>');
  return out.join('\n') + '\n';
}
