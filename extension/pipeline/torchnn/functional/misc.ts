/**
 * Less common ops model code still uses: complex views (rotary embeddings), spatial transformers
 * (affine_grid, grid_sample), scatter/index updates, argsort, isnan-style predicates, gumbel_softmax.
 */
import { arg, inheritDtype, NO_MACS, shapePreservingFunction, spellings } from '../entries';
import { registerFunctions } from '../registry';
import { broadcastShapes, fmtDims, isTensor, macsOf, maybeInt, numel, out, tensorShape } from '../shapeMath';
import { ShapeError } from '../types';
import type { FunctionSpec } from '../types';

const F = 'torch.nn.functional.';

const COMPLEX_OF: Record<string, string> = { float32: 'complex64', float64: 'complex128', float16: 'complex32' };
const REAL_OF: Record<string, string> = { complex64: 'float32', complex128: 'float64', complex32: 'float16' };

/** view_as_complex: [..., 2] float -> [...] complex. */
const viewAsComplex: FunctionSpec = {
  op: 'view_as_complex',
  category: 'shape',
  names: ['torch.view_as_complex'],
  signature: [arg('input')],
  forward(args) {
    const x = tensorShape(args, 'input', 'view_as_complex');
    const last = x[x.length - 1];
    if (x.length === 0 || (last !== null && last !== 2)) throw new ShapeError(`view_as_complex: Tensor must have a last dimension of size 2`);
    const dtype = isTensor(args.input) && args.input.dtype ? COMPLEX_OF[args.input.dtype] : 'complex64';
    return out(x.slice(0, -1), dtype);
  },
  macs: NO_MACS,
};

/** view_as_real: [...] complex -> [..., 2] float. */
const viewAsReal: FunctionSpec = {
  op: 'view_as_real',
  category: 'shape',
  names: ['torch.view_as_real'],
  signature: [arg('input')],
  forward(args) {
    const x = tensorShape(args, 'input', 'view_as_real');
    const dtype = isTensor(args.input) && args.input.dtype ? REAL_OF[args.input.dtype] : undefined;
    if (isTensor(args.input) && args.input.dtype && !dtype) throw new ShapeError('view_as_real is only supported for complex tensors');
    return out([...x, 2], dtype);
  },
  macs: NO_MACS,
};

const polar: FunctionSpec = {
  op: 'polar',
  category: 'elementwise',
  names: ['torch.polar', 'torch.complex'],
  signature: [arg('abs'), arg('angle')],
  forward: (args) => out(broadcastShapes(tensorShape(args, 'abs', 'polar'), tensorShape(args, 'angle', 'polar'), 'polar'), 'complex64'),
  macs: NO_MACS,
};

/** affine_grid(theta [N, 2, 3], size [N, C, H, W]) -> [N, H, W, 2] (3-d: [N, D, H, W, 3]). */
const affineGrid: FunctionSpec = {
  op: 'affine_grid',
  category: 'tensor',
  names: [`${F}affine_grid`],
  signature: [arg('theta'), arg('size'), arg('align_corners', null)],
  forward(args) {
    const theta = tensorShape(args, 'theta', 'affine_grid');
    const size = (Array.isArray(args.size) ? args.size : []).map((v) => maybeInt(v));
    if (size.length !== 4 && size.length !== 5) throw new ShapeError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${fmtDims(size)}].`);
    const n = size.length - 2;
    const ok = theta.length === 3 && (theta[1] === null || theta[1] === n) && (theta[2] === null || theta[2] === n + 1);
    if (!ok) throw new ShapeError(`Expected a batch of ${n}D affine matrices of shape Nx${n}x${n + 1} for size [${fmtDims(size)}]. Got [${fmtDims(theta)}].`);
    return out([size[0], ...size.slice(2), n]);
  },
  // The grid is a bmm of the homogeneous base grid [N, H*W, n+1] with thetaᵀ: n+1 MACs per output coordinate.
  macs(_args, o) {
    if (Array.isArray(o)) return null;
    const perPoint = o.shape[o.shape.length - 1];
    return perPoint === null ? null : macsOf(numel(o.shape), perPoint + 1);
  },
};

/** grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2]) -> [N, C, Ho, Wo]. */
const gridSample: FunctionSpec = {
  op: 'grid_sample',
  category: 'upsample',
  names: [`${F}grid_sample`, 'torch.grid_sampler'],
  signature: [arg('input'), arg('grid'), arg('mode', 'bilinear'), arg('padding_mode', 'zeros'), arg('align_corners', null)],
  forward(args) {
    const x = tensorShape(args, 'input', 'grid_sample');
    const g = tensorShape(args, 'grid', 'grid_sample');
    if ((x.length !== 4 && x.length !== 5) || g.length !== x.length) throw new ShapeError(`grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input with sizes [${fmtDims(x)}] and grid with sizes [${fmtDims(g)}]`);
    return out([x[0], x[1], ...g.slice(1, -1)]);
  },
  macs: NO_MACS,
};

/** Index updates keep the destination's shape. */
const SCATTER_SIGNATURES: [string, string[]][] = [
  ['scatter', ['dim', 'index', 'src', 'value', 'reduce']],
  ['scatter_add', ['dim', 'index', 'src']],
  ['index_add', ['dim', 'index', 'source', 'alpha']],
  ['index_fill', ['dim', 'index', 'value']],
  ['index_copy', ['dim', 'index', 'source']],
  ['masked_scatter', ['mask', 'source']],
  ['index_put', ['indices', 'values', 'accumulate']],
];
const scatterLike: FunctionSpec[] = SCATTER_SIGNATURES.map(([op, params]) =>
  shapePreservingFunction(op, 'tensor', spellings(op, { inplace: true }), [arg('input'), ...params.map((p) => (['alpha', 'accumulate', 'reduce', 'src', 'value'].includes(p) ? arg(p, p === 'alpha' ? 1 : p === 'accumulate' ? false : null) : arg(p)))]));

const argsort: FunctionSpec = {
  op: 'argsort',
  category: 'reduce',
  names: spellings('argsort'),
  signature: [arg('input'), arg('dim', -1), arg('descending', false), arg('stable', false)],
  forward: (args) => out([...tensorShape(args, 'input', 'argsort')], 'int64'),
  macs: NO_MACS,
};

const predicates: FunctionSpec[] = ['isnan', 'isinf', 'isfinite', 'signbit', 'isneginf', 'isposinf'].map((op) => ({
  op,
  category: 'elementwise' as const,
  names: spellings(op),
  signature: [arg('input')],
  forward: (args) => out([...tensorShape(args, 'input', op)], 'bool'),
  macs: NO_MACS,
}));

const moreUnary: FunctionSpec[] = ['lgamma', 'digamma', 'erfinv', 'sinc', 'logit'].map((op) =>
  shapePreservingFunction(op, 'elementwise', spellings(op, { inplace: true }), [arg('input')]));

const gumbelSoftmax: FunctionSpec = shapePreservingFunction('gumbel_softmax', 'activation', [`${F}gumbel_softmax`],
  [arg('logits'), arg('tau', 1), arg('hard', false), arg('eps', 1e-10), arg('dim', -1)], 'logits');

export const miscFunctions: FunctionSpec[] = [viewAsComplex, viewAsReal, polar, affineGrid, gridSample, ...scatterLike, argsort, ...predicates, ...moreUnary, gumbelSoftmax];

registerFunctions(inheritDtype(miscFunctions));
