/**
 * Small builders for catalogue entries, so family files stay declarative.
 *
 * MAC convention (the whole catalogue): only multiply-accumulates of contractions are counted —
 * convolutions, linear maps, matmul-type products, attention and recurrent layers — exactly what
 * `torch.profiler` reports FLOPs for (halved). Element-wise ops, activations, norms, pooling and shape ops
 * count 0, so a model's total equals the profiler's conv+matmul FLOPs / 2 (fvcore's convention too).
 */
import type { OpCategory } from '../arch/types';
import type { ArgSpec, BoundArgs, CatValue, FunctionSpec, LayerSpec, LocalTensor, OutTree } from './types';
import { sameAs } from './shapeMath';

export function param(name: string, shape: number[], trainable = true): LocalTensor {
  return { name, shape, role: 'parameter', trainable, persistent: true, dtype: 'float32' };
}

export function buffer(name: string, shape: number[], dtype = 'float32', persistent = true): LocalTensor {
  return { name, shape, role: 'buffer', trainable: false, persistent, dtype };
}

/** `name` required, or with a default. */
export function arg(name: string, ...def: [CatValue] | []): ArgSpec {
  return def.length ? { name, default: def[0] } : { name };
}

export function varargs(name: string): ArgSpec {
  return { name, variadic: true };
}

/** Trailing `device=None, dtype=None` that factory kwargs add to most constructors. */
export const FACTORY_KWARGS: ArgSpec[] = [arg('device', null), arg('dtype', null)];

export const NO_MACS = (): number => 0;

/** A parameter-free layer whose output has its input's shape (most activations, dropout, Identity). */
export function shapePreservingLayer(type: string, category: OpCategory, signature: ArgSpec[], attrNames: string[] = []): LayerSpec {
  return {
    type,
    category,
    signature,
    tensors: () => [],
    forward: (_args, inputs) => sameAs(inputs, 'input', type),
    macs: NO_MACS,
    attrs: (args) => pick(args, attrNames),
  };
}

/** Plain-JSON copy of the named arguments (tensors and opaque values dropped). */
export function pick(args: BoundArgs, names: string[]): Record<string, unknown> {
  const outAttrs: Record<string, unknown> = {};
  for (const n of names) {
    const v = toJson(args[n]);
    if (v !== undefined) outAttrs[n] = v;
  }
  return outAttrs;
}

function toJson(v: CatValue): unknown {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v.kind === 'dict') return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, toJson(x)]));
  return undefined;
}

/** A function spec whose output has the shape of its first tensor argument (`torch.sigmoid`, `Tensor.contiguous`). */
export function shapePreservingFunction(op: string, category: OpCategory, names: string[], signature: ArgSpec[], input = 'input'): FunctionSpec {
  return { op, category, names, signature, forward: (args): OutTree => sameAs(args, input, op), macs: NO_MACS };
}

/**
 * The standard spellings of a torch function: `torch.X`, `Tensor.X` and, when `inplace`, `Tensor.X_`;
 * `functional` adds `torch.nn.functional.X`.
 */
export function spellings(name: string, opts: { torch?: boolean; tensor?: boolean; inplace?: boolean; functional?: boolean } = {}): string[] {
  const { torch = true, tensor = true, inplace = false, functional = false } = opts;
  const names: string[] = [];
  if (torch) names.push(`torch.${name}`);
  if (tensor) names.push(`Tensor.${name}`);
  if (inplace) names.push(`Tensor.${name}_`);
  if (functional) names.push(`torch.nn.functional.${name}`);
  return names;
}

/**
 * A module instance passed as a constructor argument (`TransformerEncoder(encoder_layer, 6)`), in the
 * catalogue's plain-value form: a dict whose `__module__` entry is the class name and whose other
 * entries are that module's bound constructor arguments.
 */
export function moduleArg(type: string, args: BoundArgs): CatValue {
  return { kind: 'dict', entries: { __module__: type, ...args } };
}

/** Reads a `moduleArg` value back; undefined when `v` is not one. */
export function readModuleArg(v: CatValue): { type: string; args: BoundArgs } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'dict') return undefined;
  const { __module__: type, ...rest } = v.entries;
  return typeof type === 'string' ? { type, args: rest } : undefined;
}

function fillDtype(t: OutTree, dtype: string | undefined): OutTree {
  if (dtype === undefined) return t;
  if (Array.isArray(t)) return t.map((x) => fillDtype(x, dtype));
  return t.dtype === undefined ? { ...t, dtype } : t;
}

function dtypeOfValue(v: CatValue): string | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'tensor' ? v.dtype : undefined;
}

/**
 * Outputs that state no dtype take the dtype of argument `from` (a reshape of int64 token ids stays
 * int64: consumers would otherwise assume float32). Mutates and returns the specs.
 */
export function inheritDtype(specs: FunctionSpec[], from = 'input'): FunctionSpec[] {
  for (const s of specs) {
    const forward = s.forward;
    s.forward = (args) => fillDtype(forward(args), dtypeOfValue(args[from]));
  }
  return specs;
}

/** inheritDtype for layers: outputs take the dtype of the forward input `from`. */
export function inheritLayerDtype(specs: LayerSpec[], from = 'input'): LayerSpec[] {
  for (const s of specs) {
    const forward = s.forward;
    s.forward = (args, inputs) => fillDtype(forward(args, inputs), dtypeOfValue(inputs[from]));
  }
  return specs;
}
