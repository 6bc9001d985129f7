/** Loss layers (torch.nn.modules.loss) and distance layers: reductions of (input, target) pairs. */
import type { TensorShape } from '../arch/types';
import { arg, buffer, NO_MACS } from './entries';
import { registerLayers } from './registry';
import { broadcastShapes, fmtDims, intArg, isTensor, out, tensorShape, wrapDim } from './shapeMath';
import { ShapeError } from './types';
import type { ArgSpec, BoundArgs, CatValue, LayerSpec, LocalTensor } from './types';

/** `reduction='none'` keeps the per-element shape; 'mean', 'sum' and 'batchmean' give a 0-d tensor. */
export function reduceLoss(reduction: CatValue, elementShape: TensorShape): TensorShape {
  return reduction === 'none' ? elementShape : [];
}

/** Losses comparing same-shaped input and target element-wise (they broadcast, with a warning). */
export function elementwiseLossShape(where: string, input: TensorShape, target: TensorShape, reduction: CatValue): TensorShape {
  return reduceLoss(reduction, broadcastShapes(input, target, where));
}

/**
 * cross_entropy / nll_loss: input (N, C, d1, ...) or (C); target class indices (N, d1, ...) or class
 * probabilities shaped like the input. Per-element shape: the target's for indices, input without C for probabilities.
 */
export function classLossShape(where: string, input: TensorShape, target: CatValue, reduction: CatValue, probabilitiesAllowed: boolean): TensorShape {
  const t = isTensor(target) ? target : undefined;
  if (!t) throw new ShapeError(`${where}: target must be a Tensor`);
  const isIndex = t.dtype === undefined ? t.shape.length !== input.length : ['int64', 'int32', 'uint8'].includes(t.dtype);
  if (!isIndex) {
    if (!probabilitiesAllowed) throw new ShapeError(`${where}: expected scalar type Long but found ${t.dtype}`);
    const same = input.length === t.shape.length && input.every((d, i) => d === null || t.shape[i] === null || d === t.shape[i]);
    if (!same) throw new ShapeError(`${where}: Expected target size [${fmtDims(input)}], got [${fmtDims(t.shape)}]`);
    return reduceLoss(reduction, input.length === 1 ? [] : input.filter((_, i) => i !== 1));
  }
  const expected = input.length === 1 ? [] : [input[0], ...input.slice(2)];
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === null || t.shape[i] === null || d === t.shape[i]);
  if (!ok) throw new ShapeError(`${where}: Expected target size [${fmtDims(expected)}], got [${fmtDims(t.shape)}]`);
  return reduceLoss(reduction, [...t.shape]);
}

const LEGACY: ArgSpec[] = [arg('size_average', null), arg('reduce', null)];

/** Optional weight tensors are registered as buffers (None ones are left out of state_dict). */
function weightBuffers(args: BoundArgs, names: string[]): LocalTensor[] {
  return names.flatMap((n) => {
    const v = args[n];
    return isTensor(v) && v.shape.every((d) => d !== null) ? [buffer(n, v.shape as number[])] : [];
  });
}

function lossLayer(type: string, signature: ArgSpec[], rule: (args: BoundArgs, input: TensorShape, target: CatValue) => TensorShape, weights: string[] = []): LayerSpec {
  return {
    type,
    category: 'reduce',
    signature,
    forwardSignature: [arg('input'), arg('target')],
    tensors: (args) => weightBuffers(args, weights),
    forward: (args, inputs) => out(rule(args, tensorShape(inputs, 'input', type), inputs.target)),
    macs: NO_MACS,
    attrs: (args) => ({ reduction: args.reduction }),
  };
}

const elementwise = (type: string, extra: ArgSpec[] = [], weights: string[] = []): LayerSpec =>
  lossLayer(type, [...(weights.includes('weight') ? [arg('weight', null)] : []), ...LEGACY, arg('reduction', 'mean'), ...extra], (args, x, target) =>
    elementwiseLossShape(type, x, tensorShape({ target }, 'target', type), args.reduction), weights);

const distanceLayers: LayerSpec[] = [
  {
    type: 'CosineSimilarity',
    category: 'reduce',
    signature: [arg('dim', 1), arg('eps', 1e-8)],
    forwardSignature: [arg('x1'), arg('x2')],
    tensors: () => [],
    forward(args, inputs) {
      const b = broadcastShapes(tensorShape(inputs, 'x1', 'CosineSimilarity'), tensorShape(inputs, 'x2', 'CosineSimilarity'), 'CosineSimilarity');
      const d = wrapDim(intArg(args.dim, 'dim', 'CosineSimilarity'), b.length, 'CosineSimilarity');
      return out(b.filter((_, i) => i !== d));
    },
    macs: NO_MACS,
  },
  {
    type: 'PairwiseDistance',
    category: 'reduce',
    signature: [arg('p', 2.0), arg('eps', 1e-6), arg('keepdim', false)],
    forwardSignature: [arg('x1'), arg('x2')],
    tensors: () => [],
    forward(args, inputs) {
      const b = broadcastShapes(tensorShape(inputs, 'x1', 'PairwiseDistance'), tensorShape(inputs, 'x2', 'PairwiseDistance'), 'PairwiseDistance');
      if (b.length === 0) return out([]);
      return out(args.keepdim === true ? [...b.slice(0, -1), 1] : b.slice(0, -1));
    },
    macs: NO_MACS,
  },
];

export const lossLayers: LayerSpec[] = [
  elementwise('L1Loss'),
  elementwise('MSELoss'),
  elementwise('SmoothL1Loss', [arg('beta', 1.0)]),
  lossLayer('HuberLoss', [arg('reduction', 'mean'), arg('delta', 1.0)], (args, x, target) =>
    elementwiseLossShape('HuberLoss', x, tensorShape({ target }, 'target', 'HuberLoss'), args.reduction)),
  elementwise('SoftMarginLoss'),
  elementwise('BCELoss', [], ['weight']),
  lossLayer('BCEWithLogitsLoss', [arg('weight', null), ...LEGACY, arg('reduction', 'mean'), arg('pos_weight', null)], (args, x, target) =>
    elementwiseLossShape('BCEWithLogitsLoss', x, tensorShape({ target }, 'target', 'BCEWithLogitsLoss'), args.reduction), ['weight', 'pos_weight']),
  lossLayer('KLDivLoss', [...LEGACY, arg('reduction', 'mean'), arg('log_target', false)], (args, x, target) =>
    elementwiseLossShape('KLDivLoss', x, tensorShape({ target }, 'target', 'KLDivLoss'), args.reduction)),
  lossLayer('CrossEntropyLoss', [arg('weight', null), arg('size_average', null), arg('ignore_index', -100), arg('reduce', null), arg('reduction', 'mean'), arg('label_smoothing', 0.0)],
    (args, x, target) => classLossShape('CrossEntropyLoss', x, target, args.reduction, true), ['weight']),
  lossLayer('NLLLoss', [arg('weight', null), arg('size_average', null), arg('ignore_index', -100), arg('reduce', null), arg('reduction', 'mean')],
    (args, x, target) => classLossShape('NLLLoss', x, target, args.reduction, false), ['weight']),
  ...distanceLayers,
];

registerLayers(lossLayers);
