/**
 * GraphML of an architecture graph (for yEd, Gephi, networkx): op attributes as node data, tensor
 * shapes as edge data. Shapes and attrs are JSON strings.
 */
import type { ArchGraphJson } from './types';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const NODE_KEYS: [string, string][] = [
  ['op', 'string'], ['category', 'string'], ['kind', 'string'], ['modulePath', 'string'], ['moduleType', 'string'],
  ['inputShapes', 'string'], ['outputShapes', 'string'], ['attrs', 'string'], ['params', 'long'], ['macs', 'double'], ['line', 'int'],
];

export function archGraphToGraphml(graph: ArchGraphJson): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  ];
  for (const [k, t] of NODE_KEYS) out.push(`  <key id="${k}" for="node" attr.name="${k}" attr.type="${t}"/>`);
  out.push('  <key id="shape" for="edge" attr.name="shape" attr.type="string"/>', '  <key id="srcOutput" for="edge" attr.name="srcOutput" attr.type="int"/>', '  <key id="dstInput" for="edge" attr.name="dstInput" attr.type="int"/>');
  out.push(`  <graph id="${esc(graph.entry)}" edgedefault="directed">`);
  for (const n of graph.nodes) {
    const values: Record<string, string> = {
      op: n.op, category: n.category, kind: n.kind, modulePath: n.modulePath, moduleType: n.moduleType ?? '',
      inputShapes: JSON.stringify(n.inputShapes), outputShapes: JSON.stringify(n.outputShapes), attrs: JSON.stringify(n.attrs),
      params: String(n.params.filter((p) => p.role === 'parameter').reduce((s, p) => s + p.shape.reduce((a, d) => a * d, 1), 0)),
      macs: String(n.macs), line: n.loc ? String(n.loc.line + 1) : '',
    };
    out.push(`    <node id="${esc(n.id)}">` + NODE_KEYS.filter(([k]) => values[k] !== '').map(([k]) => `<data key="${k}">${esc(values[k])}</data>`).join('') + '</node>');
  }
  graph.edges.forEach((e, i) => {
    out.push(`    <edge id="e${i}" source="${esc(e.source)}" target="${esc(e.target)}"><data key="shape">${esc(JSON.stringify(e.shape))}</data><data key="srcOutput">${e.srcOutput}</data><data key="dstInput">${e.dstInput}</data></edge>`);
  });
  out.push('  </graph>', '</graphml>');
  return out.join('\n') + '\n';
}
