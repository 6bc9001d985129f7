/**
 * One build: wires the interpreter, the builtins, the torch runtime and the import resolver, evaluates
 * an entry expression to a module, traces its `forward` and assembles the ArchGraph.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MultiDirectedGraph } from 'graphology';
import type { ArchGraph, ArchGraphAttributes, Diagnostic, ModuleInfo, OpNode, ParamTensor, TensorEdge, TensorShape } from '../arch/types';
import '../torchnn';
import { bi, installBuiltins, type BuiltinEnv } from './builtins';
import { einopsShape } from './einops';
import { BudgetError, PyError } from './errors';
import { Interp } from './interp';
import { field, initParser, locOf, parseFile, type PNode, type ParsedFile } from './parse';
import { TorchRuntime } from './torchrt';
import {
  Scope, UNKNOWN, isModuleInstance, isTensor, opaque, repr,
  type Args, type PyClass, type PyInstance, type PyModule, type Tensor, type Value,
} from './values';

export interface BuildOptions {
  source: string;
  file: string;
  /** A class name, a factory name, or any call expression: `VGG('VGG16')`, `resnet50(num_classes=10)`. */
  entry: string;
  /** Input shape; default [1, 3, 224, 224], or inferred from the first layer (Linear, Embedding, LSTM...). */
  inputShape?: number[];
  /** Workspace files (unsaved editors); a Promise result is ignored (the file is then read from disk). */
  readFile?: (absPath: string) => string | undefined | Promise<string | undefined>;
  /** dtype of the input tensor: 'int64' for token ids; default float32 (or inferred with the shape). */
  inputDtype?: string;
  /** site-packages directories for `torchvision.*` and other installed packages. */
  pythonPaths?: string[];
  stepBudget?: number;
  /** Wall-clock limit for one build in ms (a backstop to the step budget; default 5000). */
  timeLimitMs?: number;
}

export const DEFAULT_INPUT_SHAPE = [1, 3, 224, 224];
export const DEFAULT_STEP_BUDGET = 1_000_000;

const NATIVE_ALIASES: Record<string, string> = { np: 'numpy' };

/** Existing site-packages directories: Debian's, /usr/local's, and a `.venv`/`venv` beside the file. */
export function defaultPythonPaths(file: string): string[] {
  const out: string[] = [];
  const tryDir = (d: string): void => { try { if (fs.statSync(d).isDirectory() && !out.includes(d)) out.push(d); } catch { /* absent */ } };
  let dir = path.dirname(path.resolve(file));
  for (let i = 0; i < 4; i++) {
    for (const venv of ['.venv', 'venv', 'env']) {
      const lib = path.join(dir, venv, 'lib');
      try {
        for (const py of fs.readdirSync(lib)) if (py.startsWith('python3')) tryDir(path.join(lib, py, 'site-packages'));
      } catch { /* none */ }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  tryDir('/usr/lib/python3/dist-packages');
  for (const base of ['/usr/local/lib', '/usr/lib']) {
    try {
      for (const py of fs.readdirSync(base)) {
        if (!/^python3/.test(py)) continue;
        tryDir(path.join(base, py, 'dist-packages'));
        tryDir(path.join(base, py, 'site-packages'));
      }
    } catch { /* none */ }
  }
  return out;
}

export class Session {
  it: Interp;
  rt: TorchRuntime;
  env!: BuiltinEnv;
  private modules = new Map<string, PyModule>();
  private fileCache = new Map<string, string | undefined>();
  private dirCache = new Map<string, boolean>();
  pythonPaths: string[];
  userRoots: string[];
  syntax: Diagnostic[] = [];

  constructor(public opts: BuildOptions) {
    this.it = new Interp(opts.stepBudget ?? DEFAULT_STEP_BUDGET);
    this.env = installBuiltins(this.it, () => this.rt.tensorClass);
    this.rt = new TorchRuntime(this.it, () => this.env);
    this.pythonPaths = (opts.pythonPaths ?? defaultPythonPaths(opts.file)).map((p) => path.resolve(p));
    const dir = path.dirname(path.resolve(opts.file));
    this.userRoots = [dir, path.dirname(dir), path.dirname(path.dirname(dir))].filter((d, i, a) => a.indexOf(d) === i);
    this.installHooks();
    this.installEinops();
  }

  private installEinops(): void {
    const rt = this.rt;
    const it = this.it;
    const axesOf = (a: Args, skip: string[]): Record<string, number | null> => {
      const out: Record<string, number | null> = {};
      for (const [k, v] of a.kw) if (!skip.includes(k)) out[k] = typeof v === 'number' ? v : null;
      return out;
    };
    const apply = (mode: string, t: Value, pattern: Value, axes: Record<string, number | null>, node: PNode | undefined, extra: Record<string, unknown> = {}): Value => {
      let x = t;
      if (x && typeof x === 'object' && (x.kind === 'list' || x.kind === 'tuple') && x.items.every(isTensor)) {
        x = rt.callTorch({ kind: 'torchns', path: 'torch.stack' }, { pos: [x], kw: new Map() }, node);
      }
      if (!isTensor(x)) throw new PyError('TypeError', `${mode}: expected a tensor`, node);
      const shape = einopsShape(mode, x.shape, String(pattern), axes, node);
      return rt.emit(mode, mode === 'reduce' ? 'reduce' : 'shape', extra.modulePath !== undefined ? 'module' : 'function', [x], { shape, dtype: x.dtype }, node, { attrs: { pattern: String(pattern), ...axes }, macs: 0, ...extra });
    };
    const fn = (mode: string) => bi(mode, (a, n) => {
      const reduction = mode === 'reduce' ? a.pos[2] ?? a.kw.get('reduction') ?? 'mean' : undefined;
      return apply(mode, a.pos[0], a.pos[1] ?? a.kw.get('pattern') ?? '', axesOf(a, ['pattern', 'reduction']), n);
      void reduction;
    });
    const layer = (name: string, mode: string): PyClass => {
      const c: PyClass = { kind: 'class', name, qualname: `einops.layers.torch.${name}`, bases: [rt.moduleBase], mro: [], dict: new Map(), torch: 'Module' };
      c.mro = [c, ...rt.moduleBase.mro];
      c.dict.set('__init__', bi('__init__', (a) => {
        const self = a.pos[0] as PyInstance;
        self.attrs.set('pattern', a.pos[1] ?? a.kw.get('pattern') ?? '');
        if (mode === 'reduce') self.attrs.set('reduction', a.pos[2] ?? a.kw.get('reduction') ?? 'mean');
        self.attrs.set('_axes', { kind: 'opaque', repr: JSON.stringify(axesOf(a, ['pattern', 'reduction'])) });
        return null;
      }, true));
      c.dict.set('forward', bi('forward', (a, n) => {
        const self = a.pos[0] as PyInstance;
        const axes = JSON.parse((self.attrs.get('_axes') as { repr: string }).repr) as Record<string, number | null>;
        const path = self.mod!.path ?? rt.rec.path;
        return apply(mode, a.pos[1], self.attrs.get('pattern') ?? '', axes, n, { modulePath: path, moduleType: name, defLoc: self.mod!.defLoc });
      }, true));
      return c;
    };
    const mk = (name: string, entries: Record<string, Value>): void => {
      const m: PyModule = { kind: 'module', name, isPackage: true, globals: new Scope(undefined, undefined), native: new Map(Object.entries(entries)) };
      m.globals.module = m;
      this.env.nativeModules.set(name, m);
    };
    const layers = { Rearrange: layer('Rearrange', 'rearrange'), Reduce: layer('Reduce', 'reduce') };
    mk('einops.layers.torch', layers);
    mk('einops.layers', { torch: this.env.nativeModules.get('einops.layers.torch')! });
    mk('einops', { rearrange: fn('rearrange'), repeat: fn('repeat'), reduce: fn('reduce'), layers: this.env.nativeModules.get('einops.layers')! });
    void it;
  }

  // ------------------------------------------------------------ files and imports

  readFile(p: string): string | undefined {
    if (this.fileCache.has(p)) return this.fileCache.get(p);
    let text: string | undefined;
    if (path.resolve(p) === path.resolve(this.opts.file)) text = this.opts.source;
    if (text === undefined && this.opts.readFile) {
      try { const r = this.opts.readFile(p); text = typeof r === 'string' ? r : undefined; } catch { text = undefined; }
    }
    if (text === undefined) {
      try { text = fs.readFileSync(p, 'utf8'); } catch { text = undefined; }
    }
    this.fileCache.set(p, text);
    return text;
  }

  private isDir(p: string): boolean {
    let r = this.dirCache.get(p);
    if (r === undefined) {
      try { r = fs.statSync(p).isDirectory(); } catch { r = false; }
      this.dirCache.set(p, r);
    }
    return r;
  }

  private findIn(dir: string, dotted: string): { file?: string; dir: string; isPackage: boolean } | undefined {
    const base = dotted ? path.join(dir, ...dotted.split('.')) : dir;
    if (dotted && this.readFile(base + '.py') !== undefined) return { file: base + '.py', dir: path.dirname(base), isPackage: false };
    const init = path.join(base, '__init__.py');
    if (this.readFile(init) !== undefined) return { file: init, dir: base, isPackage: true };
    if (dotted && this.isDir(base)) return { dir: base, isPackage: true };
    return undefined;
  }

  private moduleNameFor(file: string | undefined, dir: string): string {
    const target = file ?? dir;
    for (const root of this.pythonPaths) {
      if (target.startsWith(root + path.sep)) {
        let rel = path.relative(root, target).replace(/\.py$/, '');
        rel = rel.replace(/[\\/]__init__$/, '');
        return rel.split(path.sep).join('.');
      }
    }
    return path.basename(target).replace(/\.py$/, '').replace(/^__init__$/, path.basename(dir));
  }

  /** The module object of a file (parsed and indexed; its top level runs lazily). */
  loadModule(file: string | undefined, dir: string, isPackage: boolean, forceUser = false): PyModule {
    const key = file ?? dir;
    const hit = this.modules.get(key);
    if (hit) return hit;
    const isLib = !forceUser && this.pythonPaths.some((r) => key.startsWith(r + path.sep));
    const m: PyModule = {
      kind: 'module', name: this.moduleNameFor(file, dir), file, isPackage, globals: new Scope(undefined, undefined),
      index: new Map(), starImports: [], done: new Set(), running: new Set(), isUser: !isLib,
    };
    m.globals.module = m;
    (m as PyModule & { dir: string }).dir = isPackage ? (file ? path.dirname(file) : dir) : path.dirname(file ?? dir);
    this.modules.set(key, m);
    if (file) {
      const src = this.readFile(file) ?? '';
      const pf = parseFile(file, src);
      if (!isLib) this.syntax.push(...pf.syntax);
      indexModule(m, pf);
    }
    return m;
  }

  importModule(name: string, level: number, from: PyModule, node: PNode): PyModule | Value | undefined {
    if (level === 0) {
      if (name === 'torch' || name.startsWith('torch.')) return { kind: 'torchns', path: name };
      const nat = this.env.nativeModules.get(NATIVE_ALIASES[name] ?? name);
      if (nat) return nat;
      const top = name.split('.')[0];
      if (this.env.nativeModules.has(top)) {
        return this.env.nativeModules.get(name) ?? opaque(`module ${name}`, name);
      }
      for (const root of [...this.userRoots, ...this.pythonPaths]) {
        const f = this.findIn(root, name);
        if (f) return this.loadModule(f.file, f.dir, f.isPackage);
      }
      if (['__future__', 'os', 'json', 'time', 'pathlib', 'argparse', 'random', 'pickle', 'shutil', 'glob', 'tqdm', 'yaml', 'datetime', 'PIL', 'matplotlib', 'contextlib', 'weakref', 'string', 'struct', 'subprocess', 'tempfile', 'urllib', 'hashlib', 'io', 'csv', 'traceback', 'threading', 'multiprocessing', 'socket', 'platform', 'importlib', 'textwrap', 'pprint', 'heapq', 'bisect', 'uuid', 'zipfile', 'tarfile', 'gzip', 'requests', 'pandas', 'scipy', 'sklearn', 'cv2', 'wandb', 'tensorboard', 'tensorboardX', 'torchsummary', 'thop', 'ptflops', 'fvcore', 'pytorch_lightning', 'lightning'].includes(top)) {
        return opaque(`module ${name}`, name);
      }
      return undefined;
    }
    const fromDir = (from as PyModule & { dir?: string }).dir ?? (from.file ? path.dirname(from.file) : undefined);
    if (!fromDir) return undefined;
    let dir = fromDir;
    for (let i = 1; i < level; i++) dir = path.dirname(dir);
    const f = this.findIn(dir, name);
    if (f) return this.loadModule(f.file, f.dir, f.isPackage);
    void node;
    return undefined;
  }

  // ------------------------------------------------------------ hooks

  private installHooks(): void {
    const it = this.it;
    const rt = this.rt;
    it.hooks = {
      importModule: (name, level, from, node) => this.importModule(name, level, from, node),
      getAttrSpecial: (obj, name, node) => {
        if (obj === null || typeof obj !== 'object') return undefined;
        if (obj.kind === 'tensor') return rt.tensorAttr(obj, name, node);
        if (obj.kind === 'torchns') return rt.torchAttr(obj, name, node);
        if (obj.kind === 'instance' && obj.mod) {
          const cv = it.findClassAttr(obj.cls, name);
          if (cv && typeof cv === 'object' && cv.kind === 'property') return it.bindDescriptor(cv, obj, obj.cls);
          const iv = obj.attrs.get(name);
          if (iv !== undefined) return iv;
          if (cv !== undefined) return it.bindDescriptor(cv, obj, obj.cls);
          const mv = rt.moduleAttr(obj, name);
          if (mv !== undefined) return mv;
          if (obj.mod.opaqueParams || (obj.cls.torch === 'unknown')) return opaque(`${obj.cls.name}.${name}`);
          const ga = it.findClassAttr(obj.cls, '__getattr__');
          if (ga && typeof ga === 'object' && ga.kind === 'function') return it.call(it.bindDescriptor(ga, obj, obj.cls), { pos: [name], kw: new Map() }, node);
          throw new PyError('AttributeError', `'${obj.cls.name}' object has no attribute '${name}'`, node);
        }
        return undefined;
      },
      setAttrSpecial: (obj, name, v, node) => {
        if (obj === null || typeof obj !== 'object') return false;
        if (obj.kind === 'instance' && obj.mod) return rt.setModuleAttr(obj, name, v, node);
        if (obj.kind === 'tensor') {
          if (name === 'requires_grad' && obj.param) obj.param.trainable = v !== false;
          return true;
        }
        return false;
      },
      delAttrSpecial: (obj, name) => {
        if (isModuleInstance(obj)) {
          const m = obj.mod;
          if (m.params.delete(name) || m.buffers.delete(name) || m.children.delete(name)) return true;
        }
        return false;
      },
      callSpecial: (f, args, node) => {
        if (f === null || typeof f !== 'object') return undefined;
        if (f.kind === 'torchns') return rt.callTorch(f, args, node);
        if (f.kind === 'instance' && f.mod) return rt.moduleCall(f, args, node);
        if (f.kind === 'opaque' || f.kind === 'unknown') {
          const name = f.kind === 'opaque' ? f.repr : '<unknown>';
          const inputs = rt.tensorsIn([...args.pos, ...args.kw.values()]);
          if (inputs.length) return rt.unknownOp(name.replace(/^module /, ''), 'function', inputs, node, false);
          const last = name.split('.').pop() ?? '';
          return opaque(/^[A-Z]/.test(last) ? `${name}(...)` : `${name}(...)`, undefined);
        }
        return undefined;
      },
      binopSpecial: (op, a, b, node) => rt.binop(op, a, b, node),
      unarySpecial: (op, a, node) => (isTensor(a) ? rt.unary(op, a, node) : undefined),
      getItemSpecial: (obj, idx, node) => (isTensor(obj) ? rt.tensorGetItem(obj, idx, node) : undefined),
      setItemSpecial: (obj) => isTensor(obj),
      iterSpecial: (obj, node) => {
        if (isTensor(obj)) {
          const n = obj.shape[0];
          if (n === null || n === undefined || n > 256) throw new PyError('Unsupported', 'cannot iterate over a tensor of unknown length', node);
          return Array.from({ length: n }, (_, i) => rt.tensorGetItem(obj, i, node!));
        }
        return undefined;
      },
      lenSpecial: (obj) => {
        if (isTensor(obj)) return obj.shape[0] ?? undefined;
        if (isModuleInstance(obj)) {
          const t = obj.cls.torch;
          if (t === 'Sequential' || t === 'ModuleList' || t === 'ModuleDict') {
            if (it.findClassAttr(obj.cls, '__len__') && obj.cls.dict.has('__len__')) return undefined;
            return obj.mod.children.size;
          }
          if (t === 'ParameterList' || t === 'ParameterDict') return obj.mod.params.size;
        }
        return undefined;
      },
      instantiateSpecial: (cls, args, node) => {
        const ctors = this.env.ctors;
        const direct = ctors.get(cls);
        if (direct) return direct(args, node);
        if (cls.builtin === 'opaque') return opaque(`${cls.name}(...)`);
        const r = rt.instantiate(cls, args, node);
        if (r !== undefined) return r;
        // a user class deriving from a builtin (namedtuple, dict, Exception) without its own __init__
        if (!it.findClassAttr(cls, '__init__') && !cls.dataclassFields) {
          for (const b of cls.mro) {
            const c = ctors.get(b);
            if (c && b !== it.classes.object) {
              const v = c(args, node);
              if (v && typeof v === 'object' && v.kind === 'instance') return { ...v, cls };
              return v;
            }
          }
        }
        return undefined;
      },
    };
  }

  // ------------------------------------------------------------ entry evaluation

  evalEntry(userModule: PyModule, entry: string): Value {
    const pf = parseFile(`<entry>`, entry);
    const stmt = pf.root.children.find((c) => c.named);
    const expr = stmt?.type === 'expression_statement' ? stmt.children.find((c) => c.named) : undefined;
    if (!expr || pf.syntax.length) throw new PyError('SyntaxError', `cannot parse entry '${entry}'`);
    let v = this.it.ev(expr, userModule.globals);
    if (v && typeof v === 'object' && (v.kind === 'class' || v.kind === 'function' || v.kind === 'partial') && expr.type !== 'call') {
      v = this.it.call(v, { pos: [], kw: new Map() }, expr);
    }
    return v;
  }
}

/** Records which top-level statements bind which names, for lazy module evaluation. */
export function indexModule(m: PyModule, pf: ParsedFile): void {
  const index = m.index!;
  const add = (name: string, st: PNode): void => {
    const l = index.get(name);
    if (!l) index.set(name, [st]);
    else if (l[l.length - 1] !== st) l.push(st);
  };
  const targets = (t: PNode, st: PNode): void => {
    switch (t.type) {
      case 'identifier': add(t.text, st); return;
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list': case 'parenthesized_expression':
        for (const c of t.children) if (c.named) targets(c, st);
        return;
      case 'list_splat_pattern': case 'list_splat': for (const c of t.children) if (c.named) targets(c, st); return;
      case 'subscript': case 'attribute': {
        // `cfg['x'] = ...` / `cfg.x = ...` mutate an existing name: run after its definition
        let base = t;
        while (base.type === 'subscript' || base.type === 'attribute') base = field(base, base.type === 'subscript' ? 'value' : 'object')!;
        if (base?.type === 'identifier') add(base.text, st);
      }
    }
  };
  const visit = (st: PNode, top: PNode): void => {
    switch (st.type) {
      case 'function_definition': case 'class_definition': add(field(st, 'name')!.text, top); return;
      case 'decorated_definition': { const d = field(st, 'definition'); if (d) visit(d, top); return; }
      case 'expression_statement': {
        for (const c of st.children) {
          let a: PNode | undefined = c;
          while (a && (a.type === 'assignment' || a.type === 'augmented_assignment')) {
            targets(field(a, 'left')!, top);
            a = field(a, 'right');
          }
          if (c.type === 'call') {
            // `layers.append(...)`, `parser.add_argument(...)` at module level may mutate a name
            const fn = field(c, 'function');
            if (fn?.type === 'attribute') {
              const obj = field(fn, 'object');
              if (obj?.type === 'identifier') add(obj.text, top);
            }
          }
        }
        return;
      }
      case 'import_statement':
        for (const nm of st.fields?.name ?? []) {
          if (nm.type === 'aliased_import') add(field(nm, 'alias')!.text, top);
          else add(nm.children.find((c) => c.type === 'identifier')?.text ?? nm.text, top);
        }
        return;
      case 'import_from_statement':
        if (st.children.some((c) => c.type === 'wildcard_import')) { m.starImports!.push(top); return; }
        for (const nm of st.fields?.name ?? []) {
          if (nm.type === 'aliased_import') add(field(nm, 'alias')!.text, top);
          else add(nm.children.length ? nm.children[nm.children.length - 1].text : nm.text, top);
        }
        return;
      case 'if_statement': case 'try_statement': case 'with_statement': case 'for_statement': case 'while_statement':
      case 'block': case 'elif_clause': case 'else_clause': case 'except_clause': case 'finally_clause':
        for (const c of st.children) if (c.named) visit(c, top);
        if (st.type === 'for_statement') targets(field(st, 'left')!, top);
        return;
    }
  };
  for (const st of pf.root.children) if (st.named) visit(st, st);
}

// -------------------------------------------------------------------- the build

function shapeInfo(first: PyInstance | undefined): { shape: number[]; dtype?: string; why: string } | undefined {
  if (!first?.mod?.layer || !first.mod.layerArgs) return undefined;
  const a = first.mod.layerArgs;
  const t = first.mod.layer.type;
  const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  const bf = a.batch_first === true;
  switch (t) {
    case 'Linear': case 'Bilinear': case 'LazyLinear': return { shape: [1, num(a.in_features ?? a.in1_features, 1)], why: `first layer is ${t}(${num(a.in_features ?? a.in1_features, 1)}, ...)` };
    case 'BatchNorm1d': return { shape: [2, num(a.num_features, 1)], why: 'first layer is BatchNorm1d' };
    case 'Embedding': case 'EmbeddingBag': return { shape: [1, 16], dtype: 'int64', why: `first layer is ${t}: int64 token ids [1, 16]` };
    case 'LSTM': case 'GRU': case 'RNN': {
      const i = num(a.input_size, 1);
      return { shape: bf ? [1, 16, i] : [16, 1, i], why: `first layer is ${t}(input_size=${i}${bf ? ', batch_first' : ''}): a sequence of 16` };
    }
    case 'Conv1d': return { shape: [1, num(a.in_channels, 1), 224], why: 'first layer is Conv1d: length 224' };
    case 'Conv3d': return { shape: [1, num(a.in_channels, 3), 16, 112, 112], why: 'first layer is Conv3d: 16 frames of 112x112' };
    case 'Conv2d': {
      const c = num(a.in_channels, 3);
      return c === 3 ? undefined : { shape: [1, c, 224, 224], why: `first layer is Conv2d(${c}, ...)` };
    }
    case 'ConvTranspose2d': return { shape: [1, num(a.in_channels, 1), 1, 1], why: 'first layer is ConvTranspose2d: a 1x1 latent (generator)' };
    case 'TransformerEncoderLayer': case 'TransformerEncoder': case 'MultiheadAttention': case 'Transformer': {
      const d = num(a.d_model ?? a.embed_dim, 512);
      return { shape: bf ? [1, 16, d] : [16, 1, d], why: `first layer is ${t}: a sequence of 16 of width ${d}` };
    }
    case 'LayerNorm': {
      const ns = a.normalized_shape;
      const dims = Array.isArray(ns) ? ns.map((x) => num(x, 1)) : [num(ns, 1)];
      return { shape: [1, 16, ...dims], why: 'first layer is LayerNorm: a sequence of 16' };
    }
  }
  return undefined;
}

/** Square sizes tried, in order, when no input shape is given and the default does not fit the model. */
const FALLBACK_SIZES = [32, 28, 64, 96, 128, 256, 299, 512, 227, 160, 112, 48, 16];

export async function buildArchGraph(opts: BuildOptions): Promise<ArchGraph> {
  const g = await buildOnce(opts);
  if (opts.inputShape) return g;
  // No shape given and the default image size does not fit (a 28x28 MNIST or 32x32 CIFAR model):
  // find the first common square size with which forward runs without a shape error.
  const a = g.getAttributes();
  const shapeErr = a.diagnostics.find((d) => d.code === 'shape-error');
  const tried = a.inputShape;
  if (!shapeErr || tried.length !== 4 || tried[2] !== DEFAULT_INPUT_SHAPE[2] || tried[3] !== DEFAULT_INPUT_SHAPE[3]) return g;
  const t0 = Date.now();
  for (const size of FALLBACK_SIZES) {
    if (Date.now() - t0 > 1500) break;
    const shape = [tried[0] ?? 1, tried[1] ?? 3, size, size];
    const g2 = await buildOnce({ ...opts, inputShape: shape });
    const a2 = g2.getAttributes();
    if (a2.diagnostics.some((d) => d.code === 'shape-error' || d.code === 'step-budget')) continue;
    a2.diagnostics = a2.diagnostics.filter((d) => !(d.code === 'input-shape' && d.message.startsWith('No input shape given')));
    a2.diagnostics.unshift({
      severity: 'info', code: 'input-shape',
      message: `No input shape given: the default [${tried.join(', ')}] does not fit this model (${shapeErr.message.slice(0, 120)}); using [${shape.join(', ')}], the first common size that does. Pass an input shape to choose another.`,
    });
    g2.setAttribute('diagnostics', a2.diagnostics);
    return g2;
  }
  return g;
}

async function buildOnce(opts: BuildOptions): Promise<ArchGraph> {
  await initParser();
  const file = path.resolve(opts.file);
  const s = new Session({ ...opts, file });
  const it = s.it;
  const rt = s.rt;
  let root: PyInstance | undefined;
  let inputShape: TensorShape = opts.inputShape ?? DEFAULT_INPUT_SHAPE;
  let outputShape: TensorShape | null = null;
  let modelType = '';
  it.deadline = Date.now() + (opts.timeLimitMs ?? 5_000);
  const userModule = s.loadModule(file, path.dirname(file), false, true);
  // Interpreter errors are control flow here: JS stack traces would only cost time.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    let v: Value;
    try {
      v = s.evalEntry(userModule, opts.entry);
    } catch (e) {
      if (e instanceof PyError) { it.reportError(e, e.node ?? userModule.index?.values().next().value?.[0] ?? pseudoNode(file)); v = null; }
      else throw e;
    }
    if (opts.inputShape && !opts.inputShape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31)) {
      it.diag('error', 'bad-input-shape', `Invalid input shape [${opts.inputShape.join(', ')}]: dimensions must be non-negative integers`, undefined);
      v = null;
    }
    if (isModuleInstance(v)) root = v;
    else if (v !== null) it.diag('error', 'not-a-module', `'${opts.entry}' does not build an nn.Module (got ${repr(v).slice(0, 60)})`, undefined);
    if (root) {
      modelType = root.cls.name;
      const named = rt.namedModules(root, '');
      for (const [p, m] of named) m.mod!.path = p;
      if (!opts.inputShape) {
        const first = named.find(([, m]) => m.mod!.layer || m.cls.torch === 'unknown')?.[1];
        const info = shapeInfo(first);
        if (info) {
          inputShape = info.shape;
          it.diag('info', 'input-shape', `No input shape given: using [${info.shape.join(', ')}] because the ${info.why}`, first?.mod?.defLoc, false);
          (s as { inputDtype?: string }).inputDtype = info.dtype;
        } else {
          it.diag('info', 'input-shape', `No input shape given: using the default [${DEFAULT_INPUT_SHAPE.join(', ')}]`, undefined, false);
        }
      }
      // forward, with a fresh budget
      if (process.env.GHN_DEBUG_STEPS) console.error(`construction steps: ${it.steps}`);
      it.steps = 0;
      rt.rec.active = true;
      const inputs = forwardInputs(s, root, inputShape);
      try {
        const out = rt.moduleCall(root, { pos: inputs, kw: new Map() }, undefined);
        const outs = rt.tensorsIn(out, [], 0);
        const flat = outs.length ? outs : [];
        if (flat.length) outputShape = [...flat[0].shape];
        else it.diag('warning', 'no-output', `forward of ${modelType} returned no tensor (${repr(out).slice(0, 60)})`, undefined);
        rt.rec.active = true;
        rt.rec.add({ op: 'output', category: 'output', kind: 'output', modulePath: '', attrs: {}, params: [], macs: 0, macsExact: true }, flat, flat.length ? [[...flat[0].shape]] : []);
      } catch (e) {
        if (e instanceof PyError) it.reportError(e, e.node ?? pseudoNode(file));
        else if (e instanceof BudgetError) it.diag('error', 'step-budget', `Step budget (${it.budget} steps) exhausted while tracing forward`, e.node);
        else throw e;
      }
    }
  } catch (e) {
    if (e instanceof BudgetError) it.diag('error', 'step-budget', `Step budget (${it.budget} steps) exhausted while building the model`, e.node);
    else if (e instanceof RangeError) it.diag('error', 'recursion', `Recursion too deep: ${e.message}`, undefined);
    else { Error.stackTraceLimit = stackLimit; it.diag('error', 'internal', `Internal error: ${(e as Error).message}`, undefined); }
  } finally {
    if (process.env.GHN_DEBUG_STEPS) console.error(`forward steps: ${it.steps}`);
    rt.rec.active = false;
    Error.stackTraceLimit = stackLimit;
  }
  try {
    return assemble(s, opts.entry, root, modelType, inputShape, outputShape);
  } catch (e) {
    it.diag('error', 'internal', `Internal error while assembling the graph: ${(e as Error).message}`, undefined);
    return assemble(s, opts.entry, undefined, modelType, inputShape, null);
  }
}

function pseudoNode(file: string): PNode {
  const pf: ParsedFile = { path: file, source: '', root: undefined as unknown as PNode, syntax: [] };
  return { type: 'module', named: true, text: '', children: [], fields: null, sl: 0, sc: 0, el: 0, ec: 0, si: 0, ei: 0, file: pf };
}

function forwardInputs(s: Session, root: PyInstance, shape: TensorShape): Value[] {
  const it = s.it;
  const fwd = it.findClassAttr(root.cls, 'forward');
  let required = 1;
  if (fwd && typeof fwd === 'object' && fwd.kind === 'function') {
    const ps = fwd.params.slice(1).filter((p) => p.kind === 'pos' && !p.hasDefault);
    required = Math.max(1, ps.length);
    if (required > 1) it.diag('info', 'input-shape', `forward takes ${required} inputs: each gets shape [${shape.join(', ')}]`, fwd.node, false);
  }
  const dtype = s.opts.inputDtype ?? (s as { inputDtype?: string }).inputDtype ?? 'float32';
  const out: Value[] = [];
  for (let i = 0; i < required; i++) {
    const id = s.rt.rec.add({ op: 'input', category: 'input', kind: 'input', modulePath: '', attrs: { index: i, dtype }, params: [], macs: 0, macsExact: true }, [], [[...shape]]);
    const t: Tensor = { kind: 'tensor', shape: [...shape], dtype, src: { node: id, out: 0 } };
    out.push(t);
  }
  return out;
}

function assemble(s: Session, entry: string, root: PyInstance | undefined, modelType: string, inputShape: TensorShape, outputShape: TensorShape | null): ArchGraph {
  const it = s.it;
  const rt = s.rt;
  const modules: ModuleInfo[] = [];
  const stateDict: ParamTensor[] = [];
  let totalParams = 0;
  let trainableParams = 0;
  if (root) {
    const named = rt.namedModules(root, '');
    for (const [p, m] of named) {
      if (m.mod!.path === undefined) m.mod!.path = p;
    }
    for (const [p, m] of named) {
      const info: ModuleInfo = {
        path: p, type: m.cls.name,
        children: [...m.mod!.children.entries()].filter(([, c]) => c !== null).map(([k, c]) => c!.mod!.path ?? (p ? `${p}.${k}` : k)),
        params: rt.directParams(m, p), isLeaf: !!m.mod!.layer || m.cls.torch === 'unknown',
      };
      if (m.mod!.defLoc) info.defLoc = m.mod!.defLoc;
      modules.push(info);
    }
    const seen = new Set<Tensor>();
    let incomplete = false;
    for (const [, m] of named) {
      if (m.mod!.opaqueParams) incomplete = true;
      for (const t of m.mod!.params.values()) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        const n = t.shape.reduce<number>((a, d) => a * (d ?? 0), 1);
        totalParams += n;
        if (t.param?.trainable !== false) trainableParams += n;
      }
    }
    if (incomplete) it.diag('warning', 'params-incomplete', 'The parameter count is incomplete: some layers could not be resolved (see the other diagnostics)', undefined);
    const sd = (m: PyInstance, prefix: string, depth: number): void => {
      if (depth > 64) return;
      stateDict.push(...rt.directParams(m, prefix.replace(/\.$/, '')).filter((t) => t.persistent));
      for (const [k, c] of m.mod!.children) if (c) sd(c, `${prefix}${k}.`, depth + 1);
    };
    sd(root, '', 0);
  }
  for (const d of s.syntax) {
    it.diags.unshift(d);
    it.partial = true;
  }
  // callIndex: 0, 1, ... on every call of a module that is called more than once
  const calls = new Map<string, OpNode[]>();
  for (const n of rt.rec.nodes) if (n.kind === 'module') (calls.get(n.modulePath) ?? calls.set(n.modulePath, []).get(n.modulePath)!).push(n);
  for (const ns of calls.values()) {
    if (ns.length > 1) ns.forEach((n, i) => { n.callIndex = i; });
    else delete ns[0].callIndex;
  }
  const g: ArchGraph = new MultiDirectedGraph<OpNode, TensorEdge, ArchGraphAttributes>();
  for (const n of rt.rec.nodes) g.addNode(n.id, n);
  for (const e of rt.rec.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.addEdge(e.source, e.target, e.attr);
  const macs = rt.rec.nodes.reduce((a, n) => a + (Number.isFinite(n.macs) ? n.macs : 0), 0);
  const attrs: ArchGraphAttributes = {
    entry, modelType, inputShape: [...inputShape], outputShape, modules, stateDict, totalParams, trainableParams, macs,
    diagnostics: it.diags, partial: it.partial || !root,
  };
  g.replaceAttributes(attrs);
  return g;
}

export { UNKNOWN, locOf };
export type { Args, PyClass };
