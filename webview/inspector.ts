/**
 * The node inspector: op, module path, shapes, attributes, parameter tensors and counts, MACs and, once
 * parameters were predicted, their statistics with a histogram. Built with DOM APIs and `textContent`
 * only (graph strings come from user code).
 */
import type { ArchGraphJson, OpNode, ParamStats, ParamTensor, SourceLocation } from '../extension/protocol/panel';
import { CATEGORY_COLORS } from './colors';
import { formatCount, formatNumber, formatShape, numel } from './format';
import type { Hierarchy } from './hierarchy';

export interface InspectorActions {
  reveal(loc: SourceLocation): void;
  expand(path: string): void;
  collapse(path: string): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function section(root: HTMLElement, title: string): HTMLElement {
  const s = el('section', 'insp-section');
  s.append(el('h3', undefined, title));
  root.append(s);
  return s;
}

function row(parent: HTMLElement, key: string, value: string | HTMLElement): void {
  const r = el('div', 'insp-row');
  r.append(el('span', 'insp-key', key));
  const v = typeof value === 'string' ? el('span', 'insp-value', value) : value;
  v.classList.add('insp-value');
  r.append(v);
  parent.append(r);
}

function link(text: string, onClick: () => void): HTMLAnchorElement {
  const a = el('a', 'insp-link', text);
  a.href = '#';
  a.addEventListener('click', (e) => { e.preventDefault(); onClick(); });
  return a;
}

function histogram(stats: ParamStats): HTMLElement {
  const box = el('div', 'insp-hist');
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', `histogram from ${formatNumber(stats.min)} to ${formatNumber(stats.max)}`);
  const max = Math.max(1, ...stats.histogram);
  for (const c of stats.histogram) {
    const bar = el('div', 'insp-hist-bar');
    bar.style.height = `${Math.max(c > 0 ? 2 : 0, (100 * c) / max)}%`;
    bar.title = String(c);
    box.append(bar);
  }
  const axis = el('div', 'insp-hist-axis');
  axis.append(el('span', undefined, formatNumber(stats.min)), el('span', undefined, formatNumber(stats.max)));
  const wrap = el('div');
  wrap.append(box, axis);
  return wrap;
}

function paramsSection(root: HTMLElement, params: ParamTensor[], stats: Record<string, ParamStats> | null): void {
  if (!params.length) return;
  const total = params.filter((p) => p.role === 'parameter').reduce((s, p) => s + numel(p.shape), 0);
  const s = section(root, `Parameters · ${formatCount(total)}`);
  const table = el('table', 'insp-table');
  for (const p of params) {
    const tr = el('tr');
    const name = p.name.slice(p.name.lastIndexOf('.') + 1);
    const td = el('td', undefined, name);
    td.title = p.name;
    tr.append(td, el('td', undefined, formatShape(p.shape)), el('td', 'num', formatCount(numel(p.shape))), el('td', 'dim', p.role === 'buffer' ? 'buffer' : p.trainable ? '' : 'frozen'));
    table.append(tr);
  }
  s.append(table);
  if (!stats) return;
  const predicted = params.filter((p) => stats[p.name]);
  if (!predicted.length) return;
  const ps = section(root, 'Predicted parameters (GHN-2)');
  for (const p of predicted) {
    const st = stats[p.name];
    const h = el('div', 'insp-pred');
    h.append(el('div', 'insp-pred-name', p.name));
    row(h, 'mean', formatNumber(st.mean));
    row(h, 'std', formatNumber(st.std));
    row(h, 'range', `${formatNumber(st.min)} … ${formatNumber(st.max)}`);
    if (st.histogram.length) h.append(histogram(st));
    ps.append(h);
  }
}

function ancestors(path: string): string[] {
  const parts = path ? path.split('.') : [];
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

export function renderOpInspector(root: HTMLElement, node: OpNode, chain: string[], stats: Record<string, ParamStats> | null, actions: InspectorActions): void {
  root.replaceChildren();
  const head = el('div', 'insp-head');
  const chip = el('span', 'insp-chip', node.category);
  chip.style.background = CATEGORY_COLORS[node.category] ?? CATEGORY_COLORS.unknown;
  head.append(el('h2', undefined, node.kind === 'module' ? (node.moduleType ?? node.op) : node.op), chip);
  root.append(head);
  const info = section(root, 'Op');
  row(info, 'kind', node.kind + (node.callIndex !== undefined ? ` (call #${node.callIndex + 1})` : ''));
  if (node.modulePath) row(info, node.kind === 'module' ? 'module' : 'in module', node.modulePath);
  row(info, 'id', node.id);
  if (node.loc) row(info, 'called at', link(`line ${node.loc.line + 1}`, () => actions.reveal(node.loc!)));
  if (node.defLoc) row(info, 'defined at', link(`line ${node.defLoc.line + 1}`, () => actions.reveal(node.defLoc!)));
  row(info, 'MACs', node.macs ? `${formatCount(node.macs)}${node.macsExact ? '' : ' (lower bound)'}` : node.macsExact ? '0' : 'unknown');
  const shapes = section(root, 'Tensors');
  node.inputShapes.forEach((s, i) => row(shapes, `input ${i}`, formatShape(s)));
  node.outputShapes.forEach((s, i) => row(shapes, `output ${i}`, formatShape(s)));
  const attrs = Object.entries(node.attrs);
  if (attrs.length) {
    const a = section(root, 'Attributes');
    for (const [k, v] of attrs) row(a, k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  paramsSection(root, node.params, stats);
  if (chain.length) {
    const m = section(root, 'Module hierarchy');
    for (const p of chain) {
      const r = el('div', 'insp-row');
      r.append(el('span', 'insp-key', p), link('collapse', () => actions.collapse(p)));
      m.append(r);
    }
  }
}

export function renderGroupInspector(root: HTMLElement, graph: ArchGraphJson, h: Hierarchy, path: string, stats: Record<string, ParamStats> | null, actions: InspectorActions): void {
  root.replaceChildren();
  const g = h.modules.get(path);
  const info = graph.modules.find((m) => m.path === path);
  const head = el('div', 'insp-head');
  head.append(el('h2', undefined, g?.type || 'Module'));
  const chip = el('span', 'insp-chip', 'module');
  chip.style.background = CATEGORY_COLORS.group;
  head.append(chip);
  root.append(head);
  const s = section(root, 'Collapsed module');
  row(s, 'path', path);
  row(s, 'ops', String(g?.opCount ?? 0));
  row(s, 'params', formatCount(g?.params ?? 0));
  row(s, 'MACs', formatCount(g?.macs ?? 0));
  if (info?.defLoc) row(s, 'defined at', link(`line ${info.defLoc.line + 1}`, () => actions.reveal(info.defLoc!)));
  const acts = el('div', 'insp-actions');
  acts.append(link('Expand', () => actions.expand(path)));
  for (const a of ancestors(path).slice(0, -1)) acts.append(link(`Collapse ${a}`, () => actions.collapse(a)));
  s.append(acts);
  const own = graph.stateDict.filter((p) => p.name.startsWith(path + '.'));
  paramsSection(root, own.slice(0, 200), stats);
  if (own.length > 200) root.append(el('div', 'dim', `… ${own.length - 200} more tensors`));
}

export function renderGraphSummary(root: HTMLElement, graph: ArchGraphJson): void {
  root.replaceChildren();
  const head = el('div', 'insp-head');
  head.append(el('h2', undefined, graph.modelType || graph.entry));
  root.append(head);
  const s = section(root, 'Model');
  row(s, 'entry', graph.entry);
  row(s, 'input', formatShape(graph.inputShape));
  row(s, 'output', formatShape(graph.outputShape));
  row(s, 'ops', String(graph.nodes.length));
  row(s, 'params', `${formatCount(graph.totalParams)} (${formatCount(graph.trainableParams)} trainable)`);
  row(s, 'MACs', formatCount(graph.macs));
  if (graph.partial) row(s, 'note', 'partial graph: something could not be followed (see diagnostics)');
}
