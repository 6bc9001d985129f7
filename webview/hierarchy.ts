/**
 * The module hierarchy of a graph and the "visible graph" for a set of collapsed modules.
 * Pure: no DOM, no worker; unit-tested in test/unit/webview/hierarchy.test.ts.
 *
 * Every op belongs to a container module: a module call (`self.conv1(x)`) stands for its leaf module and
 * lives in the module's parent; any other op lives in the module whose forward ran it (`OpNode.modulePath`).
 * Collapsing a module replaces every op inside it (at any depth) by one group node `g:<path>`.
 */
import type { ArchGraphJson, OpNode, TensorShape } from '../extension/protocol/panel';

export interface ModuleGroup {
  path: string;
  type: string;
  parent: string | null;
  depth: number;
  /** Child module paths that contain at least one op, in first-execution order. */
  children: string[];
  /** Ops directly in this module (not in a child module), in execution order. */
  directOps: number;
  /** Ops at any depth. */
  opCount: number;
  /** Parameter elements of the module and its descendants (from the module tree, so shared weights count once). */
  params: number;
  macs: number;
  /** Index of its first op in execution order. */
  first: number;
}

export interface Hierarchy {
  modules: Map<string, ModuleGroup>;
  /** For each node (by index in graph.nodes): its container path chain, outermost first, root '' excluded. */
  chains: string[][];
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? '' : path.slice(0, i);
}

/** The module that holds an op in the hierarchy. */
export function containerOf(node: Pick<OpNode, 'kind' | 'modulePath'>): string {
  return node.kind === 'module' ? parentPath(node.modulePath) : node.modulePath;
}

function prefixes(path: string): string[] {
  if (!path) return [];
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function buildHierarchy(graph: Pick<ArchGraphJson, 'nodes' | 'modules'>): Hierarchy {
  const info = new Map(graph.modules.map((m) => [m.path, m]));
  const modules = new Map<string, ModuleGroup>();
  const chains: string[][] = [];
  const childSets = new Map<string, Set<string>>();
  const chainOf = new Map<string, string[]>();
  const cachedPrefixes = (p: string): string[] => {
    let c = chainOf.get(p);
    if (!c) { c = prefixes(p); chainOf.set(p, c); }
    return c;
  };
  const ensure = (path: string, index: number): ModuleGroup => {
    let g = modules.get(path);
    if (!g) {
      const parent = path.includes('.') ? parentPath(path) : '';
      g = { path, type: info.get(path)?.type ?? '', parent, depth: path.split('.').length, children: [], directOps: 0, opCount: 0, params: 0, macs: 0, first: index };
      modules.set(path, g);
      if (parent) {
        const p = modules.get(parent);
        let kids = childSets.get(parent);
        if (!kids) { kids = new Set(); childSets.set(parent, kids); }
        if (p && !kids.has(path)) { kids.add(path); p.children.push(path); }
      }
    }
    return g;
  };
  graph.nodes.forEach((node, i) => {
    const chain = cachedPrefixes(containerOf(node));
    chains.push(chain);
    for (const p of chain) {
      const g = modules.get(p) ?? ensure(p, i);
      g.opCount++;
      g.macs += node.macs || 0;
    }
    if (chain.length) modules.get(chain[chain.length - 1])!.directOps++;
  });
  // Parameters from the module tree: a module's own params plus all of its descendants'.
  for (const m of graph.modules) {
    const n = m.params.reduce((s, p) => s + numel(p.shape), 0);
    if (!n) continue;
    for (const p of cachedPrefixes(m.path)) {
      const g = modules.get(p);
      if (g) g.params += n;
    }
  }
  return { modules, chains };
}

/** One node of the visible graph: an op, or a collapsed module. */
export type VisibleNode =
  | { kind: 'op'; id: string; index: number }
  | { kind: 'group'; id: string; path: string };

export interface VisibleEdge {
  source: number;
  target: number;
  shape: TensorShape;
  /** How many tensor edges this one stands for (collapsing merges parallel edges). */
  count: number;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  /** Graph node index → visible node index. */
  nodeToVisible: Int32Array;
  /** Visible id → visible node index. */
  indexOf: Map<string, number>;
}

export const groupId = (path: string): string => `g:${path}`;

/** The outermost collapsed module holding a node, or null. */
function collapsedAncestor(chain: string[], collapsed: ReadonlySet<string>): string | null {
  for (const p of chain) if (collapsed.has(p)) return p;
  return null;
}

export function visibleGraph(graph: Pick<ArchGraphJson, 'nodes' | 'edges'>, h: Hierarchy, collapsed: ReadonlySet<string>): VisibleGraph {
  const nodes: VisibleNode[] = [];
  const indexOf = new Map<string, number>();
  const nodeToVisible = new Int32Array(graph.nodes.length);
  const idToNode = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    idToNode.set(node.id, i);
    const g = collapsedAncestor(h.chains[i], collapsed);
    const id = g === null ? node.id : groupId(g);
    let v = indexOf.get(id);
    if (v === undefined) {
      v = nodes.length;
      indexOf.set(id, v);
      nodes.push(g === null ? { kind: 'op', id, index: i } : { kind: 'group', id, path: g });
    }
    nodeToVisible[i] = v;
  });
  const edges: VisibleEdge[] = [];
  const seen = new Map<string, VisibleEdge>();
  for (const e of graph.edges) {
    const s = idToNode.get(e.source);
    const t = idToNode.get(e.target);
    if (s === undefined || t === undefined) continue;
    const vs = nodeToVisible[s];
    const vt = nodeToVisible[t];
    if (vs === vt) continue;
    const key = `${vs}>${vt}`;
    const prev = seen.get(key);
    if (prev) { prev.count++; continue; }
    const ve: VisibleEdge = { source: vs, target: vt, shape: e.shape, count: 1 };
    seen.set(key, ve);
    edges.push(ve);
  }
  return { nodes, edges, nodeToVisible, indexOf };
}

/** How many visible nodes expanding `path` adds (its direct ops and non-empty children replace it). */
function expandDelta(g: ModuleGroup): number {
  return g.directOps + g.children.length - 1;
}

/**
 * The default collapsed set: start with every top-level module collapsed, then expand breadth-first, one
 * family at a time (all children of a module, or none, so siblings look alike), while the visible node
 * count stays within `threshold`. Small graphs come back fully expanded.
 */
export function defaultCollapsed(h: Hierarchy, totalOps: number, threshold: number): Set<string> {
  const collapsed = new Set<string>();
  if (totalOps <= threshold) return collapsed;
  const byFirst = (a: ModuleGroup, b: ModuleGroup): number => a.first - b.first;
  const top = [...h.modules.values()].filter((m) => m.depth === 1).sort(byFirst);
  let count = totalOps;
  for (const m of top) { collapsed.add(m.path); count -= m.opCount - 1; }
  const families: ModuleGroup[][] = [top];
  while (families.length) {
    const family = families.shift()!.filter((g) => g.opCount > 1);
    const delta = family.reduce((s, g) => s + expandDelta(g), 0);
    if (!family.length || count + delta > threshold) continue;
    count += delta;
    for (const g of family) {
      collapsed.delete(g.path);
      const kids = g.children.map((c) => h.modules.get(c)!).sort(byFirst);
      for (const k of kids) collapsed.add(k.path);
      families.push(kids);
    }
  }
  return collapsed;
}

/** Expand every collapsed ancestor of a node so that it becomes visible. Returns the new set. */
export function expandTo(h: Hierarchy, nodeIndex: number, collapsed: ReadonlySet<string>): Set<string> {
  const next = new Set(collapsed);
  const chain = h.chains[nodeIndex] ?? [];
  for (const p of chain) {
    if (!next.delete(p)) continue;
    // Siblings-of-path children stay collapsed so the graph does not explode: collapse the children.
    for (const c of h.modules.get(p)?.children ?? []) if (!chain.includes(c)) next.add(c);
  }
  return next;
}

/** Expand one module: its child modules become collapsed groups (one level at a time). */
export function expandModule(h: Hierarchy, path: string, collapsed: ReadonlySet<string>): Set<string> {
  const next = new Set(collapsed);
  next.delete(path);
  for (const c of h.modules.get(path)?.children ?? []) next.add(c);
  return next;
}

/** Collapse a module: drop the collapsed state of its descendants (they are hidden inside it). */
export function collapseModule(path: string, collapsed: ReadonlySet<string>): Set<string> {
  const next = new Set<string>();
  for (const c of collapsed) if (!c.startsWith(path + '.')) next.add(c);
  next.add(path);
  return next;
}
