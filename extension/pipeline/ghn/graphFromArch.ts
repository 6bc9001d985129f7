/**
 * The GHN graph of a model, built from its ArchGraph exactly as ppuda's `Graph` builds it from a live
 * PyTorch model (doc §3), plus the node → parameter matching of `GHN._map_net_params` (doc §4).
 *
 * ppuda traces autograd: it runs the model once and walks `grad_fn.next_functions`. We emulate the autograd
 * graph torch 1.13 would record for each op of the ArchGraph (which backward function, with which inputs in
 * which order), then run the very same traversal, Linear fix-up, input node, networkx-2.8 topological sort,
 * filtering passes, virtual edges and features on it.
 */
import type { ArchGraph, OpNode, ParamTensor } from '../arch/types';
import type { GhnGraph, GhnNode, PredictTarget } from './graph';
import { PRIM, type Primitive } from './primitives';
import { shapeKey } from './shapes';

// ---------------------------------------------------------------------------------------------------
// Emulated autograd

/** An AccumulateGrad of one parameter (a leaf). */
interface Leaf {
  kind: 'leaf';
  param: string;
  shape: number[];
  moduleType: string;
  modulePath: string;
  moduleAttrs: Record<string, unknown>;
}

/** A backward function. */
interface Fn {
  kind: 'fn';
  name: string;
  /** Saved attributes as ppuda's `get_attr` would print them; null when none are saved. */
  attrs: Record<string, string>;
  next: (Fn | Leaf | null)[];
}

type GradFn = Fn | Leaf | null;

/** Modules ppuda knows (`MODULES`, exact type match). */
const SUPPORTED_MODULES: Record<string, (m: Leaf) => Primitive> = {
  Conv2d: (m) => convName(m),
  Linear: (m) => convName(m),
  BatchNorm2d: () => 'bn',
  LayerNorm: () => 'ln',
  LayerNorm2d: () => 'ln',
  PosEnc: () => 'pos_enc',
};
const NORM_LAYERS = new Set(['BatchNorm2d', 'LayerNorm', 'LayerNorm2d', 'BatchNorm2dLight', 'LayerNormLight']);
const FN_PRIMITIVES: Record<string, Primitive> = {
  input: 'input', Mean: 'glob_avg', AdaptiveAvgPool2D: 'glob_avg', MaxPool2DWithIndices: 'max_pool', AvgPool2D: 'avg_pool',
  Clone: 'msa', Mul: 'cse', Add: 'sum', Cat: 'concat',
};

function asList(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'number') return [v];
  return [];
}

function convName(m: Leaf): Primitive {
  if (m.param.includes('bias')) return 'bias';
  const groups = Number(m.moduleAttrs.groups ?? 1);
  if (m.moduleType === 'Conv2d' && groups > 1) {
    const dil = asList(m.moduleAttrs.dilation ?? 1);
    return Math.min(...(dil.length ? dil : [1])) > 1 ? 'dil_conv' : 'sep_conv';
  }
  return 'conv';
}

const ACTIVATION_FNS: Record<string, string> = {
  relu: 'ReluBackward0', ReLU: 'ReluBackward0', relu_: 'ReluBackward0', gelu: 'GeluBackward0', GELU: 'GeluBackward0',
  sigmoid: 'SigmoidBackward0', Sigmoid: 'SigmoidBackward0', tanh: 'TanhBackward0', Tanh: 'TanhBackward0',
  softmax: 'SoftmaxBackward0', Softmax: 'SoftmaxBackward0', log_softmax: 'LogSoftmaxBackward0', LogSoftmax: 'LogSoftmaxBackward0',
  silu: 'SiluBackward0', SiLU: 'SiluBackward0', hardswish: 'HardswishBackward0', Hardswish: 'HardswishBackward0',
  hardsigmoid: 'HardsigmoidBackward0', Hardsigmoid: 'HardsigmoidBackward0', leaky_relu: 'LeakyReluBackward0', LeakyReLU: 'LeakyReluBackward0',
  elu: 'EluBackward0', ELU: 'EluBackward0', relu6: 'HardtanhBackward0', ReLU6: 'HardtanhBackward0', hardtanh: 'HardtanhBackward0',
  Hardtanh: 'HardtanhBackward0', mish: 'MishBackward0', Mish: 'MishBackward0', softplus: 'SoftplusBackward0', Softplus: 'SoftplusBackward0',
  view: 'ViewBackward0', reshape: 'ViewBackward0', flatten: 'ViewBackward0', Flatten: 'ViewBackward0', permute: 'PermuteBackward0',
  transpose: 'TransposeBackward0', t: 'TBackward0', squeeze: 'SqueezeBackward1', unsqueeze: 'UnsqueezeBackward0',
  getitem: 'SliceBackward0', chunk: 'SplitBackward0', split: 'SplitBackward0', expand: 'ExpandBackward0', sum: 'SumBackward1',
  sub: 'SubBackward0', div: 'DivBackward0', matmul: 'MmBackward0', bmm: 'BmmBackward0', pad: 'ConstantPadNdBackward0',
  interpolate: 'UpsampleNearest2DBackward0', Upsample: 'UpsampleNearest2DBackward0', neg: 'NegBackward0', pow: 'PowBackward0',
  exp: 'ExpBackward0', sqrt: 'SqrtBackward0', max: 'MaxBackward0', amax: 'AmaxBackward0', std: 'StdBackward0',
};
/** Substrings ppuda's filters and primitive table react to; a made-up name must not contain them by accident. */
const RESERVED = ['Mul', 'Clone', 'Mean', 'Add', 'Cat', 'Hard', 'Softmax', 'AdaptiveAvgPool2D', 'MaxPool2DWithIndices', 'AvgPool2D', 'bias', 'input'];

function genericFnName(op: string): string {
  if (ACTIVATION_FNS[op]) return ACTIVATION_FNS[op];
  const pascal = op.replace(/(^|_)([a-z0-9])/g, (_, _u, c: string) => c.toUpperCase());
  const name = `${pascal}Backward0`;
  return RESERVED.some((r) => name.includes(r)) ? `Op${pascal.replace(/Mul|Clone|Mean|Add|Cat|Hard|Softmax|bias|input/gi, 'X')}Backward0` : name;
}

function kernelString(v: unknown, n = 2): string | undefined {
  const k = asList(v);
  if (!k.length) return undefined;
  const full = k.length === 1 ? new Array(n).fill(k[0]) : k;
  return `(${full.join(', ')})`;
}

export interface GraphBuildResult {
  graph: GhnGraph;
  /** Human-readable notes (unsupported layers, departures from the reference). */
  warnings: string[];
}

/** Emulates the autograd graph of the model's forward pass; returns the output's grad_fn. */
/** Functional ops that use their module's own weight/bias (e.g. torchvision's LayerNorm2d calls F.layer_norm). */
const FUNCTIONAL_WITH_MODULE_PARAMS = new Set(['layer_norm', 'batch_norm', 'group_norm', 'linear', 'conv1d', 'conv2d', 'conv3d', 'instance_norm']);

function emulateAutograd(arch: ArchGraph): GradFn {
  const leaves = new Map<string, Leaf>();
  const moduleByPath = new Map(arch.getAttribute('modules').map((m) => [m.path, m]));
  const grads = new Map<string, GradFn[]>(); // node id → grad_fn per output
  let outputFn: GradFn = null;
  const order = arch.nodes();
  for (const id of order) {
    const n = arch.getNodeAttributes(id) as OpNode;
    const ins: GradFn[] = new Array(n.inputShapes.length).fill(null);
    for (const e of arch.inEdges(id)) {
      const a = arch.getEdgeAttributes(e);
      const src = arch.source(e);
      const g = grads.get(src)?.[a.srcOutput] ?? null;
      if (a.dstInput >= ins.length) ins.length = a.dstInput + 1;
      ins[a.dstInput] = g;
    }
    for (let i = 0; i < ins.length; i++) if (ins[i] === undefined) ins[i] = null;
    const nOut = Math.max(1, n.outputShapes.length);
    const set = (g: GradFn): void => { grads.set(id, new Array(nOut).fill(g)); };
    if (n.kind === 'input') { set(null); continue; }
    if (n.kind === 'output') { outputFn = ins[0] ?? null; continue; }

    let moduleType = n.moduleType ?? n.op;
    let params = n.params;
    if (n.kind !== 'module' && !params.length && FUNCTIONAL_WITH_MODULE_PARAMS.has(n.op)) {
      const m = moduleByPath.get(n.modulePath);
      if (m && m.params.some((p) => p.role === 'parameter')) { params = m.params; moduleType = m.type; }
    }
    const leaf = (suffix: string): Leaf | null => {
      const p = params.find((q: ParamTensor) => q.role === 'parameter' && q.trainable && q.name.endsWith(`.${suffix}`) && q.name.slice(0, -suffix.length - 1) === n.modulePath)
        ?? params.find((q: ParamTensor) => q.role === 'parameter' && q.trainable && q.name.split('.').pop() === suffix);
      if (!p) return null;
      let l = leaves.get(p.name);
      if (!l) {
        l = { kind: 'leaf', param: p.name, shape: p.shape, moduleType, modulePath: n.modulePath, moduleAttrs: n.attrs };
        leaves.set(p.name, l);
      }
      return l;
    };
    const anyGrad = (xs: GradFn[]): boolean => xs.some((x) => x !== null);
    const fn = (name: string, next: GradFn[], attrs: Record<string, string> = {}): GradFn =>
      (anyGrad(next) ? { kind: 'fn', name, attrs, next } : null);
    const x = ins[0] ?? null;
    const op = n.op;
    const w = leaf('weight');
    const b = leaf('bias');
    const inRank = n.inputShapes[0]?.length ?? 0;

    switch (op) {
      case 'Conv1d': case 'Conv2d': case 'Conv3d': case 'ConvTranspose1d': case 'ConvTranspose2d': case 'ConvTranspose3d':
      case 'conv1d': case 'conv2d': case 'conv3d':
        set(fn('ConvolutionBackward0', [x, w, b]));
        break;
      case 'Linear': case 'linear': case 'NonDynamicallyQuantizableLinear': {
        const tw = w ? fn('TBackward0', [w]) : null;
        if (inRank === 2 && b) set(fn('AddmmBackward0', [b, x, tw]));
        else if (inRank === 2) set(fn('MmBackward0', [x, tw]));
        else if (inRank === 3 && b) set(fn('ViewBackward0', [fn('AddmmBackward0', [b, fn('ViewBackward0', [x]), tw])]));
        else {
          const mm = fn('UnsafeViewBackward0', [fn('MmBackward0', [fn('ViewBackward0', [x]), tw])]);
          set(b ? fn('AddBackward0', [mm, b]) : mm);
        }
        break;
      }
      case 'BatchNorm1d': case 'BatchNorm2d': case 'BatchNorm3d': case 'SyncBatchNorm': case 'batch_norm':
        set(fn('NativeBatchNormBackward0', [x, w, b]));
        break;
      case 'LayerNorm': case 'LayerNorm2d': case 'layer_norm':
        set(fn('NativeLayerNormBackward0', [x, w, b]));
        break;
      case 'GroupNorm': case 'group_norm':
        set(fn('NativeGroupNormBackward0', [x, w, b]));
        break;
      case 'MaxPool2d': case 'max_pool2d': {
        const k = kernelString(n.attrs.kernel_size);
        set(fn('MaxPool2DWithIndicesBackward0', [x], k ? { kernel_size: k } : {}));
        break;
      }
      case 'AvgPool2d': case 'avg_pool2d': {
        const k = kernelString(n.attrs.kernel_size);
        set(fn('AvgPool2DBackward0', [x], k ? { kernel_size: k } : {}));
        break;
      }
      case 'AdaptiveAvgPool2d': case 'adaptive_avg_pool2d': {
        // torch 1.13: output size 1×1 is computed as mean(dim=(-1,-2), keepdim=True).
        const os = asList(n.attrs.output_size);
        const outShape = n.outputShapes[0] ?? [];
        const toOne = os.length ? os.every((v) => v === 1) : outShape.length >= 2 && outShape.slice(-2).every((v) => v === 1);
        set(toOne ? fn('MeanBackward1', [x], { keepdim: 'True' }) : fn('AdaptiveAvgPool2DBackward0', [x]));
        break;
      }
      case 'mean': {
        const hasDim = n.attrs.dim !== undefined && n.attrs.dim !== null;
        let keep: boolean;
        if (typeof n.attrs.keepdim === 'boolean') keep = n.attrs.keepdim;
        else keep = (n.outputShapes[0]?.length ?? 0) === inRank && inRank > 0;
        set(hasDim || keep ? fn('MeanBackward1', [x], { keepdim: keep ? 'True' : 'False' }) : fn('MeanBackward0', [x]));
        break;
      }
      case 'add': case 'iadd': case '__add__': case '__iadd__': case 'radd':
        set(ins.length >= 2 ? fn('AddBackward0', ins.slice(0, 2)) : fn('AddBackward1', [x]));
        break;
      case 'mul': case 'imul': case '__mul__': case '__imul__':
        set(ins.length >= 2 ? fn('MulBackward0', ins.slice(0, 2)) : fn('MulBackward1', [x]));
        break;
      case 'cat': case 'concat': case 'concatenate':
        set(fn('CatBackward0', ins));
        break;
      case 'Dropout': case 'dropout': case 'Dropout2d': case 'dropout2d': case 'AlphaDropout': {
        // On CPU in training mode torch 1.13 computes dropout as input * mask: a MulBackward0.
        const p = Number(n.attrs.p ?? 0.5);
        set(p > 0 ? fn('MulBackward0', [x, null]) : x);
        break;
      }
      case 'Identity': case 'identity': case 'contiguous': case 'detach_passthrough': case 'to': case 'float': case 'type_as':
        set(x);
        break;
      case 'clone':
        set(fn('CloneBackward0', [x]));
        break;
      default: {
        const own = [w, b].filter((l): l is Leaf => l !== null);
        const extra = params.filter((p) => p.role === 'parameter' && p.trainable && !own.some((l) => l.param === p.name));
        for (const p of extra) {
          let l = leaves.get(p.name);
          if (!l) { l = { kind: 'leaf', param: p.name, shape: p.shape, moduleType, modulePath: n.modulePath, moduleAttrs: n.attrs }; leaves.set(p.name, l); }
          own.push(l);
        }
        const name = genericFnName(op);
        set(fn(name, [...ins, ...own]));
      }
    }
  }
  return outputFn;
}

// ---------------------------------------------------------------------------------------------------
// ppuda's Graph

interface TNode {
  id: Fn | Leaf | 'input' | 'sum_pos_enc';
  paramName: string;
  attrs: Record<string, string> | null;
  size: number[] | null;
  leaf: Leaf | null;
}

/** networkx ≥ 2.6 `topological_sort`: Kahn's algorithm generation by generation (doc §3.3). */
function topoGenerations(n: number, adj: Uint8Array): number[] {
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (adj[i * n + j]) indeg[j]++;
  let gen: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) gen.push(i);
  const out: number[] = [];
  while (gen.length) {
    const next: number[] = [];
    for (const u of gen) {
      for (let v = 0; v < n; v++) if (adj[u * n + v] && --indeg[v] === 0) next.push(v);
    }
    out.push(...gen);
    gen = next;
  }
  if (out.length !== n) throw new Error('GHN graph: the traced graph has a cycle');
  return out;
}

// The O(n²) passes over the dense adjacency matrix are top-level functions: inside ghnGraphFromArch (called
// once per prediction) they ran as on-stack-replaced code specialised to one call, re-optimised after every
// GC, and the graph stage took 2-6× its warm time.

/** B[a, b] = A[idx[a], idx[b]] (m = idx.length). */
function reorder(A: Uint8Array, n: number, idx: readonly number[]): Uint8Array<ArrayBuffer> {
  const m = idx.length;
  const B = new Uint8Array(m * m);
  for (let a = 0; a < m; a++) {
    const ra = idx[a] * n;
    for (let b = 0; b < m; b++) B[a * m + b] = A[ra + idx[b]];
  }
  return B;
}

function inDegree(A: Uint8Array, n: number, j: number): number {
  let d = 0;
  for (let r = 0; r < n; r++) d += A[r * n + j] ? 1 : 0;
  return d;
}

/** Linear fix-up of weight node i: input → weight → bias (its successors' predecessors feed it instead). */
function linearFixup(A: Uint8Array, n: number, i: number): void {
  const outs: number[] = [];
  for (let j = 0; j < n; j++) if (A[i * n + j]) outs.push(j);
  for (const o of outs) {
    for (let r = 0; r < n; r++) if (A[r * n + o]) A[r * n + i] = 1;
    for (let r = 0; r < n; r++) A[r * n + o] = 0;
    A[i * n + o] = 1;
    A[i * n + i] = 0;
  }
}

/** Connects every predecessor of node i to every successor (other than itself), before i is dropped. */
function bypass(A: Uint8Array, n: number, i: number): void {
  for (let n1 = 0; n1 < n; n1++) {
    if (!A[i * n + n1]) continue;
    for (let n2 = 0; n2 < n; n2++) if (A[n2 * n + i] && n1 !== n2) A[n2 * n + n1] = 1;
  }
}

/** Edge weights: 1 for real edges, the shortest-path length (≤ veCutoff) for virtual ones; and which nodes reach the last. */
function virtualEdges(A: Uint8Array, n: number, veCutoff: number): { W: Int32Array; reachesLast: Uint8Array } {
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (A[a * n + b]) succ[a].push(b);
  const W = new Int32Array(n * n);
  for (let i = 0; i < n * n; i++) W[i] = A[i];
  const dist = new Int32Array(n);
  const reachesLast = new Uint8Array(n);
  const q = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    dist.fill(-1);
    dist[s] = 0;
    q[0] = s;
    let qn = 1;
    for (let h = 0; h < qn; h++) {
      const u = q[h];
      if (dist[u] >= Math.max(veCutoff, n)) continue;
      for (const v of succ[u]) if (dist[v] < 0) { dist[v] = dist[u] + 1; q[qn++] = v; }
    }
    if (dist[n - 1] >= 0) reachesLast[s] = 1;
    if (veCutoff > 1) for (let v = 0; v < n; v++) if (dist[v] > 0 && dist[v] <= veCutoff && W[s * n + v] === 0) W[s * n + v] = dist[v];
  }
  return { W, reachesLast };
}

function edgeTriples(W: Int32Array, n: number): Int32Array {
  let count = 0;
  for (let i = 0; i < n * n; i++) if (W[i]) count++;
  const e = new Int32Array(3 * count);
  let k = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (W[a * n + b]) { e[k++] = a; e[k++] = b; e[k++] = W[a * n + b]; }
  return e;
}

/** Builds the GHN graph of `arch` (doc §3). */
export function ghnGraphFromArch(arch: ArchGraph, opts: { veCutoff?: number } = {}): GraphBuildResult {
  const warnings: string[] = [];
  const veCutoff = opts.veCutoff ?? 50;
  const root = emulateAutograd(arch);
  if (!root) throw new Error('GHN graph: the model output does not depend on any parameter (nothing to predict)');

  // 3.1 traversal (pre-order DFS over next_functions, memoised)
  const nodes: TNode[] = [];
  const index = new Map<Fn | Leaf, number>();
  const edges: [number, number][] = [];
  const seen = new Map<Fn | Leaf, [number | null, string]>();
  const traverse = (f: Fn | Leaf): [number | null, string] => {
    const s = seen.get(f);
    if (s) return s;
    let nodeLink: number | null = null;
    let linkStart: number | null = null;
    if (f.kind === 'fn') {
      const leafNodes: Leaf[] = [];
      for (const u of f.next) {
        if (!u || u.kind !== 'leaf') continue;
        if (!SUPPORTED_MODULES[u.moduleType]) continue;
        if (NORM_LAYERS.has(u.moduleType) && u.param.includes('.bias')) continue;
        leafNodes.push(u);
      }
      const entries: { key: Fn | Leaf; name: string; attrs: Record<string, string> | null; size: number[] | null; leaf: Leaf | null }[] =
        leafNodes.length ? leafNodes.map((l) => ({ key: l, name: l.param, attrs: null, size: l.shape, leaf: l }))
          : [{ key: f, name: f.name, attrs: f.attrs, size: null, leaf: null }];
      for (const e of entries) {
        let idx = index.get(e.key);
        if (idx === undefined) {
          // A parameter shared by two calls would be listed twice by ppuda (and then trip its assertion);
          // we keep one node.
          idx = nodes.length;
          nodes.push({ id: e.key, paramName: e.name, attrs: e.attrs, size: e.size, leaf: e.leaf });
          index.set(e.key, idx);
        }
        nodeLink = idx;
        if (linkStart === null) linkStart = idx;
        seen.set(e.key, [idx, e.name]);
      }
    }
    const res: [number | null, string] = [nodeLink, f.kind === 'fn' ? f.name : 'AccumulateGrad'];
    seen.set(f, res);
    if (f.kind === 'fn') {
      for (const u of f.next) {
        if (!u) continue;
        const [link, name] = traverse(u);
        if (link !== null && link !== linkStart) edges.push(name.includes('bias') ? [linkStart!, link] : [link, linkStart!]);
      }
    }
    return res;
  };
  traverse(root);

  let n = nodes.length + 1;
  let A = new Uint8Array(n * n);
  for (const [s, d] of edges) A[s * n + d] = 1;
  // Linear fix-up: input → weight → bias.
  nodes.forEach((node, i) => {
    if (!node.leaf || node.leaf.moduleType !== 'Linear' || !node.paramName.includes('.weight')) return;
    linearFixup(A, n, i);
  });
  // 3.2 input node
  nodes.push({ id: 'input', paramName: 'input', attrs: null, size: null, leaf: null });
  const roots: number[] = [];
  for (let j = 0; j < n - 1; j++) if (inDegree(A, n, j) === 0) roots.push(j);
  if (roots.length !== 1) warnings.push(`${roots.length} nodes have no incoming edge (the reference asserts exactly one); the input feeds all of them`);
  for (const j of roots) A[(n - 1) * n + j] = 1;
  for (let i = 0; i < n; i++) A[i * n + i] = 0;
  // 3.3 order
  const ord = topoGenerations(n, A);
  let cur = ord.map((i) => nodes[i]);
  A = reorder(A, n, ord);
  // 3.4 positional encodings: a sum node right after each pos_enc
  for (let i = 0; i < cur.length; i++) {
    if (cur[i].leaf?.moduleType !== 'PosEnc') continue;
    // np.insert(A, i, 0, axis=0/1) then A[i, i+1] = 1 (ppuda's exact, if odd, rewiring)
    const m = n + 1;
    const B = new Uint8Array(m * m);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) B[(a < i ? a : a + 1) * m + (b < i ? b : b + 1)] = A[a * n + b];
    B[i * m + i + 1] = 1;
    A = B;
    n = m;
    cur.splice(i + 1, 0, { id: 'sum_pos_enc', paramName: 'AddBackward0', attrs: null, size: null, leaf: null });
    i++;
  }

  // 3.5 filtering
  const baseName = (p: string): string => { const k = p.indexOf('Backward'); return k < 0 ? p : p.slice(0, k); };
  const unsupported = new Set<string>();
  for (const node of cur) {
    const supportedModule = node.leaf !== null && SUPPORTED_MODULES[node.leaf.moduleType] !== undefined;
    if (!supportedModule && FN_PRIMITIVES[baseName(node.paramName)] === undefined) unsupported.add(node.paramName);
  }
  const patterns = ['Mul', 'Clone', ...unsupported, 'Mean', 'Add', 'Cat'];
  for (const pattern of patterns) {
    const keepIdx: number[] = [];
    for (let i = 0; i < cur.length; i++) {
      const node = cur[i];
      const name = node.paramName;
      let keep = true;
      if (name.includes(pattern)) {
        keep = false;
        if (name.startsWith('Mean')) {
          if (node.attrs && 'keepdim' in node.attrs) keep = node.attrs.keepdim === 'True';
          else keep = i < cur.length - 1 && !cur[i + 1].paramName.startsWith('cells.');
        } else if (name.startsWith('Mul')) keep = i >= 2 && cur[i - 2].paramName.startsWith('Hard');
        else if (name.startsWith('Clone')) keep = cur[(i - 11 + cur.length) % cur.length]?.paramName.startsWith('Softmax') ?? false;
        else if (name.startsWith('Cat') || name.startsWith('Add')) keep = inDegree(A, n, i) > 1;
        if (!keep) bypass(A, n, i);
      }
      if (keep) keepIdx.push(i);
    }
    if (keepIdx.length < n) {
      A = reorder(A, n, keepIdx);
      n = keepIdx.length;
      cur = keepIdx.map((i) => cur[i]);
    }
  }

  // 3.6 virtual edges: BFS shortest paths over real edges, cutoff veCutoff
  const { W, reachesLast } = virtualEdges(A, n, veCutoff);
  for (let s = 0; s < n; s++) if (!reachesLast[s]) warnings.push(`node ${s} (${cur[s].paramName}) does not reach the output (the reference asserts it does)`);

  // 3.7 features
  const gnodes: GhnNode[] = cur.map((node) => {
    let prim: Primitive;
    let shape: number[] | null = null;
    if (node.leaf && SUPPORTED_MODULES[node.leaf.moduleType]) {
      prim = SUPPORTED_MODULES[node.leaf.moduleType](node.leaf);
      shape = node.size;
    } else {
      prim = FN_PRIMITIVES[baseName(node.paramName)] ?? 'input';
      if (prim === 'max_pool' || prim === 'avg_pool') {
        const k = node.attrs?.kernel_size;
        shape = k ? [1, 1, ...k.split(',').map((a) => parseInt(a.replace(/[() ]/g, ''), 10)).filter((v) => !Number.isNaN(v))] : [1, 1, 3, 3];
      }
    }
    const g: GhnNode = { op: PRIM[prim], name: node.paramName, shape };
    if (node.leaf) { g.infoName = node.paramName; g.module = node.leaf.modulePath; }
    else if (prim === 'max_pool' || prim === 'avg_pool') g.infoName = prim;
    return g;
  });
  return { graph: { nodes: gnodes, edges: edgeTriples(W, n) }, warnings };
}

// ---------------------------------------------------------------------------------------------------
// §4 matching

export interface MatchResult {
  targets: PredictTarget[];
  /** state_dict parameters no node predicts (pruned by the reference; kept at their init here). */
  notPredicted: string[];
}

/**
 * `named_layered_modules` + `_map_net_params`: which node predicts which parameter, with shape keys.
 * `maxShape` is the GHN's max_shape.
 */
export function matchParams(arch: ArchGraph, graph: GhnGraph, maxShape: readonly number[]): MatchResult {
  const attrs = arch.getAttributes();
  interface Entry { param: string; shape: number[]; isWeight: boolean; module: string; moduleType: string; bias?: string }
  const lookup = new Map<string, Entry>();
  for (const m of attrs.modules) {
    const w = m.params.find((p) => p.name === (m.path ? `${m.path}.weight` : 'weight'));
    const b = m.params.find((p) => p.name === (m.path ? `${m.path}.bias` : 'bias'));
    const key = (s: string): string => `${m.path}.${s}`;
    if (w) lookup.set(key('weight'), { param: w.name, shape: w.shape, isWeight: true, module: m.path, moduleType: m.type, bias: b?.name });
    if (b) lookup.set(key('bias'), { param: b.name, shape: b.shape, isWeight: false, module: m.path, moduleType: m.type });
  }
  const N = graph.nodes.length;
  const targets: PredictTarget[] = [];
  const done = new Set<string>();
  graph.nodes.forEach((node, i) => {
    if (!node.infoName) return;
    const name = /(\.weight|\.bias|in_proj_weight|in_proj_bias)$/.test(node.infoName) ? node.infoName : `${node.infoName}.weight`;
    const m = lookup.get(name);
    if (!m || done.has(m.param)) return;
    const key = shapeKey(m.shape, maxShape, i === N - 2, i === N - 1);
    targets.push({ node: i, param: m.param, shape: m.shape, isWeight: m.isWeight, key });
    done.add(m.param);
    // BN/LN nodes predict the bias of their module from the same node.
    const prim = node.op;
    if ((prim === PRIM.bn || prim === PRIM.ln) && m.bias) {
      const bb = lookup.get(`${m.module}.bias`)!;
      targets.push({ node: i, param: bb.param, shape: bb.shape, isWeight: false, key });
      done.add(bb.param);
    }
  });
  const notPredicted = attrs.stateDict.filter((p) => p.role === 'parameter' && !done.has(p.name)).map((p) => p.name);
  return { targets, notPredicted };
}
