/** Reductions: mean, sum, prod, std/var, max/min (with and without dim), amax/amin, argmax/argmin, norm, all/any. */
import type { TensorShape } from '../../arch/types';
import { arg, inheritDtype, NO_MACS, spellings } from '../entries';
import { registerFunctions } from '../registry';
import { broadcastShapes, dimList, dtypeName, isTensor, out, tensorShape } from '../shapeMath';
import { ShapeError } from '../types';
import type { ArgSpec, BoundArgs, CatValue, FunctionSpec } from '../types';

/** Shape after reducing `dim` (None = all dims), keeping size-1 dims when keepdim. */
export function reducedShape(where: string, x: TensorShape, dim: CatValue, keepdim: boolean): TensorShape {
  // `dim=()` reduces everything too (amax's default).
  const all = dim === null || dim === undefined || (Array.isArray(dim) && dim.length === 0);
  const dims = all ? [...x.keys()] : dimList(dim, x.length, where);
  if (keepdim) return x.map((d, i) => (dims.includes(i) ? 1 : d));
  return x.filter((_, i) => !dims.includes(i));
}

function keep(args: BoundArgs): boolean {
  return args.keepdim === true;
}

/** sum/prod of bool or integer tensors accumulate in int64. */
const INT64_ACCUMULATORS = new Set(['sum', 'nansum', 'prod']);
/** Means and spreads are only defined for floating (and complex) inputs. */
const FLOAT_ONLY = new Set(['mean', 'nanmean', 'std', 'var']);

function reductionDtype(op: string, args: BoundArgs): string | undefined {
  const requested = dtypeName(args.dtype);
  if (requested) return requested;
  const inDtype = isTensor(args.input) ? args.input.dtype : undefined;
  const integral = inDtype !== undefined && (inDtype === 'bool' || /int/.test(inDtype));
  if (integral && FLOAT_ONLY.has(op)) {
    throw new ShapeError(`${op}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${inDtype}`);
  }
  return integral && INT64_ACCUMULATORS.has(op) ? 'int64' : inDtype;
}

function reduction(op: string, names: string[], signature: ArgSpec[], dtype?: string): FunctionSpec {
  return {
    op,
    category: 'reduce',
    names,
    signature,
    forward(args) {
      const x = tensorShape(args, 'input', op);
      return out(reducedShape(op, x, args.dim, keep(args)), dtype ?? reductionDtype(op, args));
    },
    macs: NO_MACS,
  };
}

const DIM_KEEP = [arg('input'), arg('dim', null), arg('keepdim', false)];

/**
 * max/min: no dim -> a 0-d tensor; an int dim -> (values, indices); a Tensor second argument ->
 * the element-wise maximum (broadcast).
 */
function maxMin(op: 'max' | 'min'): FunctionSpec {
  return {
    op,
    category: 'reduce',
    names: spellings(op),
    signature: [arg('input'), arg('dim', null), arg('keepdim', false), arg('other', null)],
    forward(args) {
      const x = tensorShape(args, 'input', op);
      const second = args.dim ?? args.other;
      if (isTensor(second)) return out(broadcastShapes(x, second.shape, op));
      if (second === null || second === undefined) return out([]);
      const shape = reducedShape(op, x, second, keep(args));
      return [out(shape, isTensor(args.input) ? args.input.dtype : undefined), out([...shape], 'int64')];
    },
    macs: NO_MACS,
  };
}

/** median/mode/kthvalue-like: (values, indices) along one dim. */
function valuesIndices(op: string, signature: ArgSpec[]): FunctionSpec {
  return {
    op,
    category: 'reduce',
    names: spellings(op),
    signature,
    forward(args) {
      const x = tensorShape(args, 'input', op);
      if (op === 'median' && (args.dim === null || args.dim === undefined)) return out([]);
      const shape = reducedShape(op, x, args.dim ?? -1, keep(args));
      return [out(shape), out([...shape], 'int64')];
    },
    macs: NO_MACS,
  };
}

/** topk / sort keep the rank; topk shrinks `dim` to k. */
const topk: FunctionSpec = {
  op: 'topk',
  category: 'reduce',
  names: spellings('topk'),
  signature: [arg('input'), arg('k'), arg('dim', -1), arg('largest', true), arg('sorted', true)],
  forward(args) {
    const x = tensorShape(args, 'input', 'topk');
    const d = dimList(args.dim, x.length, 'topk')[0];
    const shape = x.map((v, i) => (i === d ? (typeof args.k === 'number' ? args.k : null) : v));
    return [out(shape), out([...shape], 'int64')];
  },
  macs: NO_MACS,
};

const sort: FunctionSpec = {
  op: 'sort',
  category: 'reduce',
  names: spellings('sort'),
  signature: [arg('input'), arg('dim', -1), arg('descending', false), arg('stable', false)],
  forward(args) {
    const x = tensorShape(args, 'input', 'sort');
    return [out([...x]), out([...x], 'int64')];
  },
  macs: NO_MACS,
};

const STD_VAR = [arg('input'), arg('dim', null), arg('unbiased', true), arg('keepdim', false), arg('correction', null)];

export const reduceFunctions: FunctionSpec[] = [
  reduction('mean', spellings('mean'), [...DIM_KEEP, arg('dtype', null)]),
  reduction('sum', spellings('sum'), [...DIM_KEEP, arg('dtype', null)]),
  reduction('nansum', spellings('nansum'), [...DIM_KEEP, arg('dtype', null)]),
  reduction('nanmean', spellings('nanmean'), [...DIM_KEEP, arg('dtype', null)]),
  reduction('prod', spellings('prod'), [...DIM_KEEP, arg('dtype', null)]),
  reduction('logsumexp', spellings('logsumexp'), DIM_KEEP),
  reduction('std', spellings('std'), STD_VAR),
  reduction('var', spellings('var'), STD_VAR),
  reduction('amax', spellings('amax'), [arg('input'), arg('dim', []), arg('keepdim', false)]),
  reduction('amin', spellings('amin'), [arg('input'), arg('dim', []), arg('keepdim', false)]),
  reduction('argmax', spellings('argmax'), DIM_KEEP, 'int64'),
  reduction('argmin', spellings('argmin'), DIM_KEEP, 'int64'),
  reduction('all', spellings('all'), DIM_KEEP, 'bool'),
  reduction('any', spellings('any'), DIM_KEEP, 'bool'),
  reduction('count_nonzero', spellings('count_nonzero'), [arg('input'), arg('dim', null)], 'int64'),
  reduction('norm', [...spellings('norm'), 'torch.linalg.norm', 'torch.linalg.vector_norm'], [arg('input'), arg('p', 'fro'), arg('dim', null), arg('keepdim', false), arg('dtype', null)]),
  maxMin('max'),
  maxMin('min'),
  valuesIndices('median', DIM_KEEP),
  valuesIndices('mode', [arg('input'), arg('dim', -1), arg('keepdim', false)]),
  valuesIndices('kthvalue', [arg('input'), arg('k'), arg('dim', -1), arg('keepdim', false)]),
  topk,
  sort,
];

registerFunctions(inheritDtype(reduceFunctions));
