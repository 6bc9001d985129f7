/**
 * Index-driven and cumulative ops: gather, index_select, repeat_interleave, cumsum/cumprod, meshgrid,
 * Tensor.unfold, F.unfold/F.fold, torch.tensor from nested literals.
 */
import type { TensorShape } from '../../arch/types';
import { arg, inheritDtype, NO_MACS, spellings, varargs } from '../entries';
import { registerFunctions } from '../registry';
import { unfoldShape, foldShape } from '../shape';
import { dtypeName, fmtDims, intArg, isTensor, maybeInt, out, tensorShape, wrapDim } from '../shapeMath';
import { ShapeError } from '../types';
import type { CatValue, FunctionSpec } from '../types';

const gather: FunctionSpec = {
  op: 'gather',
  category: 'tensor',
  names: spellings('gather'),
  signature: [arg('input'), arg('dim'), arg('index'), arg('sparse_grad', false)],
  forward(args) {
    const x = tensorShape(args, 'input', 'gather');
    const idx = tensorShape(args, 'index', 'gather');
    if (idx.length !== x.length && x.length > 0) throw new ShapeError('gather(): Index tensor must have the same number of dimensions as input tensor');
    wrapDim(intArg(args.dim, 'dim', 'gather'), x.length, 'gather');
    return out([...idx], isTensor(args.input) ? args.input.dtype : undefined);
  },
  macs: NO_MACS,
};

const indexSelect: FunctionSpec = {
  op: 'index_select',
  category: 'tensor',
  names: spellings('index_select'),
  signature: [arg('input'), arg('dim'), arg('index')],
  forward(args) {
    const x = tensorShape(args, 'input', 'index_select');
    const idx = tensorShape(args, 'index', 'index_select');
    if (idx.length > 1) throw new ShapeError('index_select(): Index is supposed to be a vector');
    const d = wrapDim(intArg(args.dim, 'dim', 'index_select'), x.length, 'index_select');
    return out(x.map((v, i) => (i === d ? (idx.length === 0 ? 1 : idx[0]) : v)));
  },
  macs: NO_MACS,
};

const repeatInterleave: FunctionSpec = {
  op: 'repeat_interleave',
  category: 'tensor',
  names: spellings('repeat_interleave'),
  signature: [arg('input'), arg('repeats'), arg('dim', null), arg('output_size', null)],
  forward(args) {
    const x = tensorShape(args, 'input', 'repeat_interleave');
    // A tensor of per-element repeats gives a data-dependent size.
    const r = isTensor(args.repeats) ? null : maybeInt(args.repeats);
    const times = (v: number | null): number | null => (v === null || r === null ? null : v * r);
    if (args.dim === null || args.dim === undefined) {
      const n = x.reduce<number | null>((a, v) => (a === null || v === null ? null : a * v), 1);
      return out([times(n)]);
    }
    const d = wrapDim(intArg(args.dim, 'dim', 'repeat_interleave'), x.length, 'repeat_interleave');
    return out(x.map((v, i) => (i === d ? times(v) : v)));
  },
  macs: NO_MACS,
};

const cumulative: FunctionSpec[] = ['cumsum', 'cumprod', 'logcumsumexp'].map((op) => ({
  op,
  category: 'reduce' as const,
  names: spellings(op, { inplace: op !== 'logcumsumexp' }),
  signature: [arg('input'), arg('dim'), arg('dtype', null)],
  forward(args) {
    const x = tensorShape(args, 'input', op);
    wrapDim(intArg(args.dim, 'dim', op), x.length, op);
    return out([...x], dtypeName(args.dtype) ?? (isTensor(args.input) ? args.input.dtype : undefined));
  },
  macs: NO_MACS,
}));

/** cummax/cummin return (values, indices). */
const cumulativeIndexed: FunctionSpec[] = ['cummax', 'cummin'].map((op) => ({
  op,
  category: 'reduce' as const,
  names: spellings(op),
  signature: [arg('input'), arg('dim')],
  forward(args) {
    const x = tensorShape(args, 'input', op);
    wrapDim(intArg(args.dim, 'dim', op), x.length, op);
    return [out([...x]), out([...x], 'int64')];
  },
  macs: NO_MACS,
}));

/** meshgrid(*tensors, indexing): every output has shape (len(t0), len(t1), ...), swapped for 'xy'. */
const meshgrid: FunctionSpec = {
  op: 'meshgrid',
  category: 'tensor',
  names: ['torch.meshgrid'],
  signature: [varargs('tensors'), arg('indexing', null)],
  forward(args) {
    const raw = args.tensors as CatValue[];
    const items = raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw;
    const sizes = items.map((v, i) => {
      if (!isTensor(v)) throw new ShapeError(`meshgrid: expected Tensor as element ${i}`);
      if (v.shape.length > 1) throw new ShapeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: [${fmtDims(v.shape)}]`);
      return v.shape.length === 0 ? 1 : v.shape[0];
    });
    const shape: TensorShape = [...sizes];
    if (args.indexing === 'xy' && shape.length >= 2) [shape[0], shape[1]] = [shape[1], shape[0]];
    return items.map(() => out([...shape]));
  },
  macs: NO_MACS,
};

/** Tensor.unfold(dimension, size, step): the dim becomes the window count and a trailing `size` dim is added. */
const tensorUnfold: FunctionSpec = {
  op: 'unfold',
  category: 'shape',
  names: ['Tensor.unfold'],
  signature: [arg('input'), arg('dimension'), arg('size'), arg('step')],
  forward(args) {
    const x = tensorShape(args, 'input', 'unfold');
    const d = wrapDim(intArg(args.dimension, 'dimension', 'unfold'), x.length, 'unfold');
    const size = intArg(args.size, 'size', 'unfold');
    const step = intArg(args.step, 'step', 'unfold');
    const n = x[d];
    if (n !== null && size > n) throw new ShapeError(`maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
    return out([...x.map((v, i) => (i === d ? (v === null ? null : Math.floor((v - size) / step) + 1) : v)), size]);
  },
  macs: NO_MACS,
};

const fUnfold: FunctionSpec = {
  op: 'unfold',
  category: 'shape',
  names: ['torch.nn.functional.unfold'],
  signature: [arg('input'), arg('kernel_size'), arg('dilation', 1), arg('padding', 0), arg('stride', 1)],
  forward: (args) => out(unfoldShape('unfold', tensorShape(args, 'input', 'unfold'), args)),
  macs: NO_MACS,
};

const fFold: FunctionSpec = {
  op: 'fold',
  category: 'shape',
  names: ['torch.nn.functional.fold'],
  signature: [arg('input'), arg('output_size'), arg('kernel_size'), arg('dilation', 1), arg('padding', 0), arg('stride', 1)],
  forward: (args) => out(foldShape('fold', tensorShape(args, 'input', 'fold'), args)),
  macs: NO_MACS,
};

/** torch.tensor / as_tensor of a nested list literal: the nesting gives the shape. */
function literalShape(v: CatValue): TensorShape {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  return [v.length, ...literalShape(v[0])];
}

function literalDtype(v: CatValue): string {
  if (Array.isArray(v)) return v.length ? literalDtype(v[0]) : 'float32';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'number' && Number.isInteger(v) ? 'int64' : 'float32';
}

const tensorLiteral: FunctionSpec = {
  op: 'tensor',
  category: 'tensor',
  names: ['torch.tensor', 'torch.as_tensor'],
  signature: [arg('data'), arg('dtype', null), arg('device', null), arg('requires_grad', false), arg('pin_memory', false)],
  forward(args) {
    if (isTensor(args.data)) return out([...args.data.shape], dtypeName(args.dtype) ?? args.data.dtype);
    return out(literalShape(args.data), dtypeName(args.dtype) ?? literalDtype(args.data));
  },
  macs: NO_MACS,
};

const clampOneSide: FunctionSpec[] = ['clamp_min', 'clamp_max'].map((op) => ({
  op,
  category: 'elementwise' as const,
  names: spellings(op, { inplace: true }),
  signature: [arg('input'), arg(op === 'clamp_min' ? 'min' : 'max')],
  forward: (args) => out([...tensorShape(args, 'input', op)], isTensor(args.input) ? args.input.dtype : undefined),
  macs: NO_MACS,
}));

export const indexingFunctions: FunctionSpec[] = [
  gather, indexSelect, repeatInterleave, ...cumulative, ...cumulativeIndexed, meshgrid, tensorUnfold, fUnfold, fFold, tensorLiteral, ...clampOneSide,
];

registerFunctions(inheritDtype(indexingFunctions));
