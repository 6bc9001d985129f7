/**
 * Shape and creation ops: cat, stack, view/reshape, permute, transpose, squeeze/unsqueeze, expand, repeat,
 * chunk/split/unbind, narrow, flip/roll, flatten/unflatten, and the factories (zeros, arange, *_like).
 */
import type { TensorShape } from '../../arch/types';
import { arg, inheritDtype, NO_MACS, shapePreservingFunction, spellings, varargs } from '../entries';
import { registerFunctions } from '../registry';
import { flattenShape, unflattenShape } from '../shape';
import {
  dimList, dtypeName, fmtDims, inferViewShape, intArg, isTensor, maybeInt, out, sizeArgs, tensorShape, wrapDim,
} from '../shapeMath';
import type { Dim } from '../shapeMath';
import { ShapeError } from '../types';
import type { ArgSpec, CatValue, FunctionSpec, OutTree } from '../types';

function tensorList(v: CatValue, where: string): TensorShape[] {
  if (!Array.isArray(v)) throw new ShapeError(`${where}(): argument 'tensors' must be tuple of Tensors, not ${typeof v}`);
  return v.map((t, i) => {
    if (!isTensor(t)) throw new ShapeError(`${where}(): expected Tensor as element ${i} in argument 0, but got ${typeof t}`);
    return t.shape;
  });
}

function firstDtype(v: CatValue): string | undefined {
  if (Array.isArray(v)) for (const t of v) if (isTensor(t) && t.dtype) return t.dtype;
  return isTensor(v) ? v.dtype : undefined;
}

/** Merges two sizes that must agree; null when both unknown. */
function agree(a: Dim, b: Dim, where: string, msg: () => string): Dim {
  if (a !== null && b !== null && a !== b) throw new ShapeError(`${where}: ${msg()}`);
  return a ?? b;
}

const cat: FunctionSpec = {
  op: 'cat',
  category: 'tensor',
  names: ['torch.cat', 'torch.concat', 'torch.concatenate'],
  signature: [arg('tensors'), arg('dim', 0)],
  forward(args) {
    // Legacy rule: 1-D empty tensors are skipped.
    const shapes = tensorList(args.tensors, 'cat').filter((s) => !(s.length === 1 && s[0] === 0));
    if (shapes.length === 0) throw new ShapeError('cat(): expected a non-empty list of Tensors');
    const rank = shapes[0].length;
    if (rank === 0) throw new ShapeError('cat(): zero-dimensional tensor (at position 0) cannot be concatenated');
    const d = wrapDim(intArg(args.dim, 'dim', 'cat'), rank, 'cat');
    const result: TensorShape = [...shapes[0]];
    shapes.forEach((s, i) => {
      if (s.length !== rank) throw new ShapeError(`cat(): Tensors must have same number of dimensions: got ${rank} and ${s.length}`);
      if (i === 0) return;
      for (let k = 0; k < rank; k++) {
        if (k === d) result[k] = result[k] === null || s[k] === null ? null : (result[k] as number) + (s[k] as number);
        else result[k] = agree(result[k], s[k], 'cat', () => `Sizes of tensors must match except in dimension ${d}. Expected size ${result[k]} but got size ${s[k]} for tensor number ${i} in the list.`);
      }
    });
    return out(result, firstDtype(args.tensors));
  },
  macs: NO_MACS,
};

const stack: FunctionSpec = {
  op: 'stack',
  category: 'tensor',
  names: ['torch.stack'],
  signature: [arg('tensors'), arg('dim', 0)],
  forward(args) {
    const shapes = tensorList(args.tensors, 'stack');
    if (shapes.length === 0) throw new ShapeError('stack expects a non-empty TensorList');
    const merged: TensorShape = [...shapes[0]];
    shapes.forEach((s, i) => {
      if (s.length !== merged.length) throw new ShapeError(`stack expects each tensor to be equal size, but got [${fmtDims(shapes[0])}] at entry 0 and [${fmtDims(s)}] at entry ${i}`);
      s.forEach((d, k) => { merged[k] = agree(merged[k], d, 'stack', () => `stack expects each tensor to be equal size, but got [${fmtDims(shapes[0])}] at entry 0 and [${fmtDims(s)}] at entry ${i}`); });
    });
    const d = wrapDim(intArg(args.dim, 'dim', 'stack'), merged.length + 1, 'stack');
    return out([...merged.slice(0, d), shapes.length, ...merged.slice(d)], firstDtype(args.tensors));
  },
  macs: NO_MACS,
};

/** view/reshape: `x.view(2, -1)`, `x.view((2, -1))`, `torch.reshape(x, (2, -1))`. */
function viewLike(op: string, names: string[]): FunctionSpec {
  return {
    op,
    category: 'shape',
    names,
    signature: [arg('input'), varargs('shape')],
    forward(args) {
      const x = tensorShape(args, 'input', op);
      const sizes = sizeArgs(args.shape);
      // `x.view(torch.float16)` reinterprets the dtype; not a shape.
      if (sizes.length === 1 && typeof sizes[0] !== 'number' && !isTensor(sizes[0]) && !Array.isArray(sizes[0]) && sizes[0] !== null) return out([...x]);
      return out(inferViewShape(x, sizes, op), isTensor(args.input) ? args.input.dtype : undefined);
    },
    macs: NO_MACS,
  };
}

/** `x.view_as(y)`, `x.reshape_as(y)`, `x.expand_as(y)`: the other tensor's shape. */
function asOther(op: string): FunctionSpec {
  return {
    op,
    category: 'shape',
    names: [`Tensor.${op}`],
    signature: [arg('input'), arg('other')],
    forward(args) {
      const x = tensorShape(args, 'input', op);
      const y = tensorShape(args, 'other', op);
      if (op !== 'expand_as') return out(inferViewShape(x, y, op));
      return expandShape(op, x, y);
    },
    macs: NO_MACS,
  };
}

function expandShape(where: string, x: TensorShape, sizes: CatValue[]): OutTree {
  const target = sizes.map((s) => (isTensor(s) ? null : maybeInt(s)));
  if (target.length < x.length) throw new ShapeError(`${where}: the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${x.length})`);
  const offset = target.length - x.length;
  return out(target.map((t, i) => {
    const src = i >= offset ? x[i - offset] : 1;
    if (t === -1) {
      if (i < offset) throw new ShapeError(`${where}: The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return src;
    }
    if (t !== null && src !== null && src !== 1 && src !== t) {
      throw new ShapeError(`${where}: The expanded size of the tensor (${t}) must match the existing size (${src}) at non-singleton dimension ${i}.  Target sizes: [${fmtDims(target)}].  Tensor sizes: [${fmtDims(x)}]`);
    }
    return t;
  }));
}

const expand: FunctionSpec = {
  op: 'expand',
  category: 'shape',
  names: ['Tensor.expand', 'torch.broadcast_to', 'Tensor.broadcast_to'],
  signature: [arg('input'), varargs('size')],
  forward: (args) => expandShape('expand', tensorShape(args, 'input', 'expand'), sizeArgs(args.size)),
  macs: NO_MACS,
};

const repeat: FunctionSpec = {
  op: 'repeat',
  category: 'shape',
  names: ['Tensor.repeat'],
  signature: [arg('input'), varargs('repeats')],
  forward(args) {
    const x = tensorShape(args, 'input', 'repeat');
    const reps = sizeArgs(args.repeats).map(maybeInt);
    if (reps.length < x.length) throw new ShapeError('repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
    const padded = [...Array<Dim>(reps.length - x.length).fill(1), ...x];
    return out(padded.map((d, i) => (d === null || reps[i] === null ? null : d * (reps[i] as number))));
  },
  macs: NO_MACS,
};

const permute: FunctionSpec = {
  op: 'permute',
  category: 'shape',
  names: ['Tensor.permute', 'torch.permute'],
  signature: [arg('input'), varargs('dims')],
  forward(args) {
    const x = tensorShape(args, 'input', 'permute');
    const dims = sizeArgs(args.dims).map((d) => wrapDim(intArg(d, 'dims', 'permute'), x.length, 'permute'));
    if (dims.length !== x.length) throw new ShapeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.length} is not equal to len(dims) = ${dims.length}`);
    if (new Set(dims).size !== dims.length) throw new ShapeError('permute(): duplicate dims are not allowed.');
    return out(dims.map((d) => x[d]));
  },
  macs: NO_MACS,
};

const transpose: FunctionSpec = {
  op: 'transpose',
  category: 'shape',
  names: [...spellings('transpose', { inplace: true }), ...spellings('swapaxes'), ...spellings('swapdims')],
  signature: [arg('input'), arg('dim0'), arg('dim1')],
  forward(args) {
    const x = tensorShape(args, 'input', 'transpose');
    if (x.length === 0) return out([]);
    const a = wrapDim(intArg(args.dim0, 'dim0', 'transpose'), x.length, 'transpose');
    const b = wrapDim(intArg(args.dim1, 'dim1', 'transpose'), x.length, 'transpose');
    const r = [...x];
    [r[a], r[b]] = [r[b], r[a]];
    return out(r);
  },
  macs: NO_MACS,
};

const t: FunctionSpec = {
  op: 't',
  category: 'shape',
  names: [...spellings('t', { inplace: true })],
  signature: [arg('input')],
  forward(args) {
    const x = tensorShape(args, 'input', 't');
    if (x.length > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.length}D`);
    return out([...x].reverse());
  },
  macs: NO_MACS,
};

/** Tensor.T (a property): all dims reversed. */
const reverseT: FunctionSpec = {
  op: 'permute',
  category: 'shape',
  names: ['Tensor.T'],
  signature: [arg('input')],
  forward: (args) => out([...tensorShape(args, 'input', 'T')].reverse()),
  macs: NO_MACS,
};

/** Tensor.mT (a property): the last two dims swapped. */
const matrixT: FunctionSpec = {
  op: 'transpose',
  category: 'shape',
  names: ['Tensor.mT'],
  signature: [arg('input')],
  forward(args) {
    const x = tensorShape(args, 'input', 'mT');
    return out(x.length < 2 ? [...x] : [...x.slice(0, -2), x[x.length - 1], x[x.length - 2]]);
  },
  macs: NO_MACS,
};

const squeeze: FunctionSpec = {
  op: 'squeeze',
  category: 'shape',
  names: spellings('squeeze', { inplace: true }),
  signature: [arg('input'), arg('dim', null)],
  forward(args) {
    const x = tensorShape(args, 'input', 'squeeze');
    if (args.dim === null || args.dim === undefined) {
      // An unknown dim might be 1; we keep it (the common case) rather than guess.
      return out(x.filter((d) => d !== 1));
    }
    // An unknown size at a dim named explicitly is taken to be 1: that is why the code squeezes it.
    const dims = dimList(args.dim, x.length, 'squeeze');
    return out(x.filter((d, i) => !(dims.includes(i) && (d === 1 || d === null))));
  },
  macs: NO_MACS,
};

const unsqueeze: FunctionSpec = {
  op: 'unsqueeze',
  category: 'shape',
  names: spellings('unsqueeze', { inplace: true }),
  signature: [arg('input'), arg('dim')],
  forward(args) {
    const x = tensorShape(args, 'input', 'unsqueeze');
    const d = wrapDim(intArg(args.dim, 'dim', 'unsqueeze'), x.length + 1, 'unsqueeze');
    return out([...x.slice(0, d), 1, ...x.slice(d)], isTensor(args.input) ? args.input.dtype : undefined);
  },
  macs: NO_MACS,
};

const flatten: FunctionSpec = {
  op: 'flatten',
  category: 'shape',
  names: spellings('flatten'),
  signature: [arg('input'), arg('start_dim', 0), arg('end_dim', -1)],
  forward: (args) => out(flattenShape('flatten', tensorShape(args, 'input', 'flatten'), intArg(args.start_dim, 'start_dim', 'flatten'), intArg(args.end_dim, 'end_dim', 'flatten'))),
  macs: NO_MACS,
};

const unflatten: FunctionSpec = {
  op: 'unflatten',
  category: 'shape',
  names: spellings('unflatten'),
  signature: [arg('input'), arg('dim'), arg('sizes')],
  forward: (args) => out(unflattenShape('unflatten', tensorShape(args, 'input', 'unflatten'), intArg(args.dim, 'dim', 'unflatten'), args.sizes)),
  macs: NO_MACS,
};

/** Sizes of the pieces `split` produces along a dim of size `size`. */
function splitSizes(where: string, size: Dim, spec: CatValue): Dim[] | null {
  if (Array.isArray(spec)) {
    const sections = spec.map(maybeInt);
    const total = sections.every((s) => s !== null) ? (sections as number[]).reduce((a, b) => a + b, 0) : null;
    if (size !== null && total !== null && total !== size) {
      throw new ShapeError(`${where}: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension), but got split_sizes=[${fmtDims(sections)}]`);
    }
    return sections;
  }
  const step = intArg(spec, 'split_size', where);
  if (size === null) return null;
  if (step <= 0 && size > 0) throw new ShapeError(`${where}: split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  const pieces: number[] = [];
  for (let start = 0; start < size; start += step) pieces.push(Math.min(step, size - start));
  return pieces.length ? pieces : [0];
}

function piecesAlong(x: TensorShape, d: number, sizes: Dim[]): OutTree {
  return sizes.map((s) => out(x.map((v, i) => (i === d ? s : v))));
}

const split: FunctionSpec = {
  op: 'split',
  category: 'tensor',
  names: [...spellings('split'), 'Tensor.split_with_sizes', 'torch.split_with_sizes'],
  signature: [arg('input'), arg('split_size_or_sections'), arg('dim', 0)],
  forward(args) {
    const x = tensorShape(args, 'input', 'split');
    const d = wrapDim(intArg(args.dim, 'dim', 'split'), x.length, 'split');
    const sizes = splitSizes('split', x[d], args.split_size_or_sections);
    // Unknown dim size: one piece of unknown size is the best honest answer (the count is unknown too).
    return piecesAlong(x, d, sizes ?? [null]);
  },
  macs: NO_MACS,
};

const chunk: FunctionSpec = {
  op: 'chunk',
  category: 'tensor',
  names: spellings('chunk'),
  signature: [arg('input'), arg('chunks'), arg('dim', 0)],
  forward(args) {
    const x = tensorShape(args, 'input', 'chunk');
    const n = intArg(args.chunks, 'chunks', 'chunk');
    if (n <= 0) throw new ShapeError(`chunk expects \`chunks\` to be greater than 0, got: ${n}`);
    const d = wrapDim(intArg(args.dim, 'dim', 'chunk'), x.length, 'chunk');
    const size = x[d];
    if (size === null) return piecesAlong(x, d, Array<Dim>(n).fill(null));
    // chunk = split with ceil(size / chunks); it may give fewer than `chunks` pieces.
    return piecesAlong(x, d, splitSizes('chunk', size, Math.max(Math.ceil(size / n), 1)) ?? [null]);
  },
  macs: NO_MACS,
};

const unbind: FunctionSpec = {
  op: 'unbind',
  category: 'tensor',
  names: spellings('unbind'),
  signature: [arg('input'), arg('dim', 0)],
  forward(args) {
    const x = tensorShape(args, 'input', 'unbind');
    const d = wrapDim(intArg(args.dim, 'dim', 'unbind'), x.length, 'unbind');
    const rest = [...x.slice(0, d), ...x.slice(d + 1)];
    // The number of outputs is the size of `dim`; unknown means we cannot list them.
    return x[d] === null ? [out(rest)] : Array.from({ length: x[d] as number }, () => out([...rest]));
  },
  macs: NO_MACS,
};

const narrow: FunctionSpec = {
  op: 'narrow',
  category: 'tensor',
  names: spellings('narrow'),
  signature: [arg('input'), arg('dim'), arg('start'), arg('length')],
  forward(args) {
    const x = tensorShape(args, 'input', 'narrow');
    const d = wrapDim(intArg(args.dim, 'dim', 'narrow'), x.length, 'narrow');
    const start = maybeInt(args.start);
    const length = maybeInt(args.length);
    if (x[d] !== null && start !== null && length !== null && (start < 0 ? start + (x[d] as number) : start) + length > (x[d] as number)) {
      throw new ShapeError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${x[d]}).`);
    }
    return out(x.map((v, i) => (i === d ? length : v)));
  },
  macs: NO_MACS,
};

const SIZE_KWARGS: ArgSpec[] = ['out', 'dtype', 'layout', 'device', 'requires_grad', 'pin_memory', 'memory_format', 'generator', 'names'].map((n) => arg(n, n === 'requires_grad' || n === 'pin_memory' ? false : null));

/** torch.zeros(2, 3), torch.zeros((2, 3)), torch.ones(size=...), torch.empty, rand, randn. */
function factory(op: string): FunctionSpec {
  return {
    op,
    category: 'tensor',
    names: [`torch.${op}`],
    signature: [varargs('size'), ...SIZE_KWARGS],
    forward(args) {
      const sizes = sizeArgs(args.size);
      return out(sizes.map((s) => (isTensor(s) ? null : maybeInt(s))), dtypeName(args.dtype) ?? 'float32');
    },
    macs: NO_MACS,
  };
}

const full: FunctionSpec = {
  op: 'full',
  category: 'tensor',
  names: ['torch.full'],
  signature: [arg('size'), arg('fill_value'), ...SIZE_KWARGS],
  forward: (args) => out(sizeArgs(args.size).map((s) => (isTensor(s) ? null : maybeInt(s))), dtypeName(args.dtype)),
  macs: NO_MACS,
};

/** Tensor.new_zeros(size) etc.: like the factories, bound to a tensor. */
function newFactory(op: string, extra: ArgSpec[] = []): FunctionSpec {
  return {
    op,
    category: 'tensor',
    names: [`Tensor.${op}`],
    signature: [arg('input'), varargs('size'), ...extra, ...SIZE_KWARGS],
    forward: (args) => out(sizeArgs(args.size).map((s) => (isTensor(s) ? null : maybeInt(s))), dtypeName(args.dtype) ?? (isTensor(args.input) ? args.input.dtype : undefined)),
    macs: NO_MACS,
  };
}

/** torch.arange(end) / (start, end) / (start, end, step): ceil((end - start) / step) elements. */
const arange: FunctionSpec = {
  op: 'arange',
  category: 'tensor',
  names: ['torch.arange'],
  signature: [arg('start'), arg('end', null), arg('step', 1), ...SIZE_KWARGS],
  forward(args) {
    const known = (v: CatValue): number | null => (typeof v === 'number' ? v : null);
    let [start, end] = [known(args.start), known(args.end)];
    if (args.end === null || args.end === undefined) [start, end] = [0, known(args.start)];
    const step = known(args.step);
    const allInts = [args.start, args.end, args.step].every((v) => v === null || v === undefined || (typeof v === 'number' && Number.isInteger(v)));
    const dtype = dtypeName(args.dtype) ?? (allInts ? 'int64' : 'float32');
    if (start === null || end === null || step === null) return out([null], dtype);
    if (step === 0) throw new ShapeError('arange: step must be nonzero');
    return out([Math.max(0, Math.ceil((end - start) / step))], dtype);
  },
  macs: NO_MACS,
};

const linspace: FunctionSpec = {
  op: 'linspace',
  category: 'tensor',
  names: ['torch.linspace', 'torch.logspace'],
  signature: [arg('start'), arg('end'), arg('steps'), ...SIZE_KWARGS],
  forward: (args) => out([maybeInt(args.steps)]),
  macs: NO_MACS,
};

function likeFactory(op: string, extra: ArgSpec[] = []): FunctionSpec {
  return {
    op,
    category: 'tensor',
    names: [`torch.${op}`],
    signature: [arg('input'), ...extra, ...SIZE_KWARGS],
    forward: (args) => out([...tensorShape(args, 'input', op)], dtypeName(args.dtype) ?? (isTensor(args.input) ? args.input.dtype : undefined)),
    macs: NO_MACS,
  };
}

const flip = shapePreservingFunction('flip', 'tensor', spellings('flip'), [arg('input'), varargs('dims')]);
const roll = shapePreservingFunction('roll', 'tensor', spellings('roll'), [arg('input'), arg('shifts'), arg('dims', null)]);
const tril = shapePreservingFunction('tril', 'tensor', spellings('tril', { inplace: true }), [arg('input'), arg('diagonal', 0)]);
const triu = shapePreservingFunction('triu', 'tensor', spellings('triu', { inplace: true }), [arg('input'), arg('diagonal', 0)]);

/** torch.nn.functional.one_hot: int tensor [...] -> [..., num_classes] (int64). */
const oneHot: FunctionSpec = {
  op: 'one_hot',
  category: 'tensor',
  names: ['torch.nn.functional.one_hot'],
  signature: [arg('input'), arg('num_classes', -1)],
  forward(args) {
    const x = tensorShape(args, 'input', 'one_hot');
    const n = maybeInt(args.num_classes);
    return out([...x, n === -1 ? null : n], 'int64');
  },
  macs: NO_MACS,
};


export const tensorFunctions: FunctionSpec[] = [
  cat, stack, viewLike('view', ['Tensor.view']), viewLike('reshape', spellings('reshape')), asOther('view_as'), asOther('reshape_as'), asOther('expand_as'),
  expand, repeat, permute, transpose, t, matrixT, reverseT, squeeze, unsqueeze, flatten, unflatten, split, chunk, unbind, narrow,
  ...['zeros', 'ones', 'empty', 'rand', 'randn'].map(factory), full, arange, linspace,
  ...['zeros', 'ones', 'empty'].map((op) => newFactory(`new_${op}`)), { ...newFactory('new_full'), signature: [arg('input'), arg('size'), arg('fill_value'), ...SIZE_KWARGS] },
  ...['zeros_like', 'ones_like', 'empty_like', 'rand_like', 'randn_like'].map((op) => likeFactory(op)), likeFactory('full_like', [arg('fill_value')]),
  flip, roll, tril, triu, oneHot,
];

registerFunctions(inheritDtype(tensorFunctions));
