/**
 * The torch side of the interpreter: `torch.*` namespaces, nn.Module semantics (attribute registration in
 * PyTorch's order, containers, buffers, parameters), catalogue layers and functions, and the recorder that
 * turns `forward` into OpNodes and TensorEdges.
 */
import type { OpCategory, OpNode, ParamTensor, SourceLocation, TensorEdge, TensorShape } from '../arch/types';
import { bindArgs, findFunction, findLayer, moduleArg } from '../torchnn';
import { ShapeError, type ArgSpec, type BoundArgs, type CatValue, type LayerSpec, type OutTree } from '../torchnn/types';
import { bi, deepCopy, type BuiltinEnv } from './builtins';
import { PyError } from './errors';
import { Interp, sliceBounds } from './interp';
import { locOf, nodeText, type PNode } from './parse';
import {
  UNKNOWN, dictFrom, isModuleInstance, isTensor, list, opaque, repr, tuple,
  type Args, type ModuleData, type PyClass, type PyInstance, type Tensor, type TorchNs, type Value,
} from './values';

export interface EdgeRec { source: string; target: string; attr: TensorEdge }

/** Collects the forward graph. */
export class Recorder {
  nodes: OpNode[] = [];
  edges: EdgeRec[] = [];
  active = false;
  pathStack: string[] = [''];

  get path(): string { return this.pathStack[this.pathStack.length - 1]; }

  add(node: Omit<OpNode, 'id' | 'inputShapes' | 'outputShapes'>, inputs: Tensor[], outputShapes: TensorShape[]): string {
    const id = `n${this.nodes.length}`;
    const full: OpNode = { id, ...node, inputShapes: inputs.map((t) => [...t.shape]), outputShapes };
    this.nodes.push(full);
    inputs.forEach((t, i) => {
      if (t.src) this.edges.push({ source: t.src.node, target: id, attr: { srcOutput: t.src.out, dstInput: i, shape: [...t.shape] } });
    });
    return id;
  }
}

const PASSTHROUGH_METHODS = new Set(['to', 'cuda', 'cpu', 'detach', 'contiguous', 'clone', 'type_as', 'requires_grad_', 'pin_memory', 'share_memory_', 'coalesce', 'detach_', 'retain_grad', 'cpu_', 'as_subclass']);
const INIT_METHODS = new Set(['normal_', 'uniform_', 'zero_', 'fill_', 'copy_', 'trunc_normal_', 'random_', 'bernoulli_', 'exponential_', 'kaiming_normal_', 'kaiming_uniform_', 'xavier_uniform_', 'xavier_normal_', 'orthogonal_', 'requires_grad_', 'fill_diagonal_', 'normal', 'uniform']);
const DTYPE_METHODS: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16', bfloat16: 'bfloat16', long: 'int64', int: 'int32', bool: 'bool', short: 'int16', byte: 'uint8', char: 'int8' };
const DTYPES: Record<string, string> = {
  float: 'float32', float32: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
  complex64: 'complex64', cfloat: 'complex64',
};
const NOOP_TORCH = new Set([
  'torch._assert', 'torch.manual_seed', 'torch.set_grad_enabled', 'torch.set_default_dtype', 'torch._C._log_api_usage_once',
  'torch.cuda.manual_seed', 'torch.cuda.manual_seed_all', 'torch.autograd.set_detect_anomaly', 'torch.backends.cudnn.benchmark',
]);
const IDENTITY_DECORATORS = new Set([
  'torch.jit.script', 'torch.jit.unused', 'torch.jit.ignore', 'torch.jit.export', 'torch.jit.script_method', 'torch.fx.wrap',
  'torch.no_grad', 'torch.inference_mode', 'torch.enable_grad', 'torch.cuda.amp.autocast', 'torch.autocast', 'torch.compile',
  'torch.jit.trace', 'torch.jit._overload_method', 'torch.jit._script_if_tracing',
]);
const FALSE_FUNCS = new Set(['torch.jit.is_scripting', 'torch.jit.is_tracing', 'torch.onnx.is_in_onnx_export', 'torch.cuda.is_available', 'torch._C._get_tracing_state', 'torch.is_grad_enabled', 'torch.backends.mps.is_available', 'torch.distributed.is_initialized', 'torch.distributed.is_available', 'torch.fx._symbolic_trace.is_fx_tracing']);
const TORCH_ALIASES: Record<string, string> = { 'torch.spmm': 'torch.mm', 'torch.sparse.mm': 'torch.mm', 'torch.nn.functional.upsample_bilinear': 'torch.nn.functional.interpolate', 'torch.concat': 'torch.cat', 'torch.concatenate': 'torch.cat' };
const CONV_TUPLE_ARGS = ['kernel_size', 'stride', 'padding', 'dilation', 'output_padding'];

export class TorchRuntime {
  rec = new Recorder();
  moduleBase: PyClass;
  tensorClass: PyClass;
  parameterClass: PyClass;
  containers: Record<string, PyClass> = {};
  layerClasses = new Map<string, PyClass>();
  /** Forward calls in progress per module, to catch runaway recursion. */
  training = false;

  constructor(private it: Interp, private env: () => BuiltinEnv) {
    const object = it.classes.object;
    const mk = (name: string, bases: PyClass[], torch?: PyClass['torch']): PyClass => {
      const c: PyClass = { kind: 'class', name, qualname: `torch.nn.${name}`, bases, mro: [], dict: new Map(), torch };
      c.mro = [c];
      for (const b of bases) for (const m of b.mro) if (!c.mro.includes(m)) c.mro.push(m);
      return c;
    };
    this.moduleBase = mk('Module', [object], 'Module');
    this.tensorClass = mk('Tensor', [object]);
    this.tensorClass.qualname = 'torch.Tensor';
    this.parameterClass = mk('Parameter', [this.tensorClass]);
    for (const n of ['Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict'] as const) {
      this.containers[n] = mk(n, [this.moduleBase], n);
    }
    this.installModuleMethods();
    this.installContainerMethods();
  }

  // ------------------------------------------------------------ conversions

  toCat(v: Value, depth = 0): CatValue {
    if (v === null || typeof v !== 'object') return v;
    if (depth > 6) return null;
    switch (v.kind) {
      case 'tensor': return v;
      case 'list': case 'tuple': return v.items.map((x) => this.toCat(x, depth + 1));
      case 'dict': {
        const entries: Record<string, CatValue> = {};
        for (const [k, x] of v.map.values()) entries[String(k)] = this.toCat(x, depth + 1);
        return { kind: 'dict', entries };
      }
      case 'unknown': return null;
      case 'opaque': return { kind: 'opaque', repr: v.repr, qualname: v.qualname };
      case 'torchns': return { kind: 'opaque', repr: v.path, qualname: v.path };
      case 'class': return { kind: 'opaque', repr: `class ${v.name}`, qualname: v.torch === 'layer' || v.torch === 'unknown' ? `torch.nn.${v.name}` : v.qualname };
      case 'instance':
        if (v.mod?.layer && v.mod.layerArgs) return moduleArg(v.mod.layer.type, v.mod.layerArgs);
        return { kind: 'opaque', repr: v.cls.name };
      case 'range': {
        const out: number[] = [];
        for (let i = v.start; v.step > 0 ? i < v.stop : i > v.stop; i += v.step) out.push(i);
        return out;
      }
      case 'slice': return { kind: 'opaque', repr: 'slice' };
      case 'ellipsis': return { kind: 'opaque', repr: 'Ellipsis' };
    }
    return { kind: 'opaque', repr: v.kind };
  }

  fromCat(v: CatValue): Value {
    if (v === undefined) return null;
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return tuple(v.map((x) => this.fromCat(x)));
    if (v.kind === 'tensor') return v as Tensor;
    if (v.kind === 'dict') return dictFrom(Object.entries(v.entries).map(([k, x]) => [k, this.fromCat(x)]));
    return opaque(v.repr, v.qualname);
  }

  catArgs(a: Args): { pos: CatValue[]; kw: Record<string, CatValue> } {
    const kw: Record<string, CatValue> = {};
    for (const [k, v] of a.kw) kw[k] = this.toCat(v);
    return { pos: a.pos.map((v) => this.toCat(v)), kw };
  }

  /** Turns an OutTree into values; tensors get `src` links to `node` when given. */
  outToValue(o: OutTree, node: string | undefined, counter: { i: number }, shapes: TensorShape[], dtype = 'float32'): Value {
    if (Array.isArray(o)) return tuple(o.map((x) => this.outToValue(x, node, counter, shapes, dtype)));
    const t: Tensor = { kind: 'tensor', shape: [...o.shape], dtype: o.dtype ?? dtype };
    shapes.push([...o.shape]);
    if (node !== undefined) t.src = { node, out: counter.i };
    counter.i++;
    return t;
  }

  flatShapes(o: OutTree, acc: TensorShape[] = []): TensorShape[] {
    if (Array.isArray(o)) for (const x of o) this.flatShapes(x, acc);
    else acc.push([...o.shape]);
    return acc;
  }

  tensorsIn(v0: unknown, acc: Tensor[] = [], depth = 0): Tensor[] {
    const v = v0 as any;
    if (v === null || v === undefined || typeof v !== 'object' || depth > 4) return acc;
    if (Array.isArray(v)) { for (const x of v) this.tensorsIn(x, acc, depth + 1); return acc; }
    if (v.kind === 'tensor') { acc.push(v as Tensor); return acc; }
    if (v.kind === 'list' || v.kind === 'tuple') for (const x of v.items) this.tensorsIn(x, acc, depth + 1);
    if (v.kind === 'dict' && 'entries' in v) for (const x of Object.values(v.entries as object)) this.tensorsIn(x, acc, depth + 1);
    if (v.kind === 'dict' && v.map instanceof Map) for (const [, x] of v.map.values()) this.tensorsIn(x, acc, depth + 1);
    return acc;
  }

  loc(node: PNode | undefined): SourceLocation | undefined {
    return node ? locOf(node) : undefined;
  }

  // ------------------------------------------------------------ torch functions

  /**
   * Calls a catalogue function. `self` is the tensor for method calls. Returns undefined when the
   * catalogue has no entry under any of the names.
   */
  callFunction(names: string[], kind: OpNode['kind'], a: Args, node: PNode | undefined, self?: Tensor): Value | undefined {
    let spec;
    for (const n of names) { spec = findFunction(n); if (spec) break; }
    if (!spec) return undefined;
    const { pos, kw } = this.catArgs(a);
    if (self) pos.unshift(self);
    const bound = bindArgs(spec.signature, pos, kw);
    if (bound.errors.length) {
      throw new PyError('TypeError', `${names[0]}(): ${bound.errors.join('; ')}`, node);
    }
    let out: OutTree;
    try {
      out = spec.forward(bound.args);
    } catch (e) {
      if (e instanceof ShapeError) throw new PyError('ShapeError', e.message, node);
      throw new PyError('Unsupported', `${names[0]}: ${(e as Error).message}`, node);
    }
    const inputs = this.tensorsIn(Object.values(bound.args));
    let macs: number | null = 0;
    try { macs = spec.macs ? spec.macs(bound.args, out) : 0; } catch { macs = null; }
    return this.emit(spec.op, spec.category, kind, inputs, out, node, { attrs: pickAttrs(bound.args, spec.signature), macs });
  }

  emit(op: string, category: OpCategory, kind: OpNode['kind'], inputs: Tensor[], out: OutTree, node: PNode | undefined,
    extra: { attrs?: Record<string, unknown>; macs?: number | null; modulePath?: string; moduleType?: string; params?: ParamTensor[]; defLoc?: SourceLocation; callIndex?: number }): Value {
    const shapes = this.flatShapes(out);
    let id: string | undefined;
    this.it.steps += 20;
    if (this.rec.active) {
      if (this.rec.nodes.length > 50000) throw new PyError('Unsupported', 'more than 50000 ops in forward', node);
      const n: Omit<OpNode, 'id' | 'inputShapes' | 'outputShapes'> = {
        op, category, kind, modulePath: extra.modulePath ?? this.rec.path, attrs: extra.attrs ?? {},
        params: extra.params ?? [], macs: extra.macs ?? 0, macsExact: extra.macs !== null && extra.macs !== undefined && Number.isFinite(extra.macs),
      };
      if (extra.moduleType) n.moduleType = extra.moduleType;
      const loc = this.loc(node);
      if (loc) n.loc = loc;
      if (extra.defLoc) n.defLoc = extra.defLoc;
      if (extra.callIndex !== undefined) n.callIndex = extra.callIndex;
      if (n.macs === null || !Number.isFinite(n.macs as number)) n.macs = 0;
      id = this.rec.add(n, inputs, shapes);
    }
    return this.outToValue(out, id, { i: 0 }, [], inputs[0]?.dtype ?? 'float32');
  }

  /** An op the catalogue does not know: a node with unknown output (or passthrough), and a diagnostic. */
  unknownOp(name: string, kind: OpNode['kind'], inputs: Tensor[], node: PNode | undefined, passthrough: boolean, extra: Parameters<TorchRuntime['emit']>[6] = {}): Value {
    const shape: TensorShape = passthrough && inputs[0] ? [...inputs[0].shape] : inputs[0] ? inputs[0].shape.map(() => null) : [null];
    this.it.diag('warning', 'unsupported-layer', `'${name}' is not in the layer catalogue: ${passthrough ? 'shape assumed unchanged' : 'output shape unknown'}`, node, !passthrough);
    return this.emit(name.split('.').pop()!, 'unknown', kind, inputs, { shape, dtype: inputs[0]?.dtype }, node, { ...extra, macs: null });
  }

  torchAttr(ns: TorchNs, name: string, _node: PNode | undefined): Value {
    const full = `${ns.path}.${name}`;
    const last = name;
    if (full === 'torch.Tensor' || full === 'torch.FloatTensor' || full === 'torch.LongTensor') return this.tensorClass;
    if (full === 'torch.nn.Parameter' || full === 'torch.nn.parameter.Parameter') return this.parameterClass;
    if (full === 'torch.Size') return this.it.builtins.get('tuple')!;
    if (full === 'torch.__version__') return '1.13.1';
    if (full === 'torch.nn.Module' || full.endsWith('.module.Module')) return this.moduleBase;
    if (ns.path.startsWith('torch.nn') && this.containers[last]) return this.containers[last];
    if (ns.path === 'torch' && DTYPES[last] && last !== 'int' && last !== 'float' && last !== 'bool') return opaque(`torch.${last}`, `torch.${DTYPES[last]}`);
    if (ns.path === 'torch' && (last === 'int' || last === 'float' || last === 'bool' || last === 'long' || last === 'half' || last === 'double')) return opaque(`torch.${last}`, `torch.${DTYPES[last]}`);
    if ((ns.path === 'torch.nn' || ns.path.startsWith('torch.nn.modules')) && /^[A-Z]/.test(last)) {
      return this.layerClass(last);
    }
    if (ns.path === 'torch.nn.init' || full.startsWith('torch.nn.init.')) {
      return bi(full, (a) => a.pos[0] ?? null);
    }
    if (full === 'torch.inf') return Infinity;
    if (full === 'torch.pi') return Math.PI;
    return { kind: 'torchns', path: full };
  }

  layerClass(type: string): PyClass {
    let c = this.layerClasses.get(type);
    if (c) return c;
    const spec = findLayer(type);
    c = { kind: 'class', name: type, qualname: `torch.nn.${type}`, bases: [this.moduleBase], mro: [], dict: new Map(), torch: spec ? 'layer' : 'unknown', layer: spec };
    c.mro = [c, ...this.moduleBase.mro];
    const cls = c;
    c.dict.set('__init__', bi('__init__', (a, n) => { this.initLayer(a.pos[0] as PyInstance, cls, { pos: a.pos.slice(1), kw: a.kw }, n); return null; }, true));
    c.dict.set('forward', bi('forward', (a, n) => this.layerForward(a.pos[0] as PyInstance, { pos: a.pos.slice(1), kw: a.kw }, n), true));
    if (type === 'Embedding' || type === 'EmbeddingBag') {
      // nn.Embedding.from_pretrained(embeddings, freeze=True, ...)
      c.dict.set('from_pretrained', { kind: 'classmethod', fn: bi('from_pretrained', (a, n) => {
        const k = a.pos[0] as PyClass;
        const t = a.pos[1] ?? a.kw.get('embeddings') ?? null;
        if (!isTensor(t) || t.shape.length !== 2) throw new PyError('ValueError', 'Embeddings parameter is expected to be 2-dimensional', n);
        const kw = new Map(a.kw);
        kw.delete('embeddings');
        const freeze = kw.get('freeze') ?? a.pos[2] ?? true;
        kw.delete('freeze');
        const inst = this.it.instantiate(k, { pos: [t.shape[0] ?? UNKNOWN, t.shape[1] ?? UNKNOWN], kw }, n) as PyInstance;
        const w = inst.mod?.params.get('weight');
        if (w?.param) w.param.trainable = freeze === false;
        return inst;
      }) });
    }
    this.layerClasses.set(type, c);
    return c;
  }

  private initLayer(inst: PyInstance, cls: PyClass, a: Args, node: PNode | undefined): void {
    const mod = inst.mod!;
    const spec = cls.layer;
    if (!spec) {
      mod.opaqueParams = !PARAM_FREE.test(cls.name);
      mod.layerArgs = {};
      a.pos.forEach((v, i) => { mod.layerArgs![`arg${i}`] = this.toCat(v); });
      for (const [k, v] of a.kw) mod.layerArgs![k] = this.toCat(v);
      this.it.diag('warning', 'unsupported-layer', `torch.nn.${cls.name} is not in the layer catalogue${mod.opaqueParams ? ': its parameters are not counted' : ''}`, node, mod.opaqueParams);
      return;
    }
    const { pos, kw } = this.catArgs(a);
    const bound = bindArgs(spec.signature, pos, kw);
    if (bound.errors.length) throw new PyError('TypeError', `${cls.name}(): ${bound.errors.join('; ')}`, node);
    for (const [k, v] of Object.entries(bound.args)) {
      // a layer with 10**12 layers or features cannot be built (and would not fit in memory in PyTorch either)
      const big = (x: CatValue): boolean => (typeof x === 'number' && Math.abs(x) > 2 ** 31) || (Array.isArray(x) && x.some(big));
      if (big(v) || (/num_layers|layers$/.test(k) && typeof v === 'number' && v > 10000)) {
        throw new PyError('ValueError', `${cls.name}(): argument ${k}=${JSON.stringify(v)} is too large to build`, node);
      }
    }
    mod.layer = spec;
    mod.layerArgs = bound.args;
    let tensors;
    try { tensors = spec.tensors(bound.args); } catch (e) {
      if (e instanceof ShapeError) throw new PyError('ValueError', `${cls.name}: ${e.message}`, node);
      throw new PyError('Unsupported', `${cls.name}: ${(e as Error).message}`, node);
    }
    for (const t of tensors) {
      const tv: Tensor = { kind: 'tensor', shape: [...t.shape], dtype: t.dtype };
      if (t.role === 'parameter') { tv.param = { trainable: t.trainable }; mod.params.set(t.name, tv); }
      else { mod.buffers.set(t.name, tv); if (!t.persistent) mod.nonPersistent.add(t.name); }
    }
    this.addLayerChildren(inst, spec, bound.args, node);
  }

  /** Sub-modules a catalogue layer registers (`out_proj`, `layers.0`...), recursively. */
  private addLayerChildren(inst: PyInstance, spec: LayerSpec, args: BoundArgs, node: PNode | undefined, depth = 0): void {
    if (depth > 8) return;
    let kids: { name: string; type: string; args: BoundArgs }[] = [];
    try { kids = spec.children?.(args) ?? []; } catch (e) {
      throw new PyError('Unsupported', `${spec.type}: ${(e as Error).message}`, node);
    }
    for (const ch of kids) {
      const parts = ch.name.split('.');
      let parent = inst;
      for (const p of parts.slice(0, -1)) {
        let next = parent.mod!.children.get(p);
        if (!next) {
          next = this.newModule(this.containers.ModuleList, node);
          parent.mod!.children.set(p, next);
        }
        parent = next;
      }
      const ccls = this.layerClass(ch.type);
      const child = this.newModule(ccls, node);
      const cm = child.mod!;
      cm.layerArgs = ch.args;
      if (ccls.layer) {
        // fill the child's defaults (the catalogue gives only what differs)
        const filled = bindArgs(ccls.layer.signature, [], ch.args).args;
        for (const [k, v] of Object.entries(ch.args)) filled[k] = v;
        ch.args = filled;
        cm.layerArgs = filled;
        cm.layer = ccls.layer;
        for (const t of ccls.layer.tensors(ch.args)) {
          const tv: Tensor = { kind: 'tensor', shape: [...t.shape], dtype: t.dtype };
          if (t.role === 'parameter') { tv.param = { trainable: t.trainable }; cm.params.set(t.name, tv); }
          else { cm.buffers.set(t.name, tv); if (!t.persistent) cm.nonPersistent.add(t.name); }
        }
        this.addLayerChildren(child, ccls.layer, ch.args, node, depth + 1);
      } else {
        cm.opaqueParams = !PARAM_FREE.test(ch.type);
      }
      parent.mod!.children.set(parts[parts.length - 1], child);
    }
  }

  newModule(cls: PyClass, node: PNode | undefined): PyInstance {
    const mod: ModuleData = { params: new Map(), buffers: new Map(), nonPersistent: new Set(), children: new Map(), calls: 0 };
    const loc = node ? locOf(node) : undefined;
    if (loc) mod.defLoc = loc;
    return { kind: 'instance', cls, attrs: new Map([['training', this.training]]), mod };
  }

  /** `Conv2d(...)(x)` and friends: one module node. */
  layerForward(inst: PyInstance, a: Args, node: PNode | undefined): Value {
    const mod = inst.mod!;
    const spec = mod.layer;
    const path = mod.path ?? this.rec.path;
    const tensorsOf = (): Tensor[] => this.tensorsIn([...a.pos, ...a.kw.values()] as Value[]);
    const callIndex = this.rec.active ? mod.calls++ : undefined;
    const base = { modulePath: path, moduleType: inst.cls.name, params: this.directParams(inst, path), defLoc: mod.defLoc, callIndex: callIndex && callIndex > 0 ? callIndex : undefined };
    if (!spec) {
      const name = inst.cls.name;
      return this.unknownOp(name, 'module', tensorsOf(), node, PASSTHROUGH_NAMES.test(name), { ...base });
    }
    const fsig: ArgSpec[] = spec.forwardSignature ?? [{ name: 'input' }];
    const { pos, kw } = this.catArgs(a);
    const bound = bindArgs(fsig, pos, kw);
    if (bound.errors.length) throw new PyError('TypeError', `${spec.type}.forward(): ${bound.errors.join('; ')}`, node);
    let out: OutTree;
    try { out = spec.forward(mod.layerArgs!, bound.args); } catch (e) {
      if (e instanceof ShapeError) throw new PyError('ShapeError', `${path || spec.type} (${spec.type}): ${e.message}`, node);
      throw new PyError('Unsupported', `${spec.type}: ${(e as Error).message}`, node);
    }
    let macs: number | null;
    try { macs = spec.macs(mod.layerArgs!, bound.args, out); } catch { macs = null; }
    let attrs: Record<string, unknown> = {};
    try { attrs = spec.attrs?.(mod.layerArgs!) ?? {}; } catch { attrs = {}; }
    const inputs = this.tensorsIn(Object.values(bound.args));
    return this.emit(spec.type, spec.category, 'module', inputs, out, node, { ...base, attrs, macs });
  }

  directParams(inst: PyInstance, path: string): ParamTensor[] {
    const mod = inst.mod!;
    const out: ParamTensor[] = [];
    const pre = path ? `${path}.` : '';
    for (const [n, t] of mod.params) if (t) out.push({ name: pre + n, shape: t.shape.map((d) => d ?? 0), role: 'parameter', trainable: t.param?.trainable ?? true, persistent: true, dtype: t.dtype ?? 'float32' });
    for (const [n, t] of mod.buffers) if (t) out.push({ name: pre + n, shape: t.shape.map((d) => d ?? 0), role: 'buffer', trainable: false, persistent: !mod.nonPersistent.has(n), dtype: t.dtype ?? 'float32' });
    return out;
  }

  /** Calling a module: user forward (hierarchy kept via modulePath), containers, or catalogue layers. */
  moduleCall(inst: PyInstance, a: Args, node: PNode | undefined): Value {
    const fwd = this.it.findClassAttr(inst.cls, 'forward');
    if (!fwd) throw new PyError('NotImplementedError', `Module [${inst.cls.name}] is missing the required "forward" function`, node);
    const isUser = fwd && typeof fwd === 'object' && fwd.kind === 'function';
    if (isUser) {
      const path = inst.mod!.path;
      this.rec.pathStack.push(path ?? this.rec.path);
      if (this.rec.active) inst.mod!.calls++;
      try {
        return this.it.call({ kind: 'bound', self: inst, fn: fwd }, a, node);
      } finally {
        this.rec.pathStack.pop();
      }
    }
    return this.it.call(this.it.bindDescriptor(fwd, inst, inst.cls), a, node);
  }

  // ------------------------------------------------------------ torch.* calls

  callTorch(ns: TorchNs, a: Args, node: PNode | undefined): Value {
    const p = TORCH_ALIASES[ns.path] ?? ns.path;
    if (NOOP_TORCH.has(p)) return null;
    if (FALSE_FUNCS.has(p)) return false;
    if (IDENTITY_DECORATORS.has(p)) {
      if (a.pos.length === 1 && a.kw.size === 0) return a.pos[0];
      return bi(p, (b) => b.pos[0] ?? null);
    }
    if (p === 'torch.jit.annotate') return a.pos[1] ?? null;
    if (p === 'torch.autograd.Variable' || p === 'torch.autograd.variable.Variable') return a.pos[0] ?? null;
    if (p === 'torch.is_tensor') return isTensor(a.pos[0]);
    if (p === 'torch.numel') { const t = a.pos[0]; return isTensor(t) ? prod(t.shape) ?? UNKNOWN : UNKNOWN; }
    if (p === 'torch.device' || p === 'torch.dtype' || p === 'torch.finfo' || p === 'torch.iinfo' || p === 'torch.Generator') return opaque(p, p);
    if (p === 'torch.utils.checkpoint.checkpoint' || p === 'torch.utils.checkpoint.checkpoint_sequential') {
      const kw = new Map(a.kw); kw.delete('use_reentrant'); kw.delete('preserve_rng_state');
      return this.it.call(a.pos[0], { pos: a.pos.slice(1), kw }, node);
    }
    if (p === 'torch.nn.utils.weight_norm' || p === 'torch.nn.utils.spectral_norm' || p === 'torch.nn.utils.parametrizations.weight_norm' || p === 'torch.nn.utils.parametrizations.spectral_norm') {
      const m = a.pos[0];
      if (isModuleInstance(m)) this.applyWeightNorm(m, p.includes('spectral'), a);
      return m;
    }
    if (p.startsWith('torch.nn.init.')) return a.pos[0] ?? null;
    if ((p === 'torch.from_numpy' || p === 'torch.as_tensor' || p === 'torch.tensor') && isTensor(a.pos[0])) {
      const t = a.pos[0];
      const dt = a.kw.get('dtype');
      const dtype = dt && typeof dt === 'object' && dt.kind === 'opaque' && dt.qualname ? dt.qualname.replace('torch.', '') : t.dtype;
      return { kind: 'tensor', shape: [...t.shape], dtype, ...(t.data ? { data: t.data } : {}) };
    }
    if (/^torch\.(cuda\.)?(Tensor|FloatTensor|LongTensor|DoubleTensor|IntTensor|ByteTensor|BoolTensor|HalfTensor)$/.test(p) && a.pos.length && a.pos.every((x) => typeof x === 'number' || (x && typeof x === 'object' && x.kind === 'unknown'))) {
      // legacy constructor: torch.FloatTensor(3, 4) is an uninitialised [3, 4] tensor
      const dtype = /Long/.test(p) ? 'int64' : /Int/.test(p) ? 'int32' : /Double/.test(p) ? 'float64' : /Byte/.test(p) ? 'uint8' : /Bool/.test(p) ? 'bool' : /Half/.test(p) ? 'float16' : 'float32';
      return { kind: 'tensor', shape: a.pos.map((x) => (typeof x === 'number' ? x : null)), dtype };
    }
    if (p === 'torch.tensor' || p === 'torch.as_tensor' || p === 'torch.Tensor' || p === 'torch.from_numpy' || p === 'torch.LongTensor' || p === 'torch.FloatTensor') {
      const shape = literalShape(a.pos[0], this.it);
      const dt = a.kw.get('dtype');
      const dtype = dt && typeof dt === 'object' && dt.kind === 'opaque' && dt.qualname ? dt.qualname.replace('torch.', '') : shape.every((d) => d !== null) && allInts(a.pos[0]) ? 'int64' : 'float32';
      const flat: number[] = [];
      const flatten = (v: Value): boolean => {
        if (typeof v === 'number' || typeof v === 'boolean') { flat.push(Number(v)); return true; }
        if (v && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple')) return v.items.every(flatten);
        return false;
      };
      if (shape.every((d) => d !== null) && flatten(a.pos[0] ?? null) && flat.length <= MAX_DATA) return { kind: 'tensor', shape, dtype, data: flat };
      return { kind: 'tensor', shape, dtype };
    }
    if (p.startsWith('torch.') && !p.startsWith('torch.nn.')) {
      const short = p.slice(6);
      const f = concreteFactory(short, a);
      if (f) return f;
      const c = concreteOp(short, a.pos);
      if (c !== undefined) return c;
    }
    if (p === 'torch.var_mean' || p === 'torch.std_mean') {
      const r = this.callFunction([p.replace('_mean', '')], 'function', a, node);
      if (r !== undefined) return tuple([r, r]);
    }
    const kind: OpNode['kind'] = 'function';
    const r = this.callFunction([p, p.replace(/^torch\.nn\.functional\./, 'F.')], kind, a, node);
    if (r !== undefined) return r;
    const inputs = this.tensorsIn([...a.pos, ...a.kw.values()] as Value[]);
    if (!inputs.length && !p.startsWith('torch.nn.functional')) {
      // not a tensor op (torch.cuda.device_count(), torch.get_default_dtype()...): opaque
      return opaque(`${p}(...)`);
    }
    return this.unknownOp(p, kind, inputs, node, /dropout|identity|contiguous|clone|detach/.test(p));
  }

  private applyWeightNorm(m: PyInstance, spectral: boolean, a: Args): void {
    const name = typeof a.pos[1] === 'string' ? a.pos[1] : typeof a.kw.get('name') === 'string' ? (a.kw.get('name') as string) : 'weight';
    const w = m.mod!.params.get(name);
    if (!w) return;
    if (spectral) {
      // weight_orig parameter + u, v buffers
      m.mod!.params.delete(name);
      m.mod!.params.set(`${name}_orig`, w);
      m.attrs.set(name, { kind: 'tensor', shape: [...w.shape], dtype: w.dtype });
      const h = w.shape[0] ?? 0;
      const wdim = w.shape.slice(1).reduce<number>((x, y) => x * (y ?? 0), 1);
      m.mod!.buffers.set(`${name}_u`, { kind: 'tensor', shape: [h], dtype: 'float32' });
      m.mod!.buffers.set(`${name}_v`, { kind: 'tensor', shape: [wdim], dtype: 'float32' });
      return;
    }
    const dim = typeof a.pos[2] === 'number' ? a.pos[2] : typeof a.kw.get('dim') === 'number' ? (a.kw.get('dim') as number) : 0;
    m.mod!.params.delete(name);
    m.attrs.set(name, { kind: 'tensor', shape: [...w.shape], dtype: w.dtype });
    const gShape = w.shape.map((d, i) => (i === (dim < 0 ? w.shape.length + dim : dim) ? d : 1));
    m.mod!.params.set(`${name}_g`, { kind: 'tensor', shape: gShape, dtype: 'float32', param: { trainable: true } });
    m.mod!.params.set(`${name}_v`, { kind: 'tensor', shape: [...w.shape], dtype: 'float32', param: { trainable: true } });
  }

  // ------------------------------------------------------------ tensors

  tensorAttr(t: Tensor, name: string, node: PNode | undefined): Value {
    switch (name) {
      case 'shape': return tuple(t.shape.map((d) => (d === null ? UNKNOWN : d)));
      case 'ndim': return t.shape.length;
      case 'dtype': return opaque(`torch.${t.dtype ?? 'float32'}`, `torch.${t.dtype ?? 'float32'}`);
      case 'device': return opaque('device', 'torch.device');
      case 'is_cuda': return false;
      case 'requires_grad': return t.param ? t.param.trainable : false;
      case 'data': return t;
      case 'grad': return null;
      case 'T': case 'mT': return this.callTensorMethod(t, name === 'T' ? 'permute' : 'transpose', name === 'T' ? { pos: t.shape.map((_, i) => t.shape.length - 1 - i), kw: new Map() } : { pos: [-2, -1], kw: new Map() }, node);
      case 'is_leaf': return true;
    }
    return bi(`Tensor.${name}`, (a, n) => this.callTensorMethod(t, name, a, n));
  }

  callTensorMethod(t: Tensor, name: string, a: Args, node: PNode | undefined): Value {
    switch (name) {
      case 'size': {
        if (a.pos.length || a.kw.has('dim')) {
          const d = (a.pos[0] ?? a.kw.get('dim')) as number;
          const i = d < 0 ? t.shape.length + d : d;
          if (typeof d !== 'number' || i < 0 || i >= t.shape.length) throw new PyError('IndexError', `Dimension out of range (got ${repr(d)} for a ${t.shape.length}-d tensor)`, node);
          return t.shape[i] ?? UNKNOWN;
        }
        return tuple(t.shape.map((d) => (d === null ? UNKNOWN : d)));
      }
      case 'dim': case 'ndimension': return t.shape.length;
      case 'numel': case 'nelement': return prod(t.shape) ?? UNKNOWN;
      case 'item': return t.data && t.data.length === 1 ? nestedData({ ...t, shape: [] }) : UNKNOWN;
      case 'tolist': return t.data ? nestedData(t) : UNKNOWN;
      case 'get_device': return -1;
      case 'element_size': return 4;
      case 'type': if (!a.pos.length) return 'torch.FloatTensor'; break;
      case 'is_contiguous': return true;
      case 'is_floating_point': return /^(float|bfloat|half|double)/.test(t.dtype ?? 'float32');
      case 'is_complex': return (t.dtype ?? '').startsWith('complex');
      case 'is_sparse': case 'is_quantized': case 'is_meta': return false;
      case 'data_ptr': return 0;
      case 'stride': return UNKNOWN;
      case 'register_hook': return null;
    }
    if (t.data) {
      if (DTYPE_METHODS[name]) { const dt = DTYPE_METHODS[name]; return { ...t, dtype: dt, data: dt.startsWith('int') ? t.data.map(Math.trunc) : t.data }; }
      if (name === 'sum' && !a.pos.length) return dataTensor([t.data.reduce((x, y) => x + y, 0)], [], t.dtype ?? 'float32');
      if ((name === 'max' || name === 'min') && !a.pos.length) return dataTensor([name === 'max' ? Math.max(...t.data) : Math.min(...t.data)], [], t.dtype ?? 'float32');
      const c = concreteOp(name, [t, ...a.pos]);
      if (c !== undefined) return c;
    }
    if (name === 'requires_grad_') {
      // Freezing in __init__ (`self.emb.weight.requires_grad_(False)`) changes the trainable count.
      if (t.param) t.param.trainable = (a.pos[0] ?? a.kw.get('requires_grad') ?? true) !== false;
      return t;
    }
    if (INIT_METHODS.has(name)) return t;
    if (name === 'astype') {
      const d = a.pos[0];
      const dn = d && typeof d === 'object' && d.kind === 'class' ? d.name : d && typeof d === 'object' && d.kind === 'opaque' ? (d.qualname ?? d.repr).split('.').pop()! : 'float32';
      const dtype = DTYPES[dn] ?? (dn === 'float' ? 'float64' : dn === 'int' ? 'int64' : 'float32');
      return { ...t, dtype, ...(t.data ? { data: dtype.startsWith('int') ? t.data.map(Math.trunc) : t.data } : {}) };
    }
    const r = this.callFunction([`Tensor.${name}`], 'method', a, node, t);
    if (r !== undefined) return r;
    if (PASSTHROUGH_METHODS.has(name)) return t;
    if (DTYPE_METHODS[name]) return { ...t, dtype: DTYPE_METHODS[name] };
    if (name === 'fill_' || name.endsWith('_') && /^(normal|uniform|zero|fill|copy|clamp|mul|add|div|sub|masked_fill|bernoulli|exponential|random|data)_$/.test(name)) return t;
    return this.unknownOp(`Tensor.${name}`, 'method', [t, ...this.tensorsIn([...a.pos, ...a.kw.values()] as Value[])], node, false);
  }

  binop(op: string, a: Value, b: Value, node: PNode): Value | undefined {
    const inplace = op.startsWith('i') && op !== 'iand' ? op : undefined;
    const base = inplace ? op.slice(1) : op;
    const pyName = base === 'and_' ? 'and_' : base === 'or_' ? 'or_' : base;
    const names = inplace ? [`operator.${op}`, `operator.${pyName}`] : [`operator.${pyName}`];
    if (!isTensor(a)) {
      // reflected: 2 * x → the catalogue takes scalars on either side
      names.push(`Tensor.__r${pyName}__`);
    }
    const c = concreteOp(base.replace(/_$/, ''), [a, b]);
    if (c !== undefined) return c;
    const r = this.callFunction(names, 'operator', { pos: [a, b], kw: new Map() }, node);
    if (r !== undefined) return r;
    if (inplace) {
      const r2 = this.callFunction([`operator.${pyName}`], 'operator', { pos: [a, b], kw: new Map() }, node);
      if (r2 !== undefined) return r2;
    }
    return this.unknownOp(`operator.${pyName}`, 'operator', this.tensorsIn([a, b]), node, false);
  }

  unary(op: string, a: Tensor, node: PNode): Value {
    const name = op === '-' ? 'neg' : op === '~' ? 'invert' : op === 'abs' ? 'abs' : 'pos';
    if (name === 'pos') return a;
    const c = concreteOp(name, [a]);
    if (c !== undefined) return c;
    const r = this.callFunction([`operator.${name}`, `Tensor.__${name}__`, `torch.${name === 'invert' ? 'bitwise_not' : name}`], 'operator', { pos: [a], kw: new Map() }, node);
    return r ?? this.unknownOp(`operator.${name}`, 'operator', [a], node, true);
  }

  /** `x[...]`: computed here (slices are not catalogue values). */
  tensorGetItem(t: Tensor, idx: Value, node: PNode): Value {
    if (t.data && t.shape.length === 1 && typeof idx === 'number' && t.shape[0] !== null) {
      const n = t.shape[0];
      const i = idx < 0 ? n + idx : idx;
      if (i >= 0 && i < n) return dataTensor([t.data[i]], [], t.dtype ?? 'float32');
    }
    const items = idx && typeof idx === 'object' && idx.kind === 'tuple' ? idx.items : [idx];
    const consumed = items.filter((x) => !(x === null || (x && typeof x === 'object' && x.kind === 'ellipsis'))).length;
    const out: TensorShape = [];
    let dim = 0;
    const extraInputs: Tensor[] = [];
    let advanced: TensorShape | undefined;
    for (const ix of items) {
      if (ix === null) { out.push(1); continue; }
      if (ix && typeof ix === 'object' && ix.kind === 'ellipsis') {
        const n = t.shape.length - consumed;
        for (let k = 0; k < n; k++) out.push(t.shape[dim++]);
        continue;
      }
      if (dim >= t.shape.length) throw new PyError('ShapeError', `getitem: too many indices for tensor of dimension ${t.shape.length}`, node);
      const size = t.shape[dim];
      if (typeof ix === 'number' || typeof ix === 'boolean' || (ix && typeof ix === 'object' && ix.kind === 'unknown')) {
        if (typeof ix === 'number' && size !== null && (ix >= size || ix < -size)) throw new PyError('ShapeError', `getitem: index ${ix} is out of bounds for dimension ${dim} with size ${size}`, node);
        dim++;
        continue;
      }
      if (ix && typeof ix === 'object' && ix.kind === 'slice') {
        const known = (v: Value) => v === null || typeof v === 'number';
        if (size !== null && known(ix.start) && known(ix.stop) && known(ix.step)) {
          const [s, e, st] = sliceBounds(ix, size, this.it, node);
          out.push(st > 0 ? Math.max(0, Math.ceil((e - s) / st)) : Math.max(0, Math.ceil((s - e) / -st)));
        } else out.push(null);
        dim++;
        continue;
      }
      if (isTensor(ix)) {
        extraInputs.push(ix);
        const shape = ix.dtype === 'bool' ? [null] : ix.shape;
        if (!advanced) { advanced = shape; out.push(...shape); }
        dim += ix.dtype === 'bool' ? Math.max(1, ix.shape.length) : 1;
        continue;
      }
      if (ix && typeof ix === 'object' && (ix.kind === 'list' || ix.kind === 'tuple')) {
        if (!advanced) { advanced = [ix.items.length]; out.push(ix.items.length); }
        dim++;
        continue;
      }
      throw new PyError('TypeError', `unsupported tensor index ${repr(ix)}`, node);
    }
    while (dim < t.shape.length) out.push(t.shape[dim++]);
    return this.emit('getitem', 'shape', 'operator', [t, ...extraInputs], { shape: out, dtype: t.dtype }, node, { attrs: { index: nodeText(node).replace(/^[^[]*\[/, '[').slice(0, 60) } });
  }

  // ------------------------------------------------------------ nn.Module methods

  private installModuleMethods(): void {
    const d = this.moduleBase.dict;
    const m = (name: string, f: (self: PyInstance, a: Args, n: PNode | undefined) => Value): void => {
      d.set(name, bi(name, (a, n) => f(a.pos[0] as PyInstance, { pos: a.pos.slice(1), kw: a.kw }, n), true));
    };
    m('__init__', () => null);
    m('forward', (_s, _a, n) => { throw new PyError('NotImplementedError', 'Module is missing the required "forward" function', n, true); });
    m('__call__', (s, a, n) => this.moduleCall(s, a, n));
    m('_call_impl', (s, a, n) => this.moduleCall(s, a, n));
    m('add_module', (s, a, n) => { this.registerChild(s, String(a.pos[0] ?? a.kw.get('name')), a.pos[1] ?? a.kw.get('module') ?? null, n); return null; });
    d.set('register_module', d.get('add_module')!);
    m('register_buffer', (s, a, n) => {
      const name = String(a.pos[0] ?? a.kw.get('name'));
      const t = a.pos[1] ?? a.kw.get('tensor') ?? null;
      const persistent = a.pos[2] ?? a.kw.get('persistent') ?? true;
      if (t !== null && !isTensor(t)) throw new PyError('TypeError', `cannot assign '${repr(t)}' object to buffer '${name}' (torch Tensor or None required)`, n);
      const mod = s.mod!;
      s.attrs.delete(name);
      const tv = t ? { ...(t as Tensor) } : null;
      if (tv) { delete tv.param; delete tv.src; }
      mod.buffers.set(name, tv);
      if (persistent === false) mod.nonPersistent.add(name); else mod.nonPersistent.delete(name);
      return null;
    });
    m('register_parameter', (s, a) => {
      const name = String(a.pos[0]);
      const p = a.pos[1] ?? null;
      s.attrs.delete(name);
      s.mod!.params.set(name, isTensor(p) ? p : null);
      return null;
    });
    const named = (s: PyInstance, prefix: string): [string, PyInstance][] => this.namedModules(s, prefix);
    m('modules', (s) => list(named(s, '').map(([, x]) => x)));
    m('named_modules', (s) => list(named(s, '').map(([k, x]) => tuple([k, x]))));
    m('children', (s) => list([...s.mod!.children.values()].filter((x): x is PyInstance => x !== null)));
    m('named_children', (s) => list([...s.mod!.children.entries()].filter(([, x]) => x !== null).map(([k, x]) => tuple([k, x]))));
    const params = (s: PyInstance, recurse: boolean): [string, Tensor][] => {
      const out: [string, Tensor][] = [];
      const seen = new Set<Tensor>();
      const mods = recurse ? named(s, '') : [['', s] as [string, PyInstance]];
      for (const [p, x] of mods) for (const [k, t] of x.mod!.params) if (t && !seen.has(t)) { seen.add(t); out.push([p ? `${p}.${k}` : k, t]); }
      return out;
    };
    const buffers = (s: PyInstance, recurse: boolean): [string, Tensor][] => {
      const out: [string, Tensor][] = [];
      const mods = recurse ? named(s, '') : [['', s] as [string, PyInstance]];
      for (const [p, x] of mods) for (const [k, t] of x.mod!.buffers) if (t) out.push([p ? `${p}.${k}` : k, t]);
      return out;
    };
    const recurseArg = (a: Args): boolean => (a.kw.get('recurse') ?? a.pos[0] ?? true) !== false;
    m('parameters', (s, a) => list(params(s, recurseArg(a)).map(([, t]) => t)));
    m('named_parameters', (s) => list(params(s, true).map(([k, t]) => tuple([k, t]))));
    m('buffers', (s, a) => list(buffers(s, recurseArg(a)).map(([, t]) => t)));
    m('named_buffers', (s) => list(buffers(s, true).map(([k, t]) => tuple([k, t]))));
    m('apply', (s, a, n) => {
      const fn = a.pos[0];
      const visit = (x: PyInstance): void => {
        for (const c of x.mod!.children.values()) if (c) visit(c);
        this.it.call(fn, { pos: [x], kw: new Map() }, n);
      };
      visit(s);
      return s;
    });
    for (const name of ['to', 'cuda', 'cpu', 'float', 'double', 'half', 'bfloat16', 'type', 'share_memory', 'to_empty', 'zero_grad']) m(name, (s) => s);
    m('requires_grad_', (s, a) => {
      const on = (a.pos[0] ?? a.kw.get('requires_grad') ?? true) !== false;
      for (const [, x] of named(s, '')) for (const p of x.mod!.params.values()) if (p && p.kind === 'tensor' && p.param) p.param.trainable = on;
      return s;
    });
    m('train', (s, a) => { const mode = a.pos[0] ?? true; for (const [, x] of named(s, '')) x.attrs.set('training', mode); return s; });
    m('eval', (s) => { for (const [, x] of named(s, '')) x.attrs.set('training', false); return s; });
    for (const name of ['load_state_dict', 'register_forward_hook', 'register_forward_pre_hook', 'register_backward_hook', 'register_full_backward_hook', '_register_load_state_dict_pre_hook', '_register_state_dict_hook', 'reset_parameters', '_reset_parameters', 'flatten_parameters', 'register_load_state_dict_post_hook']) m(name, () => null);
    m('state_dict', () => dictFrom([]));
    m('extra_repr', () => '');
    m('_get_name', (s) => s.cls.name);
    m('get_submodule', (s, a, n) => {
      let cur: PyInstance = s;
      for (const part of String(a.pos[0]).split('.').filter(Boolean)) {
        const c = cur.mod!.children.get(part);
        if (!c) throw new PyError('AttributeError', `${cur.cls.name} has no attribute '${part}'`, n);
        cur = c;
      }
      return cur;
    });
  }

  namedModules(s: PyInstance, prefix: string, seen = new Set<PyInstance>(), out: [string, PyInstance][] = []): [string, PyInstance][] {
    if (seen.has(s)) return out;
    seen.add(s);
    out.push([prefix, s]);
    for (const [k, c] of s.mod!.children) if (c) this.namedModules(c, prefix ? `${prefix}.${k}` : k, seen, out);
    return out;
  }

  registerChild(s: PyInstance, name: string, v: Value, node: PNode | undefined): void {
    if (v !== null && !isModuleInstance(v)) {
      if (v && typeof v === 'object' && (v.kind === 'opaque' || v.kind === 'unknown')) {
        v = this.opaqueModule(v.kind === 'opaque' ? v.repr : '<unknown>', node);
      } else throw new PyError('TypeError', `${repr(v)} is not a Module subclass`, node);
    }
    const mod = s.mod!;
    s.attrs.delete(name);
    mod.params.delete(name);
    mod.buffers.delete(name);
    mod.children.set(name, v as PyInstance | null);
  }

  /** A module we cannot see into (from an unresolved import). */
  opaqueModule(name: string, node: PNode | undefined): PyInstance {
    const cls = this.layerClass(name.replace(/\(\.\.\.\)$/, '').split('.').pop() || 'Unknown');
    const inst = this.newModule(cls, node);
    inst.mod!.opaqueParams = !PARAM_FREE.test(cls.name);
    inst.mod!.layerArgs = {};
    this.it.diag('warning', 'unsupported-layer', `'${name.replace(/\(\.\.\.\)$/, '').replace(/^module /, '')}' cannot be resolved${inst.mod!.opaqueParams ? ': its parameters are not counted' : ''}`, node, inst.mod!.opaqueParams);
    return inst;
  }

  /** nn.Module.__setattr__. Returns false when it is a plain attribute. */
  setModuleAttr(s: PyInstance, name: string, v: Value, node: PNode | undefined): boolean {
    const mod = s.mod!;
    if (isTensor(v) && v.param) {
      s.attrs.delete(name); mod.buffers.delete(name); mod.children.delete(name); mod.nonPersistent.delete(name);
      mod.params.set(name, v);
      return true;
    }
    if (mod.params.has(name)) {
      if (v !== null && !isTensor(v)) throw new PyError('TypeError', `cannot assign '${typeNameOf(v)}' as parameter '${name}' (torch.nn.Parameter or None expected)`, node);
      if (v === null) { mod.params.set(name, null); return true; }
      throw new PyError('TypeError', `cannot assign 'torch.FloatTensor' as parameter '${name}' (torch.nn.Parameter or None expected)`, node);
    }
    if (isModuleInstance(v)) {
      s.attrs.delete(name); mod.params.delete(name); mod.buffers.delete(name); mod.nonPersistent.delete(name);
      mod.children.set(name, v);
      return true;
    }
    if (mod.children.has(name)) {
      if (v === null) { mod.children.set(name, null); return true; }
      if (v && typeof v === 'object' && (v.kind === 'opaque' || v.kind === 'unknown')) { mod.children.set(name, this.opaqueModule(v.kind === 'opaque' ? v.repr : '<unknown>', node)); return true; }
      throw new PyError('TypeError', `cannot assign '${typeNameOf(v)}' as child module '${name}' (torch.nn.Module or None expected)`, node);
    }
    if (mod.buffers.has(name)) {
      if (v !== null && !isTensor(v)) throw new PyError('TypeError', `cannot assign '${typeNameOf(v)}' as buffer '${name}' (torch.Tensor or None expected)`, node);
      mod.buffers.set(name, v as Tensor | null);
      return true;
    }
    if (v && typeof v === 'object' && v.kind === 'opaque' && v.repr.endsWith('(...)') && /^[A-Z]/.test(v.repr.slice(0, -5).split('.').pop() ?? '')) {
      // an instance of an unresolved class assigned to a module: most likely a module
      s.attrs.delete(name);
      mod.children.set(name, this.opaqueModule(v.repr, node));
      return true;
    }
    return false;
  }

  moduleAttr(s: PyInstance, name: string): Value | undefined {
    const mod = s.mod!;
    if (mod.params.has(name)) return mod.params.get(name)!;
    if (mod.buffers.has(name)) return mod.buffers.get(name)!;
    if (mod.children.has(name)) return mod.children.get(name)!;
    if (name === '_modules') return dictFrom([...mod.children.entries()]);
    if (name === '_parameters') return dictFrom([...mod.params.entries()]);
    if (name === '_buffers') return dictFrom([...mod.buffers.entries()]);
    if (name === '__class__') return s.cls;
    if (mod.layer && (name === 'weight' || name === 'bias') && !/^(RNN|LSTM|GRU)/.test(mod.layer.type)) return null;
    if (mod.layerArgs && name in mod.layerArgs) {
      let v = this.fromCat(mod.layerArgs[name]);
      if (mod.layer && /^Conv/.test(mod.layer.type) && CONV_TUPLE_ARGS.includes(name) && typeof v === 'number') {
        const nd = Number(mod.layer.type.match(/(\d)d$/)?.[1] ?? 2);
        v = tuple(Array.from({ length: nd }, () => v));
      }
      return v;
    }
    if (mod.layer && (name === 'weight' || name === 'bias')) return null;
    return undefined;
  }

  // ------------------------------------------------------------ containers

  private installContainerMethods(): void {
    const it = this.it;
    const C = this.containers;
    const m = (cls: PyClass, name: string, f: (self: PyInstance, a: Args, n: PNode | undefined) => Value): void => {
      cls.dict.set(name, bi(name, (a, n) => f(a.pos[0] as PyInstance, { pos: a.pos.slice(1), kw: a.kw }, n), true));
    };
    const children = (s: PyInstance): PyInstance[] => [...s.mod!.children.values()].filter((x): x is PyInstance => x !== null);
    const addAll = (s: PyInstance, items: Value[], n: PNode | undefined): void => {
      let i = s.mod!.children.size;
      for (const v of items) this.registerChild(s, String(i++), v, n);
    };
    const index = (s: PyInstance, i: Value, n: PNode | undefined): number => {
      const len = s.mod!.children.size;
      if (typeof i !== 'number') throw new PyError('TypeError', `index must be an int, not ${repr(i)}`, n);
      const k = i < 0 ? len + i : i;
      if (k < 0 || k >= len) throw new PyError('IndexError', `index ${i} is out of range`, n);
      return k;
    };

    // Sequential
    const S = C.Sequential;
    m(S, '__init__', (s, a, n) => {
      const first = a.pos[0];
      if (a.pos.length === 1 && first && typeof first === 'object' && first.kind === 'dict') {
        for (const [k, v] of first.map.values()) this.registerChild(s, String(k), v, n);
      } else {
        a.pos.forEach((v, i) => this.registerChild(s, String(i), v, n));
      }
      return null;
    });
    m(S, 'forward', (s, a, n) => {
      let x: Value = a.pos[0] ?? null;
      for (const c of children(s)) x = it.call(c, { pos: [x], kw: new Map() }, n);
      return x;
    });
    m(S, '__getitem__', (s, a, n) => {
      const i = a.pos[0];
      if (i && typeof i === 'object' && i.kind === 'slice') {
        const entries = [...s.mod!.children.entries()];
        const [st, e, step] = sliceBounds(i, entries.length, it, n);
        const sub = this.newModule(S, n);
        for (let k = st; step > 0 ? k < e : k > e; k += step) sub.mod!.children.set(entries[k][0], entries[k][1]);
        return sub;
      }
      return [...s.mod!.children.values()][index(s, i, n)];
    });
    m(S, '__setitem__', (s, a, n) => { const k = [...s.mod!.children.keys()][index(s, a.pos[0], n)]; this.registerChild(s, k, a.pos[1], n); return null; });
    m(S, '__delitem__', (s, a, n) => { const k = [...s.mod!.children.keys()][index(s, a.pos[0], n)]; s.mod!.children.delete(k); return null; });
    m(S, '__len__', (s) => s.mod!.children.size);
    m(S, '__iter__', (s) => list(children(s)));
    m(S, 'append', (s, a, n) => { addAll(s, [a.pos[0]], n); return s; });
    m(S, 'extend', (s, a, n) => { addAll(s, it.iterate(a.pos[0], n), n); return s; });
    m(S, 'insert', (s, a, n) => { this.insertAt(s, a.pos[0] as number, a.pos[1], n); return s; });
    m(S, 'pop', (s, a, n) => { const k = [...s.mod!.children.keys()][index(s, a.pos[0] ?? -1, n)]; const v = s.mod!.children.get(k) ?? null; s.mod!.children.delete(k); return v; });

    // ModuleList
    const L = C.ModuleList;
    m(L, '__init__', (s, a, n) => { const src = a.pos[0] ?? a.kw.get('modules') ?? null; if (src !== null) addAll(s, it.iterate(src, n), n); return null; });
    m(L, '__getitem__', (s, a, n) => {
      const i = a.pos[0];
      if (i && typeof i === 'object' && i.kind === 'slice') {
        const sub = this.newModule(L, n);
        const vals = [...s.mod!.children.values()];
        const [st, e, step] = sliceBounds(i, vals.length, it, n);
        let j = 0;
        for (let k = st; step > 0 ? k < e : k > e; k += step) sub.mod!.children.set(String(j++), vals[k]);
        return sub;
      }
      return [...s.mod!.children.values()][index(s, i, n)];
    });
    m(L, '__setitem__', (s, a, n) => { this.registerChild(s, String(index(s, a.pos[0], n)), a.pos[1], n); return null; });
    m(L, '__delitem__', (s, a, n) => {
      const vals = [...s.mod!.children.values()];
      vals.splice(index(s, a.pos[0], n), 1);
      s.mod!.children = new Map(vals.map((v, k) => [String(k), v]));
      return null;
    });
    m(L, '__len__', (s) => s.mod!.children.size);
    m(L, '__iter__', (s) => list([...s.mod!.children.values()]));
    m(L, 'append', (s, a, n) => { addAll(s, [a.pos[0]], n); return s; });
    m(L, 'extend', (s, a, n) => { addAll(s, it.iterate(a.pos[0], n), n); return s; });
    m(L, '__iadd__', (s, a, n) => { addAll(s, it.iterate(a.pos[0], n), n); return s; });
    m(L, 'insert', (s, a, n) => { this.insertAt(s, a.pos[0] as number, a.pos[1], n, true); return null; });
    m(L, 'forward', (_s, _a, n) => { throw new PyError('NotImplementedError', 'ModuleList is not callable', n); });

    // ModuleDict
    const D = C.ModuleDict;
    const update = (s: PyInstance, src: Value, n: PNode | undefined): void => {
      if (src && typeof src === 'object' && src.kind === 'dict') { for (const [k, v] of src.map.values()) this.registerChild(s, String(k), v, n); return; }
      if (isModuleInstance(src) && src.cls.torch === 'ModuleDict') { for (const [k, v] of src.mod.children) this.registerChild(s, k, v, n); return; }
      for (const kv of it.iterate(src, n)) { const p = it.iterate(kv, n); this.registerChild(s, String(p[0]), p[1], n); }
    };
    m(D, '__init__', (s, a, n) => { const src = a.pos[0] ?? a.kw.get('modules') ?? null; if (src !== null) update(s, src, n); return null; });
    m(D, '__getitem__', (s, a, n) => { const k = String(a.pos[0]); if (!s.mod!.children.has(k)) throw new PyError('KeyError', k, n); return s.mod!.children.get(k)!; });
    m(D, '__setitem__', (s, a, n) => { this.registerChild(s, String(a.pos[0]), a.pos[1], n); return null; });
    m(D, '__delitem__', (s, a) => { s.mod!.children.delete(String(a.pos[0])); return null; });
    m(D, '__len__', (s) => s.mod!.children.size);
    m(D, '__iter__', (s) => list([...s.mod!.children.keys()]));
    m(D, '__contains__', (s, a) => s.mod!.children.has(String(a.pos[0])));
    m(D, 'keys', (s) => list([...s.mod!.children.keys()]));
    m(D, 'values', (s) => list(children(s)));
    m(D, 'items', (s) => list([...s.mod!.children.entries()].map(([k, v]) => tuple([k, v]))));
    m(D, 'update', (s, a, n) => { update(s, a.pos[0], n); return null; });
    m(D, 'pop', (s, a) => { const k = String(a.pos[0]); const v = s.mod!.children.get(k) ?? null; s.mod!.children.delete(k); return v; });
    m(D, 'forward', (_s, _a, n) => { throw new PyError('NotImplementedError', 'ModuleDict is not callable', n); });

    // ParameterList / ParameterDict
    const PL = C.ParameterList;
    const addParam = (s: PyInstance, name: string, v: Value): void => {
      if (isTensor(v)) s.mod!.params.set(name, v.param ? v : { ...v, param: { trainable: true } });
    };
    m(PL, '__init__', (s, a, n) => { const src = a.pos[0] ?? a.kw.get('values') ?? null; if (src !== null) it.iterate(src, n).forEach((v, i) => addParam(s, String(i), v)); return null; });
    m(PL, 'append', (s, a) => { addParam(s, String(s.mod!.params.size), a.pos[0]); return s; });
    m(PL, 'extend', (s, a, n) => { for (const v of it.iterate(a.pos[0], n)) addParam(s, String(s.mod!.params.size), v); return s; });
    m(PL, '__getitem__', (s, a, n) => { const vals = [...s.mod!.params.values()]; const i = a.pos[0] as number; const k = i < 0 ? vals.length + i : i; if (k < 0 || k >= vals.length) throw new PyError('IndexError', 'index out of range', n); return vals[k]; });
    m(PL, '__len__', (s) => s.mod!.params.size);
    m(PL, '__iter__', (s) => list([...s.mod!.params.values()]));
    const PD = C.ParameterDict;
    m(PD, '__init__', (s, a, n) => { const src = a.pos[0] ?? null; if (src !== null) for (const [k, v] of it.dictItems(src, n!)) addParam(s, String(k), v); return null; });
    m(PD, '__getitem__', (s, a, n) => { const v = s.mod!.params.get(String(a.pos[0])); if (v === undefined) throw new PyError('KeyError', String(a.pos[0]), n); return v; });
    m(PD, '__setitem__', (s, a) => { addParam(s, String(a.pos[0]), a.pos[1]); return null; });
    m(PD, '__len__', (s) => s.mod!.params.size);
    m(PD, '__iter__', (s) => list([...s.mod!.params.keys()]));
    m(PD, 'keys', (s) => list([...s.mod!.params.keys()]));
    m(PD, 'values', (s) => list([...s.mod!.params.values()]));
    m(PD, 'items', (s) => list([...s.mod!.params.entries()].map(([k, v]) => tuple([k, v]))));
  }

  private insertAt(s: PyInstance, i: number, v: Value, n: PNode | undefined, renumber = true): void {
    const vals = [...s.mod!.children.values()];
    let k = i < 0 ? vals.length + i : i;
    k = Math.max(0, Math.min(vals.length, k));
    if (!isModuleInstance(v)) throw new PyError('TypeError', 'insert expects a Module', n);
    vals.splice(k, 0, v);
    if (renumber) s.mod!.children = new Map(vals.map((x, j) => [String(j), x]));
  }

  // ------------------------------------------------------------ instantiation

  instantiate(cls: PyClass, a: Args, node: PNode | undefined): Value | undefined {
    if (cls === this.parameterClass) {
      const t = a.pos[0] ?? a.kw.get('data') ?? null;
      const rg = a.pos[1] ?? a.kw.get('requires_grad') ?? true;
      const shape = isTensor(t) ? [...t.shape] : [0];
      return { kind: 'tensor', shape, dtype: isTensor(t) ? t.dtype ?? 'float32' : 'float32', param: { trainable: rg !== false } };
    }
    if (cls === this.tensorClass) return this.callTorch({ kind: 'torchns', path: 'torch.Tensor' }, a, node);
    if (!cls.torch) return undefined;
    const inst = this.newModule(cls, node);
    this.it.initInstance(inst, cls, a, node);
    return inst;
  }

  deepcopy(v: Value): Value { return deepCopy(v, new Map()); }
  envRef(): BuiltinEnv { return this.env(); }
}

const PARAM_FREE = /^(Identity|Dropout\w*|Drop\w*|ReLU\d*|GELU|SiLU|Swish|Mish|Sigmoid|Tanh|Hardswish|Hardsigmoid|LeakyReLU|ELU|SELU|CELU|Softmax\d*d?|LogSoftmax|Flatten|Unflatten|\w*Pool\w*|Upsample\w*|PixelShuffle|PixelUnshuffle|Rearrange|Reduce|StochasticDepth|ZeroPad\dd|\w*Pad\dd|ChannelShuffle|GLU|Hardtanh|ReLU6|Softplus|Softsign|Tanhshrink|Threshold|QuickGELU|Lambda\w*|Permute)$/;
const PASSTHROUGH_NAMES = /^(Identity|Dropout\w*|Drop\w*|ReLU\d*|GELU|SiLU|Swish|Mish|Sigmoid|Tanh|Hardswish|Hardsigmoid|LeakyReLU|ELU|SELU|CELU|StochasticDepth|\w*Norm\w*|QuickGELU|Softmax|LogSoftmax|Scale\w*|LayerScale\w*|\w*Act\w*)$/;

function typeNameOf(v: Value): string {
  if (v === null) return 'NoneType';
  if (typeof v !== 'object') return typeof v;
  return v.kind === 'instance' ? v.cls.name : v.kind;
}

function prod(shape: TensorShape): number | undefined {
  let p = 1;
  for (const d of shape) { if (d === null) return undefined; p *= d; }
  return p;
}

function allInts(v: Value): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  if (typeof v === 'boolean') return true;
  if (v && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple')) return v.items.every(allInts);
  return false;
}

function literalShape(v: Value, it: Interp): TensorShape {
  if (v && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple')) {
    if (!v.items.length) return [0];
    return [v.items.length, ...literalShape(v.items[0], it)];
  }
  if (isTensor(v)) return [...v.shape];
  if (v && typeof v === 'object' && v.kind === 'range') return [Math.max(0, Math.ceil((v.stop - v.start) / v.step))];
  if (v && typeof v === 'object' && (v.kind === 'opaque' || v.kind === 'unknown')) return [null];
  return [];
}

function pickAttrs(args: BoundArgs, sig: ArgSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of sig) {
    const v = args[p.name];
    if (v === undefined || p.variadic) continue;
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') {
      if ('default' in p && p.default === v) continue;
      out[p.name] = v;
    } else if (Array.isArray(v) && v.every((x) => x === null || typeof x === 'number')) out[p.name] = v;
  }
  return out;
}

// -------------------------------------------------------------------- constant tensors

const MAX_DATA = 4096;

function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d === 0.5) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}

const UNARY_DATA: Record<string, (x: number) => number> = {
  round: roundHalfEven, log: Math.log, exp: Math.exp, sqrt: Math.sqrt, floor: Math.floor, ceil: Math.ceil, abs: Math.abs,
  neg: (x) => -x, sigmoid: (x) => 1 / (1 + Math.exp(-x)), trunc: Math.trunc, log2: Math.log2, sin: Math.sin, cos: Math.cos, relu: (x) => Math.max(0, x),
};
const BINARY_DATA: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, truediv: (a, b) => a / b, divide: (a, b) => a / b,
  floordiv: (a, b) => Math.floor(a / b), floor_divide: (a, b) => Math.floor(a / b), pow: (a, b) => Math.pow(a, b), mod: (a, b) => a - b * Math.floor(a / b),
  remainder: (a, b) => a - b * Math.floor(a / b), maximum: Math.max, minimum: Math.min,
};

export function dataTensor(data: number[], shape: number[], dtype: string): Tensor {
  return { kind: 'tensor', shape, dtype, data };
}

function operand(v: Value): { data: number[]; shape: number[]; dtype: string } | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return { data: [Number(v)], shape: [], dtype: typeof v === 'number' && !Number.isInteger(v) ? 'float32' : 'int64' };
  if (isTensor(v) && v.data && v.shape.every((d) => d !== null)) return { data: v.data, shape: v.shape as number[], dtype: v.dtype ?? 'float32' };
  return undefined;
}

/** Evaluates an op on constant tensors; undefined when an input is not constant or the op is not known. */
export function concreteOp(op: string, args: Value[]): Value | undefined {
  const ops = args.map(operand);
  if (!ops.length || ops.some((o) => !o) || !args.some(isTensor)) return undefined;
  const a = ops[0]!;
  if ((op === 'diff' || op === 'cumsum') && a.shape.length === 1) {
    if (op === 'diff') return dataTensor(a.data.slice(1).map((x, i) => x - a.data[i]), [Math.max(0, a.data.length - 1)], a.dtype);
    let acc = 0;
    return dataTensor(a.data.map((x) => (acc += x)), a.shape, a.dtype);
  }
  if (ops.length === 1 && (op === 'min' || op === 'max' || op === 'sum' || op === 'prod' || op === 'mean' || op === 'amin' || op === 'amax')) {
    const d = a.data;
    if (!d.length) return undefined;
    const v = op === 'sum' ? d.reduce((x, y) => x + y, 0) : op === 'prod' ? d.reduce((x, y) => x * y, 1) : op === 'mean' ? d.reduce((x, y) => x + y, 0) / d.length : op.endsWith('min') ? Math.min(...d) : Math.max(...d);
    return dataTensor([v], [], op === 'mean' ? 'float32' : a.dtype);
  }
  const un = UNARY_DATA[op];
  if (un && ops.length === 1) return dataTensor(a.data.map(un), a.shape, op === 'round' || op === 'floor' || op === 'ceil' ? a.dtype : 'float32');
  const bin = BINARY_DATA[op];
  if (bin && ops.length === 2) {
    const b = ops[1]!;
    const n = Math.max(a.data.length, b.data.length);
    if (a.data.length !== n && a.data.length !== 1) return undefined;
    if (b.data.length !== n && b.data.length !== 1) return undefined;
    const shape = a.data.length >= b.data.length ? a.shape : b.shape;
    const out = Array.from({ length: n }, (_, i) => bin(a.data[a.data.length === 1 ? 0 : i], b.data[b.data.length === 1 ? 0 : i]));
    const isInt = (d: string) => d.startsWith('int');
    const dtype = op === 'div' || op === 'truediv' || op === 'divide' ? 'float32' : isInt(a.dtype) && isInt(b.dtype) ? 'int64' : 'float32';
    return dataTensor(dtype === 'int64' ? out.map(Math.trunc) : out, shape, dtype);
  }
  return undefined;
}

export function concreteFactory(name: string, a: Args): Tensor | undefined {
  const nums = a.pos.filter((x) => typeof x === 'number') as number[];
  if (nums.length !== a.pos.length) return undefined;
  const dtOf = (): string | undefined => { const d = a.kw.get('dtype'); return d && typeof d === 'object' && d.kind === 'opaque' && d.qualname ? d.qualname.replace('torch.', '') : undefined; };
  if (name === 'arange') {
    const [s, e, st] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
    const n = Math.max(0, Math.ceil((e - s) / st));
    if (n > MAX_DATA) return undefined;
    const data = Array.from({ length: n }, (_, i) => s + i * st);
    return dataTensor(data, [n], dtOf() ?? (data.every(Number.isInteger) && [s, e, st].every(Number.isInteger) ? 'int64' : 'float32'));
  }
  if (name === 'linspace') {
    const steps = nums[2] ?? (typeof a.kw.get('steps') === 'number' ? (a.kw.get('steps') as number) : undefined);
    if (steps === undefined || steps > MAX_DATA || nums.length < 2) return undefined;
    const [s, e] = nums;
    return dataTensor(Array.from({ length: steps }, (_, i) => (steps === 1 ? s : s + ((e - s) * i) / (steps - 1))), [steps], dtOf() ?? 'float32');
  }
  return undefined;
}

export function nestedData(t: Tensor): Value {
  const shape = t.shape as number[];
  const data = t.data!;
  const isInt = (t.dtype ?? '').startsWith('int');
  const conv = (x: number): Value => (isInt ? Math.trunc(x) : x);
  if (!shape.length) return conv(data[0]);
  const rec = (dim: number, off: number): Value => {
    const n = shape[dim];
    const stride = shape.slice(dim + 1).reduce((p, d) => p * d, 1);
    if (dim === shape.length - 1) return list(data.slice(off, off + n).map(conv));
    return list(Array.from({ length: n }, (_, i) => rec(dim + 1, off + i * stride)));
  };
  return rec(0, 0);
}
