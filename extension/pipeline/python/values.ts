/**
 * The values of the abstract interpreter: Python objects as far as model code needs them, plus symbolic
 * tensors (a shape, never data) and opaque placeholders for what cannot be known.
 */
import type { SourceLocation, TensorShape } from '../arch/types';
import type { BoundArgs, LayerSpec } from '../torchnn/types';
import type { PNode } from './parse';

export type Value =
  | null | boolean | number | string
  | PyList | PyTuple | PyDict | PySet | PyRange | PySlice | PyEllipsis
  | Tensor | PyFunction | BoundMethod | Builtin | PyClass | PyInstance | PyModule | TorchNs
  | Opaque | Unknown | Partial | Wrapped | Super | PyIterator | PyCell;

export interface PyList { kind: 'list'; items: Value[] }
export interface PyTuple { kind: 'tuple'; items: Value[]; /** namedtuple-ish field names */ names?: string[] }
export interface PyDict { kind: 'dict'; map: Map<string, [Value, Value]>; ordered?: boolean; defaultFactory?: Value }
export interface PySet { kind: 'set'; map: Map<string, Value> }
export interface PyRange { kind: 'range'; start: number; stop: number; step: number }
export interface PySlice { kind: 'slice'; start: Value; stop: Value; step: Value }
export interface PyEllipsis { kind: 'ellipsis' }
export interface PyIterator { kind: 'iterator'; items: Value[]; pos: number }
export interface PyCell { kind: 'cell'; value: Value }

/** A symbolic tensor. `src` links it to the op that produced it in the forward graph. */
export interface Tensor {
  kind: 'tensor';
  shape: TensorShape;
  dtype?: string;
  src?: { node: string; out: number };
  /** Set for nn.Parameter values. */
  param?: { trainable: boolean };
  /** Known values (row-major) of a small constant tensor: `torch.arange(4) * 2`, `torch.linspace(0, .1, 12)`. */
  data?: number[];
}

export interface ParamSpec {
  name: string;
  kind: 'pos' | 'star' | 'kwonly' | 'dstar';
  default?: Value;
  hasDefault: boolean;
}

export interface PyFunction {
  kind: 'function';
  name: string;
  params: ParamSpec[];
  /** `block` for def, an expression for lambda. */
  body: PNode;
  isLambda: boolean;
  closure: Scope;
  module: PyModule;
  node: PNode;
  /** Class that defined it (for zero-argument super()). */
  owner?: PyClass;
  isGenerator?: boolean;
  /** torchvision's @handle_legacy_interface: `pretrained=` keywords are accepted and dropped. */
  legacy?: boolean;
}

export interface BoundMethod { kind: 'bound'; self: Value; fn: Value }

export type Args = { pos: Value[]; kw: Map<string, Value> };

export interface Builtin {
  kind: 'builtin';
  name: string;
  call: (args: Args, node: PNode | undefined) => Value;
  /** Method-style builtins stored in a class dict receive `self` first. */
  method?: boolean;
}

export interface ModuleData {
  params: Map<string, Tensor | null>;
  buffers: Map<string, Tensor | null>;
  nonPersistent: Set<string>;
  children: Map<string, PyInstance | null>;
  layer?: LayerSpec;
  layerArgs?: BoundArgs;
  /** An instance of something we cannot see into (unresolved import): its parameters are unknown. */
  opaqueParams?: boolean;
  defLoc?: SourceLocation;
  path?: string;
  calls: number;
}

export interface PyClass {
  kind: 'class';
  name: string;
  qualname: string;
  bases: PyClass[];
  mro: PyClass[];
  dict: Map<string, Value>;
  defLoc?: SourceLocation;
  /** builtin python class (int, list, Exception...) */
  builtin?: string;
  /** torch.nn class: 'Module', a container, or a catalogue layer */
  torch?: 'Module' | 'Sequential' | 'ModuleList' | 'ModuleDict' | 'ParameterList' | 'ParameterDict' | 'layer' | 'unknown';
  layer?: LayerSpec;
  isEnum?: boolean;
  /** Lazily evaluated class body (Enum subclasses). */
  lazy?: { stmts: PNode[]; scope: Scope; done: Set<PNode> };
  dataclassFields?: { name: string; default?: Value; factory?: Value; hasDefault: boolean }[];
  module?: PyModule;
}

export interface PyInstance {
  kind: 'instance';
  cls: PyClass;
  attrs: Map<string, Value>;
  mod?: ModuleData;
  /** builtin payload: exception args etc. */
  payload?: Value;
}

/** The dict a `dict` subclass instance (class AttrDict(dict)) holds its items in, if it is one. */
export function dictPayload(inst: PyInstance): PyDict | undefined {
  const p = inst.payload;
  return p && typeof p === 'object' && p.kind === 'dict' ? p : undefined;
}

export interface PyModule {
  kind: 'module';
  name: string;
  file?: string;
  isPackage: boolean;
  globals: Scope;
  /** Lazy top-level: name -> defining statements. */
  index?: Map<string, PNode[]>;
  starImports?: PNode[];
  done?: Set<PNode>;
  running?: Set<PNode>;
  /** Names provided natively (math, functools...). */
  native?: Map<string, Value>;
  isUser?: boolean;
}

export interface TorchNs { kind: 'torchns'; path: string }

export interface Opaque { kind: 'opaque'; repr: string; qualname?: string }
export interface Unknown { kind: 'unknown'; why?: string }
export interface Partial { kind: 'partial'; fn: Value; args: Value[]; kw: Map<string, Value> }
export interface Wrapped { kind: 'staticmethod' | 'classmethod' | 'property'; fn: Value }
export interface Super { kind: 'super'; cls: PyClass; self: Value }

export class Scope {
  vars = new Map<string, Value>();
  globalNames?: Set<string>;
  nonlocalNames?: Set<string>;
  constructor(public parent: Scope | undefined, public module: PyModule | undefined, public isClass = false) {}
}

export const NONE = null;
export const ELLIPSIS: PyEllipsis = { kind: 'ellipsis' };
export const UNKNOWN: Unknown = { kind: 'unknown' };

export function list(items: Value[]): PyList { return { kind: 'list', items }; }
export function tuple(items: Value[]): PyTuple { return { kind: 'tuple', items }; }
export function opaque(repr: string, qualname?: string): Opaque { return qualname ? { kind: 'opaque', repr, qualname } : { kind: 'opaque', repr }; }

let idCounter = 0;
const ids = new WeakMap<object, number>();
export function objId(o: object): number {
  let i = ids.get(o);
  if (i === undefined) { i = ++idCounter; ids.set(o, i); }
  return i;
}

/** Hash key for dict/set membership. */
export function keyOf(v: Value): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'boolean': return 'n' + (v ? 1 : 0);
    case 'number': return 'n' + v;
    case 'string': return 's' + v;
  }
  if (v.kind === 'tuple') return 't(' + v.items.map(keyOf).join(',') + ')';
  return 'o' + objId(v);
}

export function dictFrom(entries: [Value, Value][]): PyDict {
  const d: PyDict = { kind: 'dict', map: new Map() };
  for (const [k, v] of entries) d.map.set(keyOf(k), [k, v]);
  return d;
}

export function dictGet(d: PyDict, k: Value): Value | undefined {
  const e = d.map.get(keyOf(k));
  return e ? e[1] : undefined;
}

export function dictSet(d: PyDict, k: Value, v: Value): void {
  const key = keyOf(k);
  const e = d.map.get(key);
  if (e) e[1] = v; else d.map.set(key, [k, v]);
}

export function isTensor(v: Value): v is Tensor {
  return v !== null && typeof v === 'object' && v.kind === 'tensor';
}

export function isModuleInstance(v: Value): v is PyInstance & { mod: ModuleData } {
  return v !== null && typeof v === 'object' && v.kind === 'instance' && !!v.mod;
}

export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float';
    case 'string': return 'str';
  }
  switch (v.kind) {
    case 'instance': return v.cls.name;
    case 'class': return 'type';
    case 'tensor': return v.param ? 'Parameter' : 'Tensor';
    case 'bound': case 'builtin': return 'method';
    case 'torchns': return 'module';
    case 'opaque': return v.repr;
    default: return v.kind;
  }
}

export function repr(v: Value, depth = 0): string {
  if (depth > 4) return '...';
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean': return v ? 'True' : 'False';
    case 'number': return Number.isFinite(v) ? String(v) : (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
    case 'string': return depth ? `'${v}'` : v;
  }
  switch (v.kind) {
    case 'list': return '[' + v.items.map((x) => repr(x, depth + 1)).join(', ') + ']';
    case 'tuple': return '(' + v.items.map((x) => repr(x, depth + 1)).join(', ') + (v.items.length === 1 ? ',)' : ')');
    case 'dict': return '{' + [...v.map.values()].map(([k, x]) => repr(k, depth + 1) + ': ' + repr(x, depth + 1)).join(', ') + '}';
    case 'set': return '{' + [...v.map.values()].map((x) => repr(x, depth + 1)).join(', ') + '}';
    case 'tensor': return `tensor(shape=[${v.shape.map((d) => (d === null ? '?' : d)).join(', ')}])`;
    case 'class': return `<class '${v.name}'>`;
    case 'instance': return `<${v.cls.name} object>`;
    case 'function': return `<function ${v.name}>`;
    case 'builtin': return `<built-in ${v.name}>`;
    case 'module': return `<module '${v.name}'>`;
    case 'torchns': return v.path;
    case 'opaque': return v.repr;
    case 'unknown': return '<unknown>';
    case 'range': return `range(${v.start}, ${v.stop}, ${v.step})`;
    case 'slice': return `slice(${repr(v.start)}, ${repr(v.stop)}, ${repr(v.step)})`;
    case 'ellipsis': return 'Ellipsis';
    default: return `<${v.kind}>`;
  }
}
