/**
 * Shape arithmetic shared by every catalogue family: argument coercion, PyTorch's output-size formulas,
 * broadcasting, dimension wrapping. Each rule lives here once.
 *
 * Unknown dimensions are `null` and propagate: any formula with a `null` operand yields `null`.
 */
import type { TensorShape } from '../arch/types';
import { ArgumentError, ShapeError } from './types';
import type { BoundArgs, CatValue, OutTree, SymTensor } from './types';

export type Dim = number | null;

export function isTensor(v: CatValue): v is SymTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'tensor';
}

/** Python's type name of a value, for error messages. */
export function pyTypeName(v: CatValue): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'tuple';
  if (v.kind === 'tensor') return 'Tensor';
  if (v.kind === 'dict') return 'dict';
  return v.repr;
}

/** The shape of a required tensor argument; PyTorch raises a TypeError for anything else. */
export function tensorShape(args: BoundArgs, name: string, where: string): TensorShape {
  const v = args[name];
  if (!isTensor(v)) throw new ShapeError(`${where}(): argument '${name}' must be Tensor, not ${pyTypeName(v)}`);
  return v.shape;
}

/** The shape of an optional tensor argument (None gives undefined). */
export function optionalTensorShape(args: BoundArgs, name: string, where: string): TensorShape | undefined {
  const v = args[name];
  if (v === null || v === undefined) return undefined;
  return tensorShape(args, name, where);
}

/** Shape of a tensor, or [] for a Python scalar operand (which broadcasts like a 0-d tensor). */
export function operandShape(v: CatValue, where: string): TensorShape {
  if (isTensor(v)) return v.shape;
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  throw new ShapeError(`${where}(): unsupported operand type ${pyTypeName(v)}`);
}

/** A statically known int argument. */
export function intArg(v: CatValue, name: string, where: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new ArgumentError(`${where}: '${name}' must be a known int, got ${pyTypeName(v)}`);
}

/** An int that may be unknown (opaque or None): `null` then. Used for sizes that only affect shapes. */
export function maybeInt(v: CatValue): Dim {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return null;
}

/** A number (int or float) argument. */
export function numberArg(v: CatValue, name: string, where: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ArgumentError(`${where}: '${name}' must be a known number, got ${pyTypeName(v)}`);
}

export function boolArg(v: CatValue, name: string, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v === null || v === undefined) return false;
  throw new ArgumentError(`${where}: '${name}' must be a known bool, got ${pyTypeName(v)}`);
}

/** PyTorch's `_ntuple(n)`: an int repeats n times, a sequence is taken as is (and must have n items). */
export function normalizeTuple(v: CatValue, n: number, name: string, where: string): number[] {
  if (Array.isArray(v)) {
    const vals = v.map((x) => intArg(x, name, where));
    if (vals.length === 1 && n > 1) return Array<number>(n).fill(vals[0]);
    if (vals.length !== n) throw new ShapeError(`${where}: expected ${name} to be a single integer value or a list of ${n} values`);
    return vals;
  }
  return Array<number>(n).fill(intArg(v, name, where));
}

export function product(values: Dim[]): Dim {
  let p = 1;
  for (const v of values) {
    if (v === null) return null;
    p *= v;
  }
  return p;
}

export function numel(shape: TensorShape): Dim {
  return product(shape);
}

/** Sum of non-null numbers, or null if any term is null. */
export function sumOrNull(values: (number | null)[]): number | null {
  let s = 0;
  for (const v of values) {
    if (v === null) return null;
    s += v;
  }
  return s;
}

/** Convolution and pooling output size: floor((in + 2p - d(k-1) - 1) / s + 1), PyTorch's formula. */
export function convOutputSize(input: Dim, kernel: number, stride: number, padding: number, dilation: number, ceilMode = false): Dim {
  if (input === null) return null;
  const span = input + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // ceil_mode: the last window must start inside the input or the left padding (pooling_output_shape in ATen).
  if (ceilMode && (out - 1) * stride >= input + padding) out -= 1;
  return out;
}

/** Transposed convolution: (in - 1)s - 2p + d(k-1) + output_padding + 1. */
export function convTransposeOutputSize(input: Dim, kernel: number, stride: number, padding: number, dilation: number, outputPadding: number): Dim {
  if (input === null) return null;
  return (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(a: TensorShape, b: TensorShape, where: string): TensorShape {
  const n = Math.max(a.length, b.length);
  const out: TensorShape = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === null || y === null) out.push(x ?? y);
    else if (x === y) out.push(x);
    else {
      throw new ShapeError(
        `${where}: The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

export function broadcastAll(shapes: TensorShape[], where: string): TensorShape {
  return shapes.reduce((acc, s) => broadcastShapes(acc, s, where), [] as TensorShape);
}

/** Wraps a possibly negative dim into [0, rank); a 0-d tensor accepts -1 and 0 like PyTorch. */
export function wrapDim(dim: number, rank: number, where: string): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) {
    throw new ShapeError(`${where}: Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** A `dim` argument that may be an int, a tuple of ints, or None (all dims). */
export function dimList(v: CatValue, rank: number, where: string): number[] {
  if (v === null || v === undefined) return [...Array(rank).keys()];
  const raw = Array.isArray(v) ? v : [v];
  const dims = raw.map((d) => wrapDim(intArg(d, 'dim', where), rank, where));
  if (new Set(dims).size !== dims.length) throw new ShapeError(`${where}: dim appears multiple times in the list of dims`);
  return dims;
}

/** `view(*shape)` accepts `view(2, 3)` and `view((2, 3))`: flatten one level of nesting. */
export function sizeArgs(v: CatValue): CatValue[] {
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 1 && Array.isArray(items[0])) return items[0];
  return items;
}

/** Resolves a view/reshape target, inferring one -1; unknown sizes stay null. */
export function inferViewShape(input: TensorShape, sizes: CatValue[], where: string): TensorShape {
  const target: Dim[] = sizes.map((s) => (isTensor(s) ? null : maybeInt(s)));
  const minus = target.reduce<number[]>((acc, d, i) => (d === -1 ? [...acc, i] : acc), []);
  if (minus.length > 1) throw new ShapeError(`${where}: only one dimension can be inferred`);
  const total = numel(input);
  if (minus.length === 1) {
    const known = product(target.filter((d, i) => i !== minus[0]));
    if (total === null || known === null) {
      target[minus[0]] = leadingUnknownCancels(input, target, minus[0]);
    } else {
      if (known === 0 || total % known !== 0) throw new ShapeError(`${where}: shape '[${fmtDims(target)}]' is invalid for input of size ${total}`);
      target[minus[0]] = total / known;
    }
  } else {
    const want = product(target);
    if (total !== null && want !== null && total !== want) {
      throw new ShapeError(`${where}: shape '[${fmtDims(target)}]' is invalid for input of size ${total}`);
    }
    // One unknown target dim can still be recovered from the element count.
    const unknown = target.reduce<number[]>((acc, d, i) => (d === null ? [...acc, i] : acc), []);
    if (unknown.length === 1 && total !== null) {
      const known = product(target.filter((_, i) => i !== unknown[0]));
      if (known !== null && known !== 0 && total % known === 0) target[unknown[0]] = total / known;
    }
  }
  return target;
}

/**
 * `x.view(x.size(0), -1)` with an unknown batch: when the input's only unknown dim and the target's only
 * unknown size both lead, they are taken to be the same (the idiom's meaning), so -1 is still inferred.
 */
function leadingUnknownCancels(input: TensorShape, target: Dim[], minusAt: number): Dim {
  const rest = target.filter((_, i) => i !== minusAt);
  const inputUnknown = input.filter((d) => d === null).length;
  const targetUnknown = rest.filter((d) => d === null).length;
  if (inputUnknown !== 1 || targetUnknown !== 1 || input[0] !== null || target[0] !== null || minusAt === 0) return null;
  const knownIn = product(input.slice(1));
  const knownOut = product(rest.slice(1));
  return knownIn !== null && knownOut !== null && knownOut !== 0 && knownIn % knownOut === 0 ? knownIn / knownOut : null;
}

export function fmtDims(shape: TensorShape): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join(', ');
}

export function out(shape: TensorShape, dtype?: string): OutTree {
  return dtype === undefined ? { shape } : { shape, dtype };
}

/** Output that keeps the shape (and dtype) of a tensor argument. */
export function sameAs(args: BoundArgs, name: string, where: string): OutTree {
  const v = args[name];
  const shape = tensorShape(args, name, where);
  return isTensor(v) && v.dtype !== undefined ? out([...shape], v.dtype) : out([...shape]);
}

/** Every tensor shape in an OutTree, depth first. */
export function leafShapes(t: OutTree): TensorShape[] {
  return Array.isArray(t) ? t.flatMap(leafShapes) : [t.shape];
}

/** Multiplies MAC factors, null when any is unknown. */
export function macsOf(...factors: Dim[]): number | null {
  return product(factors);
}

const DTYPE_NAMES: Record<string, string> = {
  'torch.float32': 'float32', 'torch.float': 'float32', 'torch.float64': 'float64', 'torch.double': 'float64', 'torch.float16': 'float16',
  'torch.half': 'float16', 'torch.bfloat16': 'bfloat16', 'torch.int64': 'int64', 'torch.long': 'int64', 'torch.int32': 'int32',
  'torch.int': 'int32', 'torch.bool': 'bool', 'torch.uint8': 'uint8', 'torch.int8': 'int8', 'torch.int16': 'int16',
};

/** The dtype a `torch.float16`-style value names (the interpreter passes dtypes as opaque values with a qualname). */
export function dtypeName(v: CatValue): string | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'opaque' && v.qualname) return DTYPE_NAMES[v.qualname];
  return undefined;
}


const KIND_OF_DTYPE: Record<string, number> = {
  bool: 0, uint8: 1, int8: 1, int16: 1, int32: 1, int64: 1, float16: 2, bfloat16: 2, float32: 2, float64: 2, complex32: 3, complex64: 3, complex128: 3,
};
const WIDTH: Record<string, number> = {
  bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4, float16: 1, bfloat16: 1, float32: 2, float64: 3, complex32: 1, complex64: 2, complex128: 3,
};
const DEFAULT_OF_KIND = ['bool', 'int64', 'float32', 'complex64'];

/**
 * PyTorch's type promotion for element-wise ops: the highest category (bool < integer < floating < complex)
 * wins; within it, dimensioned tensors outrank 0-d tensors, which outrank Python scalars (a scalar alone
 * gives the default dtype of its category). Undefined when a tensor's dtype is unknown.
 */
export function promoteTypes(values: CatValue[]): string | undefined {
  const ops: { kind: number; level: number; dtype?: string }[] = [];
  for (const v of values) {
    if (isTensor(v)) {
      const dtype = v.dtype ?? 'float32';
      const kind = KIND_OF_DTYPE[dtype];
      if (kind === undefined) return undefined;
      ops.push({ kind, level: v.shape.length === 0 ? 1 : 2, dtype });
    } else if (typeof v === 'boolean') ops.push({ kind: 0, level: 0 });
    else if (typeof v === 'number') ops.push({ kind: Number.isInteger(v) ? 1 : 2, level: 0 });
  }
  if (ops.length === 0) return undefined;
  const kind = Math.max(...ops.map((o) => o.kind));
  for (const level of [2, 1, 0]) {
    const c = ops.filter((o) => o.level === level && o.kind === kind);
    if (c.length === 0) continue;
    if (level === 0) return DEFAULT_OF_KIND[kind];
    const dtypes = [...new Set(c.map((o) => o.dtype!))];
    // float16 with bfloat16 (or uint8 with int8) have no common 16-/8-bit type: the next width up.
    if (dtypes.includes('float16') && dtypes.includes('bfloat16')) return 'float32';
    if (dtypes.includes('uint8') && dtypes.includes('int8')) return 'int16';
    return dtypes.reduce((a, b) => (WIDTH[b] > WIDTH[a] ? b : a));
  }
  return undefined;
}
