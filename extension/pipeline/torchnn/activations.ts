/** Non-linear activations (torch.nn.modules.activation), except MultiheadAttention (attention.ts). */
import { arg, FACTORY_KWARGS, NO_MACS, param, shapePreservingLayer } from './entries';
import { registerLayers } from './registry';
import { intArg, out, sameAs, tensorShape, wrapDim } from './shapeMath';
import { ShapeError } from './types';
import type { LayerSpec } from './types';

const INPLACE = arg('inplace', false);

/** [type, signature] of the activations whose output has the input's shape and which own no tensors. */
const ELEMENTWISE: [string, ReturnType<typeof arg>[]][] = [
  ['ReLU', [INPLACE]],
  ['ReLU6', [INPLACE]],
  ['LeakyReLU', [arg('negative_slope', 0.01), INPLACE]],
  ['RReLU', [arg('lower', 1 / 8), arg('upper', 1 / 3), INPLACE]],
  ['ELU', [arg('alpha', 1.0), INPLACE]],
  ['CELU', [arg('alpha', 1.0), INPLACE]],
  ['SELU', [INPLACE]],
  ['GELU', [arg('approximate', 'none')]],
  ['SiLU', [INPLACE]],
  ['Mish', [INPLACE]],
  ['Sigmoid', []],
  ['LogSigmoid', []],
  ['Tanh', []],
  ['Hardswish', [INPLACE]],
  ['Hardsigmoid', [INPLACE]],
  // min_value/max_value: deprecated aliases PyTorch still accepts.
  ['Hardtanh', [arg('min_val', -1.0), arg('max_val', 1.0), INPLACE, arg('min_value', null), arg('max_value', null)]],
  ['Hardshrink', [arg('lambd', 0.5)]],
  ['Softshrink', [arg('lambd', 0.5)]],
  ['Softplus', [arg('beta', 1), arg('threshold', 20)]],
  ['Softsign', []],
  ['Tanhshrink', []],
  ['Threshold', [arg('threshold'), arg('value'), INPLACE]],
];

/** Softmax-like layers: shape-preserving, with a `dim` that must be valid for the input. */
function softmaxLike(type: string): LayerSpec {
  return {
    type,
    category: 'activation',
    signature: [arg('dim', null)],
    tensors: () => [],
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      if (typeof args.dim === 'number') wrapDim(args.dim, x.length, type);
      return sameAs(inputs, 'input', type);
    },
    macs: NO_MACS,
    attrs: (args) => ({ dim: args.dim }),
  };
}

const softmax2d: LayerSpec = {
  type: 'Softmax2d',
  category: 'activation',
  signature: [],
  tensors: () => [],
  forward(_args, inputs) {
    const x = tensorShape(inputs, 'input', 'Softmax2d');
    if (x.length !== 3 && x.length !== 4) throw new ShapeError(`Softmax2d: expected 3D or 4D input (got ${x.length}D input)`);
    return sameAs(inputs, 'input', 'Softmax2d');
  },
  macs: NO_MACS,
};

const prelu: LayerSpec = {
  type: 'PReLU',
  category: 'activation',
  signature: [arg('num_parameters', 1), arg('init', 0.25), ...FACTORY_KWARGS],
  tensors: (args) => [param('weight', [intArg(args.num_parameters, 'num_parameters', 'PReLU')])],
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'PReLU');
    const n = intArg(args.num_parameters, 'num_parameters', 'PReLU');
    const channels = x.length >= 2 ? x[1] : 1;
    if (n !== 1 && channels !== null && channels !== n) {
      throw new ShapeError(`PReLU: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`);
    }
    return sameAs(inputs, 'input', 'PReLU');
  },
  macs: NO_MACS,
  attrs: (args) => ({ num_parameters: args.num_parameters }),
};

/** GLU halves `dim`, which must have an even size. Shared with F.glu. */
export function gluShape(where: string, x: (number | null)[], dimArg: number): (number | null)[] {
  if (x.length === 0) throw new ShapeError(`${where}: glu does not support scalars because halving size must be even`);
  const d = wrapDim(dimArg, x.length, where);
  const size = x[d];
  if (size !== null && size % 2 !== 0) throw new ShapeError(`${where}: Halving dimension must be even, but dimension ${d} is size ${size}`);
  return x.map((s, i) => (i === d && s !== null ? s / 2 : s));
}

const glu: LayerSpec = {
  type: 'GLU',
  category: 'activation',
  signature: [arg('dim', -1)],
  tensors: () => [],
  forward: (args, inputs) => out(gluShape('GLU', tensorShape(inputs, 'input', 'GLU'), intArg(args.dim, 'dim', 'GLU'))),
  macs: NO_MACS,
  attrs: (args) => ({ dim: args.dim }),
};

export const activationLayers: LayerSpec[] = [
  ...ELEMENTWISE.map(([type, sig]) => shapePreservingLayer(type, 'activation', sig, sig.map((a) => a.name).filter((n) => n !== 'inplace' && n !== 'min_value' && n !== 'max_value'))),
  softmaxLike('Softmax'),
  softmaxLike('LogSoftmax'),
  softmaxLike('Softmin'),
  softmax2d,
  prelu,
  glu,
];

registerLayers(activationLayers);
