/** BatchNorm, InstanceNorm, LayerNorm, GroupNorm, LocalResponseNorm (torch.nn.modules.{batchnorm,instancenorm,normalization}). */
import { arg, buffer, FACTORY_KWARGS, NO_MACS, param, shapePreservingLayer } from './entries';
import { registerLayers } from './registry';
import { boolArg, fmtDims, intArg, normalizeTuple, sameAs, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, LayerSpec, LocalTensor } from './types';

/** weight, bias (affine), then running_mean, running_var, num_batches_tracked (tracking): _NormBase's order. */
function normBaseTensors(args: BoundArgs, type: string): LocalTensor[] {
  const c = intArg(args.num_features, 'num_features', type);
  const t: LocalTensor[] = [];
  if (boolArg(args.affine, 'affine', type)) t.push(param('weight', [c]), param('bias', [c]));
  if (boolArg(args.track_running_stats, 'track_running_stats', type)) {
    t.push(buffer('running_mean', [c]), buffer('running_var', [c]), buffer('num_batches_tracked', [], 'int64'));
  }
  return t;
}

const NORM_BASE_ATTRS = ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'];

function batchNorm(n: number): LayerSpec {
  const type = `BatchNorm${n}d`;
  // BatchNorm1d takes (N, C) or (N, C, L); 2d takes (N, C, H, W); 3d (N, C, D, H, W).
  const ranks = n === 1 ? [2, 3] : [n + 2];
  return {
    type,
    category: 'norm',
    signature: [arg('num_features'), arg('eps', 1e-5), arg('momentum', 0.1), arg('affine', true), arg('track_running_stats', true), ...FACTORY_KWARGS],
    tensors: (args) => normBaseTensors(args, type),
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      if (!ranks.includes(x.length)) {
        throw new ShapeError(`${type}: expected ${ranks.map((r) => `${r}D`).join(' or ')} input (got ${x.length}D input)`);
      }
      const c = intArg(args.num_features, 'num_features', type);
      if (x[1] !== null && x[1] !== c) throw new ShapeError(`${type}: running_mean should contain ${x[1]} elements not ${c}`);
      return sameAs(inputs, 'input', type);
    },
    macs: NO_MACS,
    attrs: (args) => Object.fromEntries(NORM_BASE_ATTRS.map((k) => [k, args[k]])),
  };
}

function instanceNorm(n: number): LayerSpec {
  const type = `InstanceNorm${n}d`;
  return {
    type,
    category: 'norm',
    signature: [arg('num_features'), arg('eps', 1e-5), arg('momentum', 0.1), arg('affine', false), arg('track_running_stats', false), ...FACTORY_KWARGS],
    tensors: (args) => normBaseTensors(args, type),
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      if (x.length !== n + 1 && x.length !== n + 2) throw new ShapeError(`${type}: expected ${n + 1}D or ${n + 2}D input (got ${x.length}D input)`);
      const c = intArg(args.num_features, 'num_features', type);
      const got = x[x.length - n - 1];
      // Without affine weights PyTorch only warns about a channel mismatch; with them it raises.
      if (got !== null && got !== c && boolArg(args.affine, 'affine', type)) {
        throw new ShapeError(`${type}: expected input's size at dim=${x.length - n - 1} to match num_features (${c}), but got: ${got}.`);
      }
      return sameAs(inputs, 'input', type);
    },
    macs: NO_MACS,
    attrs: (args) => Object.fromEntries(NORM_BASE_ATTRS.map((k) => [k, args[k]])),
  };
}

function normalizedShape(args: BoundArgs): number[] {
  const v = args.normalized_shape;
  return Array.isArray(v) ? normalizeTuple(v, v.length, 'normalized_shape', 'LayerNorm') : [intArg(v, 'normalized_shape', 'LayerNorm')];
}

const layerNorm: LayerSpec = {
  type: 'LayerNorm',
  category: 'norm',
  // `bias` is PyTorch >= 2.1 (keyword use only here: it sits before device/dtype there, absent in 1.13).
  signature: [arg('normalized_shape'), arg('eps', 1e-5), arg('elementwise_affine', true), ...FACTORY_KWARGS, arg('bias', true)],
  tensors(args) {
    const s = normalizedShape(args);
    if (!boolArg(args.elementwise_affine, 'elementwise_affine', 'LayerNorm')) return [];
    return boolArg(args.bias, 'bias', 'LayerNorm') ? [param('weight', s), param('bias', s)] : [param('weight', s)];
  },
  forward(args, inputs) {
    const s = normalizedShape(args);
    const x = tensorShape(inputs, 'input', 'LayerNorm');
    const tail = x.slice(x.length - s.length);
    if (x.length < s.length || tail.some((d, i) => d !== null && d !== s[i])) {
      throw new ShapeError(`LayerNorm: Given normalized_shape=[${s.join(', ')}], expected input with shape [*, ${s.join(', ')}], but got input of size[${fmtDims(x)}]`);
    }
    return sameAs(inputs, 'input', 'LayerNorm');
  },
  macs: NO_MACS,
  attrs: (args) => ({ normalized_shape: normalizedShape(args), eps: args.eps, elementwise_affine: args.elementwise_affine }),
};

const groupNorm: LayerSpec = {
  type: 'GroupNorm',
  category: 'norm',
  signature: [arg('num_groups'), arg('num_channels'), arg('eps', 1e-5), arg('affine', true), ...FACTORY_KWARGS],
  tensors(args) {
    const g = intArg(args.num_groups, 'num_groups', 'GroupNorm');
    const c = intArg(args.num_channels, 'num_channels', 'GroupNorm');
    if (c % g !== 0) throw new ShapeError('GroupNorm: num_channels must be divisible by num_groups');
    return boolArg(args.affine, 'affine', 'GroupNorm') ? [param('weight', [c]), param('bias', [c])] : [];
  },
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'GroupNorm');
    const g = intArg(args.num_groups, 'num_groups', 'GroupNorm');
    const c = intArg(args.num_channels, 'num_channels', 'GroupNorm');
    if (x.length < 2) throw new ShapeError(`GroupNorm: Expected at least 2 dimensions for input tensor but received ${x.length}`);
    if (x[1] !== null && x[1] % g !== 0) throw new ShapeError(`GroupNorm: Expected number of channels in input to be divisible by num_groups, but got input of shape [${fmtDims(x)}] and num_groups=${g}`);
    if (x[1] !== null && x[1] !== c && boolArg(args.affine, 'affine', 'GroupNorm')) {
      throw new ShapeError(`GroupNorm: Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [${c}] and input of shape [${fmtDims(x)}]`);
    }
    return sameAs(inputs, 'input', 'GroupNorm');
  },
  macs: NO_MACS,
  attrs: (args) => ({ num_groups: args.num_groups, num_channels: args.num_channels, eps: args.eps, affine: args.affine }),
};

/** SyncBatchNorm: BatchNorm over any (N, C, *) input (it only runs on GPU, in training; shapes are the same). */
const syncBatchNorm: LayerSpec = {
  ...batchNorm(2),
  type: 'SyncBatchNorm',
  signature: [arg('num_features'), arg('eps', 1e-5), arg('momentum', 0.1), arg('affine', true), arg('track_running_stats', true), arg('process_group', null), ...FACTORY_KWARGS],
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'SyncBatchNorm');
    if (x.length < 2) throw new ShapeError(`SyncBatchNorm: expected at least 2D input (got ${x.length}D input)`);
    const c = intArg(args.num_features, 'num_features', 'SyncBatchNorm');
    if (x[1] !== null && x[1] !== c) throw new ShapeError(`SyncBatchNorm: running_mean should contain ${x[1]} elements not ${c}`);
    return sameAs(inputs, 'input', 'SyncBatchNorm');
  },
};

/** RMSNorm (PyTorch >= 2.4): a weight of normalized_shape when elementwise_affine; LayerNorm's shape check. */
const rmsNorm: LayerSpec = {
  type: 'RMSNorm',
  category: 'norm',
  signature: [arg('normalized_shape'), arg('eps', null), arg('elementwise_affine', true), ...FACTORY_KWARGS],
  tensors: (args) => (boolArg(args.elementwise_affine, 'elementwise_affine', 'RMSNorm') ? [param('weight', normalizedShape(args))] : []),
  forward: (args, inputs) => layerNorm.forward({ ...args, elementwise_affine: false }, inputs),
  macs: NO_MACS,
  attrs: (args) => ({ normalized_shape: normalizedShape(args), eps: args.eps, elementwise_affine: args.elementwise_affine }),
};

export const normalizationLayers: LayerSpec[] = [
  rmsNorm,
  syncBatchNorm,
  ...[1, 2, 3].map(batchNorm),
  ...[1, 2, 3].map(instanceNorm),
  layerNorm,
  groupNorm,
  shapePreservingLayer('LocalResponseNorm', 'norm', [arg('size'), arg('alpha', 1e-4), arg('beta', 0.75), arg('k', 1.0)], ['size', 'alpha', 'beta', 'k']),
];

registerLayers(normalizationLayers);
