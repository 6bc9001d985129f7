/**
 * MultiheadAttention and the Transformer layers (torch.nn.modules.{activation,transformer}).
 * Transformer layers are one graph node each; their sub-modules are reported by `children` so the
 * state_dict and the module tree match PyTorch's (self_attn, linear1, dropout, linear2, norm1, norm2, ...).
 */
import type { TensorShape } from '../arch/types';
import { arg, FACTORY_KWARGS, moduleArg, param, readModuleArg } from './entries';
import { findLayer, registerLayers } from './registry';
import { boolArg, fmtDims, intArg, macsOf, out, sumOrNull, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, CatValue, LayerSpec, LocalTensor, OutTree } from './types';

interface MhaConfig {
  embed: number;
  heads: number;
  kdim: number;
  vdim: number;
  bias: boolean;
  biasKv: boolean;
  zeroAttn: boolean;
  batchFirst: boolean;
}

function mhaConfig(args: BoundArgs): MhaConfig {
  const embed = intArg(args.embed_dim, 'embed_dim', 'MultiheadAttention');
  const heads = intArg(args.num_heads, 'num_heads', 'MultiheadAttention');
  if (embed % heads !== 0) throw new ShapeError('MultiheadAttention: embed_dim must be divisible by num_heads');
  const kdim = args.kdim === null || args.kdim === undefined ? embed : intArg(args.kdim, 'kdim', 'MultiheadAttention');
  const vdim = args.vdim === null || args.vdim === undefined ? embed : intArg(args.vdim, 'vdim', 'MultiheadAttention');
  return {
    embed, heads, kdim, vdim,
    bias: boolArg(args.bias, 'bias', 'MultiheadAttention'),
    biasKv: boolArg(args.add_bias_kv, 'add_bias_kv', 'MultiheadAttention'),
    zeroAttn: boolArg(args.add_zero_attn, 'add_zero_attn', 'MultiheadAttention'),
    batchFirst: boolArg(args.batch_first, 'batch_first', 'MultiheadAttention'),
  };
}

interface AttnDims { batch: number | null; batched: boolean; tgtLen: number | null; srcLen: number | null }

/** Validates query/key/value and reads (L, S, N) from them the way F.multi_head_attention_forward does. */
function attnDims(c: MhaConfig, q: TensorShape, k: TensorShape, v: TensorShape): AttnDims {
  const where = 'MultiheadAttention';
  if (q.length !== 2 && q.length !== 3) throw new ShapeError(`${where}: query should be unbatched 2D or batched 3D tensor but received ${q.length}-D query tensor`);
  if (k.length !== q.length || v.length !== q.length) throw new ShapeError(`${where}: For ${q.length === 3 ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`key\` and \`value\` to be ${q.length}-D but found ${k.length}-D and ${v.length}-D tensors respectively`);
  const last = (s: TensorShape) => s[s.length - 1];
  if (last(q) !== null && last(q) !== c.embed) throw new ShapeError(`${where}: was expecting embedding dimension of ${c.embed}, but got ${last(q)}`);
  if (last(k) !== null && last(k) !== c.kdim) throw new ShapeError(`${where}: key's last dimension ${last(k)} does not match kdim ${c.kdim} [${fmtDims(k)}]`);
  if (last(v) !== null && last(v) !== c.vdim) throw new ShapeError(`${where}: value's last dimension ${last(v)} does not match vdim ${c.vdim} [${fmtDims(v)}]`);
  const batched = q.length === 3;
  const seq = (s: TensorShape) => (batched && c.batchFirst ? s[1] : s[0]);
  const bat = (s: TensorShape) => (!batched ? 1 : c.batchFirst ? s[0] : s[1]);
  const [sk, sv] = [seq(k), seq(v)];
  if (sk !== null && sv !== null && sk !== sv) throw new ShapeError(`${where}: key shape [${fmtDims(k)}] does not match value shape [${fmtDims(v)}]`);
  const [bq, bk] = [bat(q), bat(k)];
  if (bq !== null && bk !== null && bq !== bk) throw new ShapeError(`${where}: key and query batch sizes differ (${bk} vs ${bq})`);
  return { batch: bq, batched, tgtLen: seq(q), srcLen: sk ?? sv };
}

/** Attention scores span the source plus bias_k and the zero-attention column when enabled. */
function scoreLen(c: MhaConfig, srcLen: number | null): number | null {
  return srcLen === null ? null : srcLen + (c.biasKv ? 1 : 0) + (c.zeroAttn ? 1 : 0);
}

/** Projections of q, k, v; Q·Kᵀ and A·V (each L·S·E per batch item); the output projection. */
function mhaMacs(c: MhaConfig, d: AttnDims): number | null {
  const s = scoreLen(c, d.srcLen);
  const perItem = sumOrNull([
    macsOf(d.tgtLen, c.embed, c.embed),
    macsOf(d.srcLen, c.kdim, c.embed),
    macsOf(d.srcLen, c.vdim, c.embed),
    macsOf(d.tgtLen, s, c.embed),
    macsOf(d.tgtLen, s, c.embed),
    macsOf(d.tgtLen, c.embed, c.embed),
  ]);
  return macsOf(d.batch, perItem);
}

const multiheadAttention: LayerSpec = {
  type: 'MultiheadAttention',
  category: 'attention',
  signature: [
    arg('embed_dim'), arg('num_heads'), arg('dropout', 0.0), arg('bias', true), arg('add_bias_kv', false), arg('add_zero_attn', false),
    arg('kdim', null), arg('vdim', null), arg('batch_first', false), ...FACTORY_KWARGS,
  ],
  forwardSignature: [
    arg('query'), arg('key'), arg('value'), arg('key_padding_mask', null), arg('need_weights', true), arg('attn_mask', null),
    arg('average_attn_weights', true),
  ],
  tensors(args) {
    const c = mhaConfig(args);
    const t: LocalTensor[] = [];
    if (c.kdim === c.embed && c.vdim === c.embed) t.push(param('in_proj_weight', [3 * c.embed, c.embed]));
    else t.push(param('q_proj_weight', [c.embed, c.embed]), param('k_proj_weight', [c.embed, c.kdim]), param('v_proj_weight', [c.embed, c.vdim]));
    if (c.bias) t.push(param('in_proj_bias', [3 * c.embed]));
    if (c.biasKv) t.push(param('bias_k', [1, 1, c.embed]), param('bias_v', [1, 1, c.embed]));
    return t;
  },
  children(args) {
    const c = mhaConfig(args);
    return [{ name: 'out_proj', type: 'NonDynamicallyQuantizableLinear', args: { in_features: c.embed, out_features: c.embed, bias: c.bias, device: null, dtype: null } }];
  },
  /** (attn_output, attn_weights); attn_weights is None (an empty tuple here) when need_weights=False. */
  forward(args, inputs) {
    const c = mhaConfig(args);
    const q = tensorShape(inputs, 'query', 'MultiheadAttention');
    const d = attnDims(c, q, tensorShape(inputs, 'key', 'MultiheadAttention'), tensorShape(inputs, 'value', 'MultiheadAttention'));
    const output: OutTree = out([...q]);
    if (inputs.need_weights === false) return [output, []];
    const s = scoreLen(c, d.srcLen);
    const heads = inputs.average_attn_weights === false ? [c.heads] : [];
    const weights = d.batched ? [d.batch, ...heads, d.tgtLen, s] : [...heads, d.tgtLen, s];
    return [output, out(weights)];
  },
  macs(args, inputs) {
    const c = mhaConfig(args);
    const q = tensorShape(inputs, 'query', 'MultiheadAttention');
    return mhaMacs(c, attnDims(c, q, tensorShape(inputs, 'key', 'MultiheadAttention'), tensorShape(inputs, 'value', 'MultiheadAttention')));
  },
  attrs(args) {
    const c = mhaConfig(args);
    return { embed_dim: c.embed, num_heads: c.heads, kdim: c.kdim, vdim: c.vdim, bias: c.bias, add_bias_kv: c.biasKv, add_zero_attn: c.zeroAttn, batch_first: c.batchFirst };
  },
};

interface TfConfig { d: number; heads: number; ff: number; dropout: CatValue; eps: CatValue; batchFirst: boolean }

function tfConfig(type: string, args: BoundArgs): TfConfig {
  return {
    d: intArg(args.d_model, 'd_model', type),
    heads: intArg(args.nhead, 'nhead', type),
    ff: intArg(args.dim_feedforward, 'dim_feedforward', type),
    dropout: args.dropout,
    eps: args.layer_norm_eps,
    batchFirst: boolArg(args.batch_first, 'batch_first', type),
  };
}

const TF_SIGNATURE = [
  arg('d_model'), arg('nhead'), arg('dim_feedforward', 2048), arg('dropout', 0.1), arg('activation', 'relu'), arg('layer_norm_eps', 1e-5),
  arg('batch_first', false), arg('norm_first', false), ...FACTORY_KWARGS,
];

function mhaArgs(c: TfConfig): BoundArgs {
  return { embed_dim: c.d, num_heads: c.heads, dropout: c.dropout, bias: true, add_bias_kv: false, add_zero_attn: false, kdim: null, vdim: null, batch_first: c.batchFirst, device: null, dtype: null };
}
const linearArgs = (i: number, o: number): BoundArgs => ({ in_features: i, out_features: o, bias: true, device: null, dtype: null });
const normArgs = (c: TfConfig): BoundArgs => ({ normalized_shape: c.d, eps: c.eps, elementwise_affine: true, device: null, dtype: null, bias: true });
const dropoutArgs = (c: TfConfig): BoundArgs => ({ p: c.dropout, inplace: false });

/** An activation given as a module instance (`activation=nn.GELU()`) is registered last, as `activation`. */
function activationChild(args: BoundArgs): { name: string; type: string; args: BoundArgs }[] {
  const act = readModuleArg(args.activation);
  return act ? [{ name: 'activation', type: act.type, args: act.args }] : [];
}

/** A sequence input [L, N, E] / [N, L, E] / unbatched [L, E] whose last dim must be d_model. */
function seqShape(type: string, inputs: BoundArgs, name: string, d: number): TensorShape {
  const x = tensorShape(inputs, name, type);
  if (x.length !== 2 && x.length !== 3) throw new ShapeError(`${type}: ${name} should be unbatched 2D or batched 3D tensor but received ${x.length}-D tensor`);
  const e = x[x.length - 1];
  if (e !== null && e !== d) throw new ShapeError(`${type}: was expecting embedding dimension of ${d}, but got ${e}`);
  return x;
}

/** Self-attention MACs for a sequence `x` of the layer's layout. */
function selfAttnMacs(c: TfConfig, q: TensorShape, kv: TensorShape): number | null {
  const mc = mhaConfig(mhaArgs(c));
  return mhaMacs(mc, attnDims(mc, q, kv, kv));
}

function ffnMacs(c: TfConfig, x: TensorShape): number | null {
  const tokens = macsOf(...x.slice(0, -1));
  return macsOf(tokens, 2 * c.d * c.ff);
}

const transformerEncoderLayer: LayerSpec = {
  type: 'TransformerEncoderLayer',
  category: 'attention',
  signature: TF_SIGNATURE,
  forwardSignature: [arg('src'), arg('src_mask', null), arg('src_key_padding_mask', null), arg('is_causal', false)],
  tensors: () => [],
  children(args) {
    const c = tfConfig('TransformerEncoderLayer', args);
    return [
      { name: 'self_attn', type: 'MultiheadAttention', args: mhaArgs(c) },
      { name: 'linear1', type: 'Linear', args: linearArgs(c.d, c.ff) },
      { name: 'dropout', type: 'Dropout', args: dropoutArgs(c) },
      { name: 'linear2', type: 'Linear', args: linearArgs(c.ff, c.d) },
      { name: 'norm1', type: 'LayerNorm', args: normArgs(c) },
      { name: 'norm2', type: 'LayerNorm', args: normArgs(c) },
      { name: 'dropout1', type: 'Dropout', args: dropoutArgs(c) },
      { name: 'dropout2', type: 'Dropout', args: dropoutArgs(c) },
      ...activationChild(args),
    ];
  },
  forward(args, inputs) {
    const c = tfConfig('TransformerEncoderLayer', args);
    return out([...seqShape('TransformerEncoderLayer', inputs, 'src', c.d)]);
  },
  macs(args, inputs) {
    const c = tfConfig('TransformerEncoderLayer', args);
    const x = seqShape('TransformerEncoderLayer', inputs, 'src', c.d);
    return sumOrNull([selfAttnMacs(c, x, x), ffnMacs(c, x)]);
  },
  attrs: (args) => ({ d_model: args.d_model, nhead: args.nhead, dim_feedforward: args.dim_feedforward, batch_first: args.batch_first, norm_first: args.norm_first, activation: typeof args.activation === 'string' ? args.activation : undefined }),
};

const transformerDecoderLayer: LayerSpec = {
  type: 'TransformerDecoderLayer',
  category: 'attention',
  signature: TF_SIGNATURE,
  forwardSignature: [
    arg('tgt'), arg('memory'), arg('tgt_mask', null), arg('memory_mask', null), arg('tgt_key_padding_mask', null), arg('memory_key_padding_mask', null),
    arg('tgt_is_causal', false), arg('memory_is_causal', false),
  ],
  tensors: () => [],
  children(args) {
    const c = tfConfig('TransformerDecoderLayer', args);
    return [
      { name: 'self_attn', type: 'MultiheadAttention', args: mhaArgs(c) },
      { name: 'multihead_attn', type: 'MultiheadAttention', args: mhaArgs(c) },
      { name: 'linear1', type: 'Linear', args: linearArgs(c.d, c.ff) },
      { name: 'dropout', type: 'Dropout', args: dropoutArgs(c) },
      { name: 'linear2', type: 'Linear', args: linearArgs(c.ff, c.d) },
      { name: 'norm1', type: 'LayerNorm', args: normArgs(c) },
      { name: 'norm2', type: 'LayerNorm', args: normArgs(c) },
      { name: 'norm3', type: 'LayerNorm', args: normArgs(c) },
      { name: 'dropout1', type: 'Dropout', args: dropoutArgs(c) },
      { name: 'dropout2', type: 'Dropout', args: dropoutArgs(c) },
      { name: 'dropout3', type: 'Dropout', args: dropoutArgs(c) },
      ...activationChild(args),
    ];
  },
  forward(args, inputs) {
    const c = tfConfig('TransformerDecoderLayer', args);
    const tgt = seqShape('TransformerDecoderLayer', inputs, 'tgt', c.d);
    const mem = seqShape('TransformerDecoderLayer', inputs, 'memory', c.d);
    attnDims(mhaConfig(mhaArgs(c)), tgt, mem, mem);
    return out([...tgt]);
  },
  macs(args, inputs) {
    const c = tfConfig('TransformerDecoderLayer', args);
    const tgt = seqShape('TransformerDecoderLayer', inputs, 'tgt', c.d);
    const mem = seqShape('TransformerDecoderLayer', inputs, 'memory', c.d);
    return sumOrNull([selfAttnMacs(c, tgt, tgt), selfAttnMacs(c, tgt, mem), ffnMacs(c, tgt)]);
  },
  attrs: (args) => ({ d_model: args.d_model, nhead: args.nhead, dim_feedforward: args.dim_feedforward, batch_first: args.batch_first, norm_first: args.norm_first }),
};

/**
 * TransformerEncoder/Decoder(layer, num_layers, norm): `layers` is a ModuleList of deep copies of `layer`
 * (given as a `moduleArg` value), `norm` an optional LayerNorm module value. Children are reported with
 * their dotted paths (`layers.0`, `layers.1`, ..., `norm`).
 */
/** The stack's forward arguments as its layers see them (`mask` is the layers' `src_mask`). */
function layerInputs(inputs: BoundArgs): BoundArgs {
  const { mask, ...rest } = inputs;
  return mask === undefined ? rest : { ...rest, src_mask: mask };
}

function stack(type: string, layerArg: string, forwardSignature: LayerSpec['forwardSignature']): LayerSpec {
  const parts = (args: BoundArgs) => {
    const layer = readModuleArg(args[layerArg]);
    if (!layer) throw new ShapeError(`${type}: ${layerArg} must be a module instance`);
    const n = intArg(args.num_layers, 'num_layers', type);
    const norm = readModuleArg(args.norm);
    return { layer, n, norm };
  };
  return {
    type,
    category: 'attention',
    signature: type === 'TransformerEncoder'
      ? [arg(layerArg), arg('num_layers'), arg('norm', null), arg('enable_nested_tensor', true), arg('mask_check', true)]
      : [arg(layerArg), arg('num_layers'), arg('norm', null)],
    forwardSignature,
    tensors: () => [],
    children(args) {
      const { layer, n, norm } = parts(args);
      const kids = Array.from({ length: n }, (_, i) => ({ name: `layers.${i}`, type: layer.type, args: layer.args }));
      return norm ? [...kids, { name: 'norm', type: norm.type, args: norm.args }] : kids;
    },
    forward(args, inputs) {
      const { layer } = parts(args);
      return findLayer(layer.type)!.forward(layer.args, layerInputs(inputs));
    },
    macs(args, inputs, output) {
      const { layer, n } = parts(args);
      return macsOf(n, findLayer(layer.type)!.macs(layer.args, layerInputs(inputs), output));
    },
    attrs: (args) => ({ num_layers: args.num_layers }),
  };
}

/**
 * nn.Transformer: `encoder` (TransformerEncoder of num_encoder_layers layers + LayerNorm) and `decoder`
 * (TransformerDecoder + LayerNorm), unless custom_encoder/custom_decoder module values replace them.
 */
function transformerParts(args: BoundArgs): { encoder: { type: string; args: BoundArgs }; decoder: { type: string; args: BoundArgs }; d: number } {
  const d = intArg(args.d_model, 'd_model', 'Transformer');
  const layerArgs: BoundArgs = {
    d_model: d, nhead: args.nhead, dim_feedforward: args.dim_feedforward, dropout: args.dropout, activation: args.activation,
    layer_norm_eps: args.layer_norm_eps, batch_first: args.batch_first, norm_first: args.norm_first, device: null, dtype: null,
  };
  const norm = moduleArg('LayerNorm', { normalized_shape: d, eps: args.layer_norm_eps, elementwise_affine: true, device: null, dtype: null, bias: true });
  const encoder = readModuleArg(args.custom_encoder) ?? {
    type: 'TransformerEncoder',
    args: { encoder_layer: moduleArg('TransformerEncoderLayer', layerArgs), num_layers: args.num_encoder_layers, norm, enable_nested_tensor: true, mask_check: true },
  };
  const decoder = readModuleArg(args.custom_decoder) ?? {
    type: 'TransformerDecoder',
    args: { decoder_layer: moduleArg('TransformerDecoderLayer', layerArgs), num_layers: args.num_decoder_layers, norm },
  };
  return { encoder, decoder, d };
}

const transformer: LayerSpec = {
  type: 'Transformer',
  category: 'attention',
  signature: [
    arg('d_model', 512), arg('nhead', 8), arg('num_encoder_layers', 6), arg('num_decoder_layers', 6), arg('dim_feedforward', 2048), arg('dropout', 0.1),
    arg('activation', 'relu'), arg('custom_encoder', null), arg('custom_decoder', null), arg('layer_norm_eps', 1e-5), arg('batch_first', false),
    arg('norm_first', false), ...FACTORY_KWARGS,
  ],
  forwardSignature: [
    arg('src'), arg('tgt'), arg('src_mask', null), arg('tgt_mask', null), arg('memory_mask', null), arg('src_key_padding_mask', null),
    arg('tgt_key_padding_mask', null), arg('memory_key_padding_mask', null),
  ],
  tensors: () => [],
  children(args) {
    const { encoder, decoder } = transformerParts(args);
    return [{ name: 'encoder', ...encoder }, { name: 'decoder', ...decoder }];
  },
  forward(args, inputs) {
    const { d } = transformerParts(args);
    const src = tensorShape(inputs, 'src', 'Transformer');
    const tgt = tensorShape(inputs, 'tgt', 'Transformer');
    const batchDim = boolArg(args.batch_first, 'batch_first', 'Transformer') ? 0 : 1;
    if (src.length === 3 && tgt.length === 3 && src[batchDim] !== null && tgt[batchDim] !== null && src[batchDim] !== tgt[batchDim]) {
      throw new ShapeError('Transformer: the batch number of src and tgt must be equal');
    }
    if ([src, tgt].some((x) => x[x.length - 1] !== null && x[x.length - 1] !== d)) throw new ShapeError('Transformer: the feature number of src and tgt must be equal to d_model');
    return out([...tgt]);
  },
  macs(args, inputs) {
    const { encoder, decoder } = transformerParts(args);
    const enc = findLayer(encoder.type)!;
    const dec = findLayer(decoder.type)!;
    const memory = enc.forward(encoder.args, { src: inputs.src });
    const memShape = Array.isArray(memory) ? null : memory.shape;
    if (memShape === null) return null;
    const decInputs = { tgt: inputs.tgt, memory: { kind: 'tensor' as const, shape: memShape } };
    return sumOrNull([
      enc.macs(encoder.args, { src: inputs.src }, memory),
      dec.macs(decoder.args, decInputs, dec.forward(decoder.args, decInputs)),
    ]);
  },
  attrs: (args) => ({ d_model: args.d_model, nhead: args.nhead, num_encoder_layers: args.num_encoder_layers, num_decoder_layers: args.num_decoder_layers, dim_feedforward: args.dim_feedforward }),
};

export const attentionLayers: LayerSpec[] = [
  transformer,
  multiheadAttention,
  transformerEncoderLayer,
  transformerDecoderLayer,
  // TransformerEncoder.forward names its mask `mask`, unlike the layer's `src_mask`.
  stack('TransformerEncoder', 'encoder_layer', [arg('src'), arg('mask', null), arg('src_key_padding_mask', null), arg('is_causal', null)]),
  stack('TransformerDecoder', 'decoder_layer', transformerDecoderLayer.forwardSignature),
];

registerLayers(attentionLayers);
