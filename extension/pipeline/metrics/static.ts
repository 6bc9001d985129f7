/**
 * Exact static metrics of an architecture graph: parameters, MACs, activation memory, depth, op counts
 * and per-module figures. Pure functions over an `ArchGraph` (graphology) or its plain JSON form; nothing
 * here guesses: a figure that depends on an unknown shape says so (`…Exact: false`) and is a lower bound.
 */
import type { ArchGraph, ArchGraphJson, ModuleInfo, OpNode, ParamTensor, TensorEdge, TensorShape } from '../arch/types';

/** Bytes per element of the PyTorch dtypes a state_dict holds. Unknown dtypes count as float32. */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4, float: 4, float64: 8, double: 8, float16: 2, half: 2, bfloat16: 2,
  int64: 8, long: 8, int32: 4, int: 4, int16: 2, int8: 1, uint8: 1, bool: 1, complex64: 8, complex128: 16,
};
export function dtypeBytes(dtype: string): number {
  return DTYPE_BYTES[dtype] ?? 4;
}

/** Activations are counted as float32 (the default dtype; the graph does not track autocast). */
export const ACTIVATION_BYTES = 4;

/**
 * Ops whose output shares its input's storage in PyTorch (no new memory): views and in-place ops.
 * Used only by the peak estimate; the plain sum counts every output.
 */
const VIEW_OPS = new Set([
  'view', 'reshape', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'permute', 'transpose', 't', 'expand',
  'expand_as', 'view_as', 'narrow', 'getitem', 'chunk', 'split', 'unbind', 'select', 'detach', 'contiguous',
  'Flatten', 'Unflatten', 'Identity',
]);

export interface LayerFigures {
  /** Qualified module path; '' is the root model. */
  path: string;
  type: string;
  /** Nesting level in the module tree: the root is 0. */
  level: number;
  isLeaf: boolean;
  /** Parameters of the module and its descendants (each tensor once), as `sum(p.numel() for p in m.parameters())`. */
  params: number;
  trainableParams: number;
  /** Parameters the module owns directly. */
  ownParams: number;
  /** MACs of every op executed inside the module (its forward and its descendants'). */
  macs: number;
  macsExact: boolean;
  /** Module-call nodes of this path: how often a leaf was called (> 1: shared weights). A container whose
   *  forward the interpreter inlined may have 0 even though its ops ran. */
  calls: number;
  /** Shape of the (last) tensor leaving the module's forward; null when not called or unknown. */
  outputShape: TensorShape | null;
  /** Bytes of the tensors produced inside the module (float32). */
  activationBytes: number;
}

export interface StaticMetrics {
  entry: string;
  modelType: string;
  inputShape: TensorShape;
  outputShape: TensorShape | null;
  /** `sum(p.numel() for p in model.parameters())`. */
  totalParams: number;
  /** Same with `p.requires_grad`. */
  trainableParams: number;
  nonTrainableParams: number;
  /** Elements in buffers (running stats...), persistent or not. */
  bufferElements: number;
  /** Bytes of the parameters and buffers at their dtypes (what the model occupies in memory). */
  paramBytes: number;
  /** Bytes of `state_dict()` (parameters + persistent buffers): the size of a checkpoint's payload. */
  stateDictBytes: number;
  /** Multiply-accumulates of one forward pass for `inputShape` (conv, linear, matmul...). */
  macs: number;
  /** False when some op's MACs were unknown (the figure is then a lower bound). */
  macsExact: boolean;
  activation: ActivationMemory;
  depth: Depth;
  /** Ops per category (`conv`, `norm`, `activation`...), graph input/output excluded. */
  categoryCounts: Record<string, number>;
  /** Ops per op name (`Conv2d`, `relu`, `add`...), graph input/output excluded. */
  opCounts: Record<string, number>;
  /** Number of ops (graph input/output excluded). */
  numOps: number;
  /** Module tree in `named_modules()` order. */
  layers: LayerFigures[];
  /** The graph is incomplete (the interpreter could not follow something). */
  partial: boolean;
}

export interface ActivationMemory {
  /**
   * Sum of the bytes of every op's output tensors (float32), graph input and output markers excluded.
   * This is what a forward pass produces in total; during training autograd keeps most of it alive until
   * the backward pass, so it is the order of the activation memory of a training step (per batch).
   */
  totalBytes: number;
  /** Bytes of the input tensor. */
  inputBytes: number;
  /**
   * Peak of live activation memory in an inference pass (no autograd), executing ops in `forward` order:
   * a tensor is live from the op that makes it until its last consumer has run (the model's output until
   * the end); views and in-place ops (`view`, `flatten`, `getitem`, `ReLU(inplace=True)`...) share their
   * input's memory and add nothing but keep it alive. Includes the input tensor. It ignores the
   * allocator's caching and fragmentation, kernels' workspaces and temporaries inside one op, and Python
   * variables that keep a tensor alive past its last use: a lower estimate of what PyTorch allocates
   * (not checked against PyTorch's allocator).
   */
  peakInferenceBytes: number;
  /** False when an output shape had unknown dimensions (those tensors count as 0 bytes: lower bounds). */
  exact: boolean;
}

export interface Depth {
  /** Most parameterised ops (conv, linear, norm... any op owning parameters) on one input→output path. */
  parameterised: number;
  /** Most ops of any kind on one input→output path (graph input/output excluded). */
  ops: number;
}

/** The plain view of a graph the metrics work on. */
interface PlainGraph {
  attrs: Omit<ArchGraphJson, 'nodes' | 'edges'>;
  nodes: OpNode[];
  edges: (TensorEdge & { source: string; target: string })[];
}

function isGraphology(g: ArchGraph | ArchGraphJson): g is ArchGraph {
  return typeof (g as ArchGraph).forEachNode === 'function';
}

function plain(g: ArchGraph | ArchGraphJson): PlainGraph {
  if (!isGraphology(g)) {
    const { nodes, edges, ...attrs } = g;
    return { attrs, nodes, edges };
  }
  const nodes: OpNode[] = [];
  g.forEachNode((_k, a) => { nodes.push(a); });
  const edges: PlainGraph['edges'] = [];
  g.forEachEdge((_k, a, source, target) => { edges.push({ ...a, source, target }); });
  return { attrs: g.getAttributes(), nodes, edges };
}

/** Elements of a shape, or null when a dimension is unknown. */
export function numelOf(shape: TensorShape): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null || !Number.isFinite(d)) return null;
    n *= d;
  }
  return n;
}

function paramNumel(p: ParamTensor): number {
  return p.shape.reduce((a, b) => a * b, 1);
}

function isMarker(n: OpNode): boolean {
  return n.kind === 'input' || n.kind === 'output' || n.category === 'input' || n.category === 'output';
}

function isAlias(n: OpNode): boolean {
  return VIEW_OPS.has(n.op) || n.attrs.inplace === true || /_$/.test(n.op);
}

/**
 * Execution order: the nodes' insertion order when it is topological (the interpreter's guarantee),
 * otherwise a topological order (Kahn, ties by insertion order) with any cycle members appended.
 */
function executionOrder(g: PlainGraph): OpNode[] {
  const pos = new Map(g.nodes.map((n, i) => [n.id, i]));
  if (g.edges.every((e) => (pos.get(e.source) ?? -1) < (pos.get(e.target) ?? -1))) return g.nodes;
  const indeg = new Map(g.nodes.map((n) => [n.id, 0]));
  const succ = new Map<string, string[]>();
  for (const e of g.edges) {
    if (!pos.has(e.source) || !pos.has(e.target)) continue;
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
    (succ.get(e.source) ?? succ.set(e.source, []).get(e.source)!).push(e.target);
  }
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const ready = g.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const out: OpNode[] = [];
  const seen = new Set<string>();
  while (ready.length) {
    ready.sort((a, b) => pos.get(a)! - pos.get(b)!);
    const id = ready.shift()!;
    seen.add(id);
    out.push(byId.get(id)!);
    for (const t of succ.get(id) ?? []) {
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) ready.push(t);
    }
  }
  for (const n of g.nodes) if (!seen.has(n.id)) out.push(n);
  return out;
}

function outputBytes(n: OpNode): { bytes: number; exact: boolean } {
  let bytes = 0;
  let exact = true;
  for (const s of n.outputShapes) {
    const k = numelOf(s);
    if (k === null) exact = false;
    else bytes += k * ACTIVATION_BYTES;
  }
  return { bytes, exact };
}

/** Longest path over the DAG, each node weighing `w(node)`; returns the max weight of any path. */
function longestPath(order: OpNode[], edges: PlainGraph['edges'], w: (n: OpNode) => number): number {
  const preds = new Map<string, string[]>();
  for (const e of edges) (preds.get(e.target) ?? preds.set(e.target, []).get(e.target)!).push(e.source);
  const best = new Map<string, number>();
  let max = 0;
  for (const n of order) {
    let b = 0;
    for (const p of preds.get(n.id) ?? []) b = Math.max(b, best.get(p) ?? 0);
    const d = b + w(n);
    best.set(n.id, d);
    max = Math.max(max, d);
  }
  return max;
}

function peakInference(order: OpNode[], edges: PlainGraph['edges']): number {
  // Storage ids: an alias op's outputs share the storage of its first input's producer.
  const inEdges = new Map<string, PlainGraph['edges']>();
  for (const e of edges) (inEdges.get(e.target) ?? inEdges.set(e.target, []).get(e.target)!).push(e);
  const storage = new Map<string, string>(); // `${node}:${output}` → storage key
  const size = new Map<string, number>();
  const stepOf = new Map(order.map((n, i) => [n.id, i]));
  const lastUse = new Map<string, number>();
  const born = new Map<string, number>();
  const keyOf = (node: string, out: number): string => storage.get(`${node}:${out}`) ?? `${node}:${out}`;
  for (const n of order) {
    const step = stepOf.get(n.id)!;
    const ins = (inEdges.get(n.id) ?? []).slice().sort((a, b) => a.dstInput - b.dstInput);
    for (const e of ins) {
      const k = keyOf(e.source, e.srcOutput);
      lastUse.set(k, Math.max(lastUse.get(k) ?? -1, step));
    }
    if (n.kind === 'output' || n.category === 'output') {
      for (const e of ins) lastUse.set(keyOf(e.source, e.srcOutput), order.length);
      continue;
    }
    const alias = isAlias(n) && ins.length > 0 && n.kind !== 'input';
    n.outputShapes.forEach((s, i) => {
      if (alias) {
        storage.set(`${n.id}:${i}`, keyOf(ins[0].source, ins[0].srcOutput));
        return;
      }
      const k = `${n.id}:${i}`;
      size.set(k, (numelOf(s) ?? 0) * ACTIVATION_BYTES);
      born.set(k, step);
      if (!lastUse.has(k)) lastUse.set(k, step);
    });
  }
  const events: { t: number; d: number }[] = [];
  for (const [k, b] of size) {
    const start = born.get(k)!;
    const end = Math.max(lastUse.get(k) ?? start, start);
    events.push({ t: start, d: b }, { t: end + 0.5, d: -b });
  }
  // Allocation at a step happens before frees after that step: +b at t, −b at end+0.5.
  events.sort((a, b) => a.t - b.t || b.d - a.d);
  let cur = 0;
  let peak = 0;
  for (const e of events) {
    cur += e.d;
    peak = Math.max(peak, cur);
  }
  return peak;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) {
    const k = key(it);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Every static metric of a graph (pure). */
export function computeStaticMetrics(graph: ArchGraph | ArchGraphJson): StaticMetrics {
  const g = plain(graph);
  const { attrs } = g;
  const order = executionOrder(g);
  const ops = order.filter((n) => !isMarker(n));

  // Parameters and buffers: each module's own tensors (named_modules() lists a module once, so a module
  // called twice counts once, as in `model.parameters()`); the state_dict when no module lists any.
  const allTensors = new Map<string, ParamTensor>();
  for (const m of attrs.modules ?? []) for (const t of m.params) if (!allTensors.has(t.name)) allTensors.set(t.name, t);
  if (allTensors.size === 0) for (const t of attrs.stateDict ?? []) allTensors.set(t.name, t);
  let totalParams = 0;
  let trainableParams = 0;
  let bufferElements = 0;
  let paramBytes = 0;
  let stateDictBytes = 0;
  for (const t of allTensors.values()) {
    const k = paramNumel(t);
    if (t.role === 'parameter') {
      totalParams += k;
      if (t.trainable) trainableParams += k;
    } else bufferElements += k;
    paramBytes += k * dtypeBytes(t.dtype);
    if (t.role === 'parameter' || t.persistent) stateDictBytes += k * dtypeBytes(t.dtype);
  }

  let macs = 0;
  let macsExact = true;
  for (const n of ops) {
    macs += n.macs || 0;
    if (!n.macsExact) macsExact = false;
  }

  let totalBytes = 0;
  let actExact = true;
  for (const n of ops) {
    const b = outputBytes(n);
    totalBytes += b.bytes;
    if (!b.exact) actExact = false;
  }
  const inputBytes = (numelOf(attrs.inputShape ?? []) ?? 0) * ACTIVATION_BYTES;
  if (numelOf(attrs.inputShape ?? []) === null) actExact = false;

  // Depth.
  const moduleHasParams = new Map<string, boolean>();
  for (const m of attrs.modules ?? []) moduleHasParams.set(m.path, m.params.some((p) => p.role === 'parameter'));
  const parameterised = (n: OpNode): boolean =>
    n.params.some((p) => p.role === 'parameter') || (n.kind === 'module' && moduleHasParams.get(n.modulePath) === true);
  const depth: Depth = {
    parameterised: longestPath(order, g.edges, (n) => (!isMarker(n) && parameterised(n) ? 1 : 0)),
    ops: longestPath(order, g.edges, (n) => (isMarker(n) ? 0 : 1)),
  };

  return {
    entry: attrs.entry,
    modelType: attrs.modelType,
    inputShape: attrs.inputShape,
    outputShape: attrs.outputShape,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    bufferElements,
    paramBytes,
    stateDictBytes,
    macs,
    macsExact,
    activation: { totalBytes, inputBytes, peakInferenceBytes: peakInference(order, g.edges), exact: actExact },
    depth,
    categoryCounts: countBy(ops, (n) => n.category),
    opCounts: countBy(ops, (n) => n.op),
    numOps: ops.length,
    layers: layerFigures(g, order),
    partial: attrs.partial,
  };
}

/** '' and every dotted prefix of a module path, the path itself included: 'a.b' → ['', 'a', 'a.b']. */
function ancestors(path: string): string[] {
  if (path === '') return [''];
  const parts = path.split('.');
  const out = [''];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

/** Per-module figures in O((nodes + edges + tensors) × depth): each item is added to its module's ancestors. */
function layerFigures(g: PlainGraph, order: OpNode[]): LayerFigures[] {
  const modules: ModuleInfo[] = g.attrs.modules ?? [];
  interface Acc { params: number; trainable: number; macs: number; macsExact: boolean; act: number; calls: OpNode[]; inside: number;
    leaving: { at: number; shape: TensorShape | null } | null }
  const acc = new Map<string, Acc>();
  for (const m of modules) acc.set(m.path, { params: 0, trainable: 0, macs: 0, macsExact: true, act: 0, calls: [], inside: 0, leaving: null });
  const up = (path: string, f: (a: Acc) => void): void => {
    for (const p of ancestors(path)) {
      const a = acc.get(p);
      if (a) f(a);
    }
  };

  // Parameters: each tensor once (by name), counted in its module and every ancestor.
  const seen = new Set<string>();
  for (const m of modules) {
    for (const t of m.params) {
      if (t.role !== 'parameter' || seen.has(t.name)) continue;
      seen.add(t.name);
      const k = paramNumel(t);
      up(m.path, (a) => { a.params += k; if (t.trainable) a.trainable += k; });
    }
  }

  const stepOf = new Map<string, number>();
  order.forEach((n, i) => stepOf.set(n.id, i));
  const pathOf = new Map<string, string | null>();
  for (const n of order) {
    pathOf.set(n.id, isMarker(n) ? null : n.modulePath);
    if (isMarker(n)) continue;
    const bytes = outputBytes(n).bytes;
    up(n.modulePath, (a) => {
      a.macs += n.macs || 0;
      if (!n.macsExact) a.macsExact = false;
      a.act += bytes;
      a.inside++;
    });
    if (n.kind === 'module') acc.get(n.modulePath)?.calls.push(n);
  }

  // The last tensor (in execution order) leaving each module's subtree.
  g.edges.forEach((e) => {
    const src = pathOf.get(e.source);
    if (src === undefined || src === null) return;
    const dst = pathOf.get(e.target);
    const inDst = new Set(dst === undefined || dst === null ? [] : ancestors(dst));
    const at = stepOf.get(e.source) ?? 0;
    const shape = e.shape ?? order[at]?.outputShapes[e.srcOutput] ?? null;
    for (const p of ancestors(src)) {
      if (inDst.has(p)) continue;
      const a = acc.get(p);
      if (a && (!a.leaving || at >= a.leaving.at)) a.leaving = { at, shape };
    }
  });

  return modules.map((m) => {
    const a = acc.get(m.path)!;
    const ownParams = m.params.filter((t) => t.role === 'parameter').reduce((s, t) => s + paramNumel(t), 0);
    const lastCall = a.calls.length ? a.calls[a.calls.length - 1].outputShapes[0] ?? null : null;
    let outputShape: TensorShape | null;
    if (m.path === '') outputShape = g.attrs.outputShape;
    else if (a.calls.length && (m.isLeaf || m.children.length === 0 || a.inside === 0)) outputShape = lastCall;
    else outputShape = a.leaving?.shape ?? lastCall;
    return {
      path: m.path, type: m.type, level: m.path === '' ? 0 : m.path.split('.').length, isLeaf: m.isLeaf,
      params: a.params, trainableParams: a.trainable, ownParams, macs: a.macs, macsExact: a.macsExact,
      calls: a.calls.length, outputShape, activationBytes: a.act,
    };
  });
}

// ---- Human figures (titles, tables) ----

function trim(x: number): string {
  const s = Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** 11_173_962 → "11.2M", 4_800 → "4.8K", 950 → "950", 1.5e9 → "1.5B". */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}B`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}K`;
  return String(Math.round(n));
}

/** 556_651_530 → "0.56 GMACs" (GMACs from 1e8 up), 1.2e6 → "1.2 MMACs", 4_500 → "4.5 KMACs", 950 → "950 MACs". */
export function formatMacs(n: number): string {
  if (n >= 1e8) return `${trim(n / 1e9)} GMACs`;
  if (n >= 1e5) return `${trim(n / 1e6)} MMACs`;
  if (n >= 1e3) return `${trim(n / 1e3)} KMACs`;
  return `${Math.round(n)} MACs`;
}

/** 1536 → "1.5 KiB", 3_145_728 → "3 MiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${trim(v)} ${units[i]}`;
}

/** `[1, 10]`, with `?` for unknown dimensions. */
export function formatShape(s: TensorShape | null | undefined): string {
  return s ? `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '?';
}

/** The CodeLens title: "11.2M params · 0.56 GMACs", with "≥" where a figure is a lower bound. */
export function staticTitle(m: Pick<StaticMetrics, 'totalParams' | 'macs' | 'macsExact' | 'partial'>): string {
  const lp = m.partial ? '≥' : '';
  const lm = m.partial || !m.macsExact ? '≥' : '';
  return `${lp}${formatCount(m.totalParams)} params · ${lm}${formatMacs(m.macs)}`;
}
