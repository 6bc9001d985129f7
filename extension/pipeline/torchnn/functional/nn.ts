/**
 * torch.nn.functional ops that mirror layers: convolutions, pooling, interpolation, padding, norms,
 * embedding, pixel shuffle, normalize, cosine_similarity. Shape rules are the layers' own (one rule each).
 */
import type { TensorShape } from '../../arch/types';
import { arg, inheritDtype, NO_MACS } from '../entries';
import { findLayer, registerFunctions } from '../registry';
import { adaptiveShape, poolShape, poolWindow, unpoolShape } from '../pooling';
import { interpolateShape, padShape, pixelShuffleShape, pixelUnshuffleShape } from '../shape';
import { broadcastShapes, intArg, isTensor, numel, out, sameAs, tensorShape, wrapDim } from '../shapeMath';
import { ShapeError } from '../types';
import type { BoundArgs, FunctionSpec, LayerSpec, OutTree } from '../types';

const F = 'torch.nn.functional.';

/** Runs the nn.ConvNd layer rule with constructor arguments recovered from the weight's shape. */
function convViaLayer(n: number, transposed: boolean): FunctionSpec {
  const op = transposed ? `conv_transpose${n}d` : `conv${n}d`;
  const layerType = transposed ? `ConvTranspose${n}d` : `Conv${n}d`;
  const layer = (): LayerSpec => findLayer(layerType)!;
  const layerArgs = (args: BoundArgs): BoundArgs | null => {
    const w = tensorShape(args, 'weight', op);
    if (w.length !== n + 2) throw new ShapeError(`${op}: weight should have at least three dimensions, expected ${n + 2}D weight, got [${w.join(', ')}]`);
    if (w.some((d) => d === null)) return null;
    const groups = intArg(args.groups, 'groups', op);
    const [w0, w1] = w as number[];
    return {
      in_channels: transposed ? w0 : w1 * groups,
      out_channels: transposed ? w1 * groups : w0,
      kernel_size: (w as number[]).slice(2),
      stride: args.stride, padding: args.padding, dilation: args.dilation, groups,
      output_padding: transposed ? args.output_padding : 0,
      bias: args.bias !== null && args.bias !== undefined, padding_mode: 'zeros',
    };
  };
  return {
    op,
    category: 'conv',
    names: [`${F}${op}`, `torch.${op}`],
    signature: transposed
      ? [arg('input'), arg('weight'), arg('bias', null), arg('stride', 1), arg('padding', 0), arg('output_padding', 0), arg('groups', 1), arg('dilation', 1)]
      : [arg('input'), arg('weight'), arg('bias', null), arg('stride', 1), arg('padding', 0), arg('dilation', 1), arg('groups', 1)],
    forward(args) {
      const la = layerArgs(args);
      const x = tensorShape(args, 'input', op);
      if (la === null) {
        const w = tensorShape(args, 'weight', op);
        const outChannels = transposed ? null : w[0];
        return out([...x.slice(0, x.length - n - 1), outChannels, ...Array<null>(n).fill(null)]);
      }
      return layer().forward(la, { input: args.input });
    },
    macs(args, o: OutTree) {
      const la = layerArgs(args);
      return la === null ? null : layer().macs(la, { input: args.input }, o);
    },
  };
}

function maxPoolFn(n: number): FunctionSpec {
  const op = `max_pool${n}d`;
  return {
    op,
    category: 'pool',
    names: [`${F}${op}`, `torch.${op}`, `${F}${op}_with_indices`],
    signature: [arg('input'), arg('kernel_size'), arg('stride', null), arg('padding', 0), arg('dilation', 1), arg('ceil_mode', false), arg('return_indices', false)],
    forward(args) {
      const shape = poolShape(op, n, tensorShape(args, 'input', op), poolWindow(op, n, args));
      return args.return_indices === true ? [out(shape), out([...shape], 'int64')] : out(shape);
    },
    macs: NO_MACS,
  };
}

function avgPoolFn(n: number): FunctionSpec {
  const op = `avg_pool${n}d`;
  return {
    op,
    category: 'pool',
    // torch.avg_pool1d is public; the 2-d/3-d ones only live in torch.nn.functional (and torch._C._nn).
    names: n === 1 ? [`${F}${op}`, `torch.${op}`] : [`${F}${op}`],
    signature: [arg('input'), arg('kernel_size'), arg('stride', null), arg('padding', 0), arg('ceil_mode', false), arg('count_include_pad', true), arg('divisor_override', null)],
    forward: (args) => out(poolShape(op, n, tensorShape(args, 'input', op), poolWindow(op, n, args))),
    macs: NO_MACS,
  };
}

function adaptiveFn(n: number, kind: 'avg' | 'max'): FunctionSpec {
  const op = `adaptive_${kind}_pool${n}d`;
  return {
    op,
    category: 'pool',
    names: n === 1 ? [`${F}${op}`, `torch.${op}`] : [`${F}${op}`],
    signature: kind === 'max' ? [arg('input'), arg('output_size'), arg('return_indices', false)] : [arg('input'), arg('output_size')],
    forward(args) {
      const shape = adaptiveShape(op, n, tensorShape(args, 'input', op), args.output_size);
      return args.return_indices === true ? [out(shape), out([...shape], 'int64')] : out(shape);
    },
    macs: NO_MACS,
  };
}

function maxUnpoolFn(n: number): FunctionSpec {
  const op = `max_unpool${n}d`;
  return {
    op,
    category: 'pool',
    names: [`${F}${op}`],
    signature: [arg('input'), arg('indices'), arg('kernel_size'), arg('stride', null), arg('padding', 0), arg('output_size', null)],
    forward: (args) => out(unpoolShape(op, n, tensorShape(args, 'input', op), args, args.output_size)),
    macs: NO_MACS,
  };
}

/**
 * F.scaled_dot_product_attention (PyTorch 2.x): softmax(Q Kᵀ / √E) V over the last two dims, batch dims
 * broadcast. MACs: L·S·E for the scores plus L·S·Ev for the weighted sum, per batch item.
 */
const scaledDotProductAttention: FunctionSpec = {
  op: 'scaled_dot_product_attention',
  category: 'attention',
  names: [`${F}scaled_dot_product_attention`],
  signature: [arg('query'), arg('key'), arg('value'), arg('attn_mask', null), arg('dropout_p', 0.0), arg('is_causal', false), arg('scale', null)],
  forward(args) {
    const q = tensorShape(args, 'query', 'scaled_dot_product_attention');
    const k = tensorShape(args, 'key', 'scaled_dot_product_attention');
    const v = tensorShape(args, 'value', 'scaled_dot_product_attention');
    if (q.length < 2 || k.length < 2 || v.length < 2) throw new ShapeError('scaled_dot_product_attention: query, key and value must be at least 2-D');
    const e = q[q.length - 1];
    const ek = k[k.length - 1];
    if (e !== null && ek !== null && e !== ek) throw new ShapeError(`scaled_dot_product_attention: query and key embedding dims differ (${e} vs ${ek})`);
    const sk = k[k.length - 2];
    const sv = v[v.length - 2];
    if (sk !== null && sv !== null && sk !== sv) throw new ShapeError(`scaled_dot_product_attention: key and value sequence lengths differ (${sk} vs ${sv})`);
    const batch = broadcastShapes(broadcastShapes(q.slice(0, -2), k.slice(0, -2), 'scaled_dot_product_attention'), v.slice(0, -2), 'scaled_dot_product_attention');
    return out([...batch, q[q.length - 2], v[v.length - 1]]);
  },
  macs(args, o) {
    if (Array.isArray(o)) return null;
    const q = tensorShape(args, 'query', 'scaled_dot_product_attention');
    const k = tensorShape(args, 'key', 'scaled_dot_product_attention');
    const batchAndL = numel(o.shape.slice(0, -1));
    const s = k[k.length - 2];
    const e = q[q.length - 1];
    const ev = o.shape[o.shape.length - 1];
    if (batchAndL === null || s === null || e === null || ev === null) return null;
    return batchAndL * s * (e + ev);
  },
};

/** The deprecated F.upsample* spellings: interpolate's rule with their own, shorter signatures. */
const upsampleAliases: FunctionSpec[] = [
  { name: 'upsample', extra: [arg('mode', 'nearest'), arg('align_corners', null)] },
  { name: 'upsample_nearest', extra: [] },
  { name: 'upsample_bilinear', extra: [] },
].map(({ name, extra }) => ({
  op: 'interpolate',
  category: 'upsample' as const,
  names: [`${F}${name}`],
  signature: [arg('input'), arg('size', null), arg('scale_factor', null), ...extra],
  forward: (args) => out(interpolateShape(name, tensorShape(args, 'input', name), args.size, args.scale_factor)),
  macs: NO_MACS,
}));

const interpolate: FunctionSpec = {
  op: 'interpolate',
  category: 'upsample',
  names: [`${F}interpolate`],
  signature: [arg('input'), arg('size', null), arg('scale_factor', null), arg('mode', 'nearest'), arg('align_corners', null), arg('recompute_scale_factor', null), arg('antialias', false)],
  forward: (args) => out(interpolateShape('interpolate', tensorShape(args, 'input', 'interpolate'), args.size, args.scale_factor)),
  macs: NO_MACS,
};

const pad: FunctionSpec = {
  op: 'pad',
  category: 'shape',
  names: [`${F}pad`],
  signature: [arg('input'), arg('pad'), arg('mode', 'constant'), arg('value', null)],
  forward(args) {
    const p = args.pad;
    if (!Array.isArray(p)) throw new ShapeError(`pad(): argument 'pad' must be tuple of ints, not ${typeof p}`);
    const mode = typeof args.mode === 'string' ? args.mode : 'constant';
    return out(padShape('pad', tensorShape(args, 'input', 'pad'), p.map((v) => intArg(v, 'pad', 'pad')), mode));
  },
  macs: NO_MACS,
};

/** Norms: output has the input's shape; the checks are the layers'. */
const layerNorm: FunctionSpec = {
  op: 'layer_norm',
  category: 'norm',
  names: [`${F}layer_norm`, 'torch.layer_norm'],
  signature: [arg('input'), arg('normalized_shape'), arg('weight', null), arg('bias', null), arg('eps', 1e-5)],
  forward: (args) => findLayer('LayerNorm')!.forward({ normalized_shape: args.normalized_shape, elementwise_affine: false }, { input: args.input }),
  macs: NO_MACS,
};

/** F.rms_norm (PyTorch >= 2.4): LayerNorm's shape rule. */
const rmsNorm: FunctionSpec = {
  op: 'rms_norm',
  category: 'norm',
  names: [`${F}rms_norm`, 'torch.rms_norm'],
  signature: [arg('input'), arg('normalized_shape'), arg('weight', null), arg('eps', null)],
  forward: (args) => findLayer('LayerNorm')!.forward({ normalized_shape: args.normalized_shape, elementwise_affine: false }, { input: args.input }),
  macs: NO_MACS,
};

const batchNorm: FunctionSpec = {
  op: 'batch_norm',
  category: 'norm',
  names: [`${F}batch_norm`, 'torch.batch_norm'],
  signature: [arg('input'), arg('running_mean'), arg('running_var'), arg('weight', null), arg('bias', null), arg('training', false), arg('momentum', 0.1), arg('eps', 1e-5)],
  forward(args) {
    const x = tensorShape(args, 'input', 'batch_norm');
    const stats = [args.running_mean, args.running_var, args.weight, args.bias].filter(isTensor);
    for (const s of stats) {
      if (x.length >= 2 && x[1] !== null && s.shape[0] !== null && s.shape[0] !== x[1]) {
        throw new ShapeError(`batch_norm: running_mean should contain ${x[1]} elements not ${s.shape[0]}`);
      }
    }
    return sameAs(args, 'input', 'batch_norm');
  },
  macs: NO_MACS,
};

const groupNorm: FunctionSpec = {
  op: 'group_norm',
  category: 'norm',
  names: [`${F}group_norm`, 'torch.group_norm'],
  signature: [arg('input'), arg('num_groups'), arg('weight', null), arg('bias', null), arg('eps', 1e-5)],
  forward(args) {
    const x = tensorShape(args, 'input', 'group_norm');
    const g = intArg(args.num_groups, 'num_groups', 'group_norm');
    if (x.length >= 2 && x[1] !== null && x[1] % g !== 0) throw new ShapeError(`group_norm: Expected number of channels in input to be divisible by num_groups, but got input of shape [${x.join(', ')}] and num_groups=${g}`);
    return sameAs(args, 'input', 'group_norm');
  },
  macs: NO_MACS,
};

const simpleNorms: FunctionSpec[] = [
  { op: 'instance_norm', category: 'norm', names: [`${F}instance_norm`, 'torch.instance_norm'], signature: [arg('input'), arg('running_mean', null), arg('running_var', null), arg('weight', null), arg('bias', null), arg('use_input_stats', true), arg('momentum', 0.1), arg('eps', 1e-5)], forward: (args) => sameAs(args, 'input', 'instance_norm'), macs: NO_MACS },
  { op: 'local_response_norm', category: 'norm', names: [`${F}local_response_norm`], signature: [arg('input'), arg('size'), arg('alpha', 1e-4), arg('beta', 0.75), arg('k', 1.0)], forward: (args) => sameAs(args, 'input', 'local_response_norm'), macs: NO_MACS },
  {
    op: 'normalize', category: 'norm', names: [`${F}normalize`], signature: [arg('input'), arg('p', 2.0), arg('dim', 1), arg('eps', 1e-12), arg('out', null)],
    forward(args) {
      const x = tensorShape(args, 'input', 'normalize');
      wrapDim(intArg(args.dim, 'dim', 'normalize'), x.length, 'normalize');
      return sameAs(args, 'input', 'normalize');
    },
    macs: NO_MACS,
  },
];

/** F.embedding(input, weight): [*input, weight.size(1)]; the indices must be an integer tensor. */
const embedding: FunctionSpec = {
  op: 'embedding',
  category: 'embedding',
  names: [`${F}embedding`],
  signature: [arg('input'), arg('weight'), arg('padding_idx', null), arg('max_norm', null), arg('norm_type', 2.0), arg('scale_grad_by_freq', false), arg('sparse', false)],
  forward(args) {
    const x = tensorShape(args, 'input', 'embedding');
    const w = tensorShape(args, 'weight', 'embedding');
    if (w.length !== 2) throw new ShapeError("embedding: 'weight' must be 2-D");
    const weight = args.weight;
    return out([...x, w[1]], isTensor(weight) ? weight.dtype : undefined);
  },
  macs: NO_MACS,
};

/** torch.embedding(weight, input): the ATen op, arguments the other way round. */
const atenEmbedding: FunctionSpec = {
  ...embedding,
  names: ['torch.embedding'],
  signature: [arg('weight'), arg('input'), arg('padding_idx', -1), arg('scale_grad_by_freq', false), arg('sparse', false)],
};

function factorFn(op: string, argName: string, rule: (where: string, x: TensorShape, r: number) => TensorShape): FunctionSpec {
  return {
    op,
    category: 'shape',
    names: [`${F}${op}`, `torch.${op}`],
    signature: [arg('input'), arg(argName)],
    forward: (args) => out(rule(op, tensorShape(args, 'input', op), intArg(args[argName], argName, op))),
    macs: NO_MACS,
  };
}

/** F.lp_pool1d/2d: the pooling window rule without padding or dilation. */
function lpPoolFn(n: number): FunctionSpec {
  const op = `lp_pool${n}d`;
  return {
    op,
    category: 'pool',
    names: [`${F}${op}`],
    signature: [arg('input'), arg('norm_type'), arg('kernel_size'), arg('stride', null), arg('ceil_mode', false)],
    forward: (args) => out(poolShape(op, n, tensorShape(args, 'input', op), poolWindow(op, n, args))),
    macs: NO_MACS,
  };
}

/** channel_shuffle keeps the shape; channels must divide into the groups. Same rule as nn.ChannelShuffle. */
const channelShuffle: FunctionSpec = {
  op: 'channel_shuffle',
  category: 'shape',
  names: [`${F}channel_shuffle`, 'torch.channel_shuffle', `${F}native_channel_shuffle`, 'torch.native_channel_shuffle'],
  signature: [arg('input'), arg('groups')],
  forward: (args) => findLayer('ChannelShuffle')!.forward({ groups: args.groups }, { input: args.input }),
  macs: NO_MACS,
};

/** cosine_similarity(x1, x2, dim): the broadcast shape without `dim`. */
const cosineSimilarity: FunctionSpec = {
  op: 'cosine_similarity',
  category: 'reduce',
  names: [`${F}cosine_similarity`, 'torch.cosine_similarity'],
  signature: [arg('x1'), arg('x2'), arg('dim', 1), arg('eps', 1e-8)],
  forward(args) {
    const b = broadcastShapes(tensorShape(args, 'x1', 'cosine_similarity'), tensorShape(args, 'x2', 'cosine_similarity'), 'cosine_similarity');
    const d = wrapDim(intArg(args.dim, 'dim', 'cosine_similarity'), b.length, 'cosine_similarity');
    return out(b.filter((_, i) => i !== d));
  },
  macs: NO_MACS,
};


export const nnFunctions: FunctionSpec[] = [
  ...[1, 2, 3].flatMap((n) => [convViaLayer(n, false), convViaLayer(n, true), maxPoolFn(n), avgPoolFn(n), adaptiveFn(n, 'avg'), adaptiveFn(n, 'max')]),
  ...[1, 2, 3].map(maxUnpoolFn), scaledDotProductAttention,
  interpolate, ...upsampleAliases, pad, layerNorm, rmsNorm, batchNorm, groupNorm, ...simpleNorms, embedding, atenEmbedding,
  factorFn('pixel_shuffle', 'upscale_factor', pixelShuffleShape), factorFn('pixel_unshuffle', 'downscale_factor', pixelUnshuffleShape),
  cosineSimilarity, lpPoolFn(1), lpPoolFn(2), channelShuffle,
];

inheritDtype([pad, ...nnFunctions.filter((f) => f.op === 'pixel_shuffle' || f.op === 'pixel_unshuffle' || f.op === 'channel_shuffle')]);
registerFunctions(nnFunctions);
