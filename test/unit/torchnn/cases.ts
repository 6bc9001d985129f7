/**
 * The catalogue's case table: layers with constructor arguments and inputs, functions with call arguments.
 * Every case is run through PyTorch by test/torch/catalogue_truth.py; nothing here states an expected answer.
 *
 * Value encoding (shared with the Python script): t(...shape) a float tensor, ti(high, ...shape) an int64
 * tensor with values in [0, high), tu(...shape) a float tensor in [0, 1), tb(...shape) a bool tensor, mod(type, args, kwargs) a module instance,
 * dtype('float16') a torch dtype; arrays are tuples.
 */
export type J = number | string | boolean | null | J[] | { [k: string]: J };

export interface Case {
  id: string;
  kind: 'layer' | 'function';
  /** Layer class name (layers). */
  type?: string;
  /** Function spelling (functions). */
  name?: string;
  args?: J[];
  kwargs?: Record<string, J>;
  inputs?: J[];
  inputKwargs?: Record<string, J>;
  /** Run the layer in eval mode (SyncBatchNorm only runs on GPU in training mode). */
  eval?: boolean;
}

export const t = (...shape: number[]): J => ({ tensor: shape });
export const ti = (high: number, ...shape: number[]): J => ({ tensor: shape, dtype: 'int64', high });
/** An int64 tensor holding exactly these values (EmbeddingBag offsets). */
export const tv = (...values: number[]): J => ({ values });
/** A float tensor with values in [0, 1) (probabilities). */
export const tu = (...shape: number[]): J => ({ tensor: shape, unit: true });
export const tb = (...shape: number[]): J => ({ tensor: shape, dtype: 'bool' });
export const mod = (type: string, args: J[] = [], kwargs: Record<string, J> = {}): J => ({ module: type, args, kwargs });
export const dtype = (name: string): J => ({ dtype_value: name });
export const list = (...items: J[]): J => ({ list: items });

export const CASES: Case[] = [];
const seen = new Map<string, number>();

function id(base: string): string {
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

/** A layer case: nn.<type>(*args, **kwargs)(*inputs, **inputKwargs). */
function L(type: string, args: J[], kwargs: Record<string, J>, inputs: J[], inputKwargs: Record<string, J> = {}): void {
  CASES.push({ id: id(type), kind: 'layer', type, args, kwargs, inputs, inputKwargs });
}

/** A function case: name(*inputs, **inputKwargs); `Tensor.x` calls the method on inputs[0]. */
function Fn(name: string, inputs: J[], inputKwargs: Record<string, J> = {}): void {
  CASES.push({ id: id(name), kind: 'function', name, inputs, inputKwargs });
}

// ---------------------------------------------------------------- convolutional
L('Conv1d', [4, 8, 3], {}, [t(2, 4, 20)]);
L('Conv1d', [4, 8, 5], { stride: 2, padding: 2, dilation: 2, groups: 2 }, [t(2, 4, 33)]);
L('Conv1d', [4, 6, 3], { padding: 'same', padding_mode: 'reflect', bias: false }, [t(4, 17)]);
L('Conv2d', [3, 16, 3], { stride: 2, padding: 1 }, [t(2, 3, 32, 32)]);
L('Conv2d', [3, 16, [3, 5]], { stride: [2, 1], padding: [1, 2], dilation: [2, 1] }, [t(1, 3, 15, 17)]);
L('Conv2d', [8, 8, 3], { groups: 8, padding: 1, bias: false }, [t(2, 8, 9, 9)]);
L('Conv2d', [8, 12, 3], { groups: 4, padding: 'same', dilation: 2 }, [t(1, 8, 10, 11)]);
L('Conv2d', [4, 4, 3], { padding: 'valid', padding_mode: 'circular' }, [t(1, 4, 7, 7)]);
L('Conv2d', [4, 4, 3], { padding: 1, padding_mode: 'replicate' }, [t(4, 7, 7)]);
L('Conv2d', [3, 8, 3], {}, [t(1, 4, 8, 8)]); // channel mismatch: PyTorch rejects it
L('Conv2d', [3, 8, 7], {}, [t(1, 3, 4, 4)]); // input smaller than the kernel
L('Conv2d', [6, 8, 3], { groups: 4 }, [t(1, 6, 8, 8)]); // in_channels not divisible by groups
L('Conv3d', [2, 4, 3], { stride: [1, 2, 2], padding: 1 }, [t(1, 2, 5, 8, 8)]);
L('Conv3d', [4, 8, [1, 3, 3]], { groups: 2, dilation: [1, 2, 2] }, [t(2, 4, 3, 9, 9)]);
L('ConvTranspose1d', [4, 6, 4], { stride: 2, padding: 1 }, [t(2, 4, 10)]);
L('ConvTranspose1d', [4, 8, 3], { stride: 3, output_padding: 2, groups: 2, dilation: 2 }, [t(1, 4, 7)]);
L('ConvTranspose2d', [16, 8, 4], { stride: 2, padding: 1, bias: false }, [t(2, 16, 8, 8)]);
L('ConvTranspose2d', [4, 8, 3], { stride: 2, padding: 1, output_padding: 1, groups: 2, dilation: 1 }, [t(1, 4, 5, 6)]);
L('ConvTranspose2d', [4, 4, [3, 5]], { stride: [2, 3], padding: [0, 1], dilation: [2, 1] }, [t(4, 6, 6)]);
L('ConvTranspose2d', [4, 4, 3], { stride: 2, padding: 1 }, [t(1, 4, 5, 5)], { output_size: [10, 10] });
L('ConvTranspose2d', [4, 4, 3], { stride: 1, output_padding: 1 }, [t(1, 4, 5, 5)]); // output_padding too large
L('ConvTranspose3d', [2, 4, 3], { stride: 2, padding: 1, output_padding: 1 }, [t(1, 2, 3, 4, 4)]);

// ---------------------------------------------------------------- linear
L('Identity', [], {}, [t(2, 7)]);
L('Identity', [54, 'unused'], {}, [t(3)]);
L('Linear', [10, 5], {}, [t(4, 10)]);
L('Linear', [10, 5], { bias: false }, [t(2, 3, 10)]);
L('Linear', [7, 3], {}, [t(7)]);
L('Linear', [10, 5], {}, [t(4, 11)]);
L('NonDynamicallyQuantizableLinear', [6, 6], {}, [t(2, 6)]);
L('Bilinear', [3, 4, 5], {}, [t(2, 3), t(2, 4)]);
L('Bilinear', [3, 4, 5], { bias: false }, [t(2, 6, 3), t(2, 6, 4)]);

// ---------------------------------------------------------------- normalization
L('BatchNorm1d', [8], {}, [t(4, 8)]);
L('BatchNorm1d', [8], { affine: false }, [t(4, 8, 5)]);
L('BatchNorm2d', [16], {}, [t(2, 16, 4, 4)]);
L('BatchNorm2d', [16], { track_running_stats: false }, [t(2, 16, 4, 4)]);
L('BatchNorm2d', [16], { affine: false, track_running_stats: false }, [t(2, 16, 3, 3)]);
L('BatchNorm2d', [16], {}, [t(2, 15, 4, 4)]);
L('BatchNorm2d', [16], {}, [t(2, 16, 4)]);
L('BatchNorm3d', [4], { momentum: null }, [t(2, 4, 2, 3, 3)]);
L('InstanceNorm1d', [4], {}, [t(2, 4, 10)]);
L('InstanceNorm1d', [4], { affine: true, track_running_stats: true }, [t(4, 10)]);
L('InstanceNorm2d', [3], {}, [t(2, 3, 6, 6)]);
L('InstanceNorm2d', [3], { affine: true }, [t(2, 3, 6, 6)]);
L('InstanceNorm2d', [3], { affine: true }, [t(2, 5, 6, 6)]);
L('InstanceNorm3d', [2], { track_running_stats: true }, [t(1, 2, 3, 4, 4)]);
L('LayerNorm', [10], {}, [t(2, 5, 10)]);
L('LayerNorm', [[5, 10]], { elementwise_affine: false }, [t(2, 5, 10)]);
L('LayerNorm', [[4, 4]], { eps: 1e-6 }, [t(3, 8, 4, 4)]);
L('LayerNorm', [10], {}, [t(2, 10, 5)]);
L('GroupNorm', [4, 16], {}, [t(2, 16, 5, 5)]);
L('GroupNorm', [2, 6], { affine: false }, [t(3, 6, 7)]);
L('GroupNorm', [4, 10], {}, [t(2, 10, 3)]); // not divisible
L('LocalResponseNorm', [3], {}, [t(2, 8, 5, 5)]);

// ---------------------------------------------------------------- activations
for (const [type, args, kwargs] of [
  ['ReLU', [], {}], ['ReLU', [true], {}], ['ReLU6', [], {}], ['LeakyReLU', [0.2], {}], ['RReLU', [], {}], ['ELU', [], { alpha: 0.5 }],
  ['CELU', [], {}], ['SELU', [], {}], ['GELU', [], { approximate: 'tanh' }], ['SiLU', [], {}], ['Mish', [], {}], ['Sigmoid', [], {}],
  ['LogSigmoid', [], {}], ['Tanh', [], {}], ['Hardswish', [], {}], ['Hardsigmoid', [], {}], ['Hardtanh', [-2.0, 2.0], {}],
  ['Hardshrink', [], {}], ['Softshrink', [0.3], {}], ['Softplus', [], { beta: 2 }], ['Softsign', [], {}], ['Tanhshrink', [], {}],
  ['Threshold', [0.1, 20.0], {}], ['Softmax', [], { dim: 1 }], ['LogSoftmax', [-1], {}], ['Softmin', [0], {}], ['Softmax2d', [], {}],
] as [string, J[], Record<string, J>][]) {
  L(type, args, kwargs, [t(2, 3, 4, 5)]);
}
L('Softmax', [3], {}, [t(2, 3)]); // dim out of range
L('Softmax2d', [], {}, [t(2, 3)]);
L('PReLU', [], {}, [t(2, 3, 4)]);
L('PReLU', [6], {}, [t(2, 6, 4, 4)]);
L('PReLU', [6], {}, [t(2, 5, 4, 4)]);
L('GLU', [], {}, [t(2, 8)]);
L('GLU', [1], {}, [t(2, 6, 3)]);
L('GLU', [], {}, [t(2, 7)]);

// ---------------------------------------------------------------- dropout
L('Dropout', [], {}, [t(2, 10)]);
L('Dropout', [0.2, true], {}, [t(2, 3, 4)]);
L('Dropout', [1.5], {}, [t(2, 10)]);
L('Dropout1d', [0.1], {}, [t(2, 4, 10)]);
L('Dropout2d', [], {}, [t(2, 4, 5, 5)]);
L('Dropout3d', [], {}, [t(2, 4, 2, 5, 5)]);
L('AlphaDropout', [0.1], {}, [t(3, 7)]);
L('FeatureAlphaDropout', [0.1], {}, [t(2, 3, 4, 4)]);

// ---------------------------------------------------------------- pooling
L('MaxPool1d', [3], { stride: 2 }, [t(2, 4, 11)]);
L('MaxPool1d', [3], { stride: 2, padding: 1, dilation: 2, ceil_mode: true, return_indices: true }, [t(2, 4, 12)]);
L('MaxPool2d', [2], {}, [t(2, 3, 8, 8)]);
L('MaxPool2d', [3, 2, 1], {}, [t(1, 16, 112, 112)]);
L('MaxPool2d', [3, 2], { ceil_mode: true }, [t(1, 4, 14, 14)]);
L('MaxPool2d', [[3, 2]], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], return_indices: true }, [t(4, 9, 9)]);
L('MaxPool2d', [3, 3], { ceil_mode: true, padding: 1 }, [t(1, 2, 7, 7)]);
L('MaxPool2d', [3], { padding: 2 }, [t(1, 2, 7, 7)]); // pad more than half the kernel
L('MaxPool2d', [5], {}, [t(1, 2, 3, 3)]); // output would be empty
L('MaxPool3d', [2], { stride: 2, ceil_mode: true }, [t(1, 2, 5, 5, 5)]);
L('AvgPool1d', [4], { stride: 3, padding: 2, ceil_mode: true }, [t(2, 3, 10)]);
L('AvgPool2d', [2], {}, [t(2, 3, 7, 7)]);
L('AvgPool2d', [3], { stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }, [t(1, 4, 10, 10)]);
L('AvgPool2d', [[2, 4]], { stride: [1, 2], divisor_override: 3 }, [t(3, 8, 9)]);
L('AvgPool3d', [2], { stride: 1, padding: 1 }, [t(1, 2, 3, 4, 4)]);
L('AdaptiveAvgPool1d', [5], {}, [t(2, 3, 17)]);
L('AdaptiveAvgPool2d', [1], {}, [t(2, 512, 7, 7)]);
L('AdaptiveAvgPool2d', [[3, null]], {}, [t(2, 8, 9, 10)]);
L('AdaptiveAvgPool2d', [[6, 6]], {}, [t(8, 13, 13)]);
L('AdaptiveAvgPool3d', [[1, 2, 2]], {}, [t(1, 3, 4, 6, 6)]);
L('AdaptiveMaxPool1d', [4], { return_indices: true }, [t(2, 3, 10)]);
L('AdaptiveMaxPool2d', [[2, 3]], {}, [t(2, 3, 10, 10)]);
L('AdaptiveMaxPool2d', [2], { return_indices: true }, [t(3, 10, 10)]);
L('AdaptiveMaxPool3d', [2], {}, [t(1, 2, 4, 4, 4)]);
L('LPPool1d', [2, 3], { stride: 2 }, [t(2, 3, 11)]);
L('LPPool2d', [2, 3], { stride: 2, ceil_mode: true }, [t(1, 3, 10, 10)]);

// ---------------------------------------------------------------- shape layers
L('Flatten', [], {}, [t(2, 3, 4, 5)]);
L('Flatten', [0, 2], {}, [t(2, 3, 4, 5)]);
L('Flatten', [2, 1], {}, [t(2, 3, 4, 5)]);
L('Unflatten', [1, [2, 6]], {}, [t(3, 12)]);
L('Unflatten', [-1, [3, -1]], {}, [t(3, 2, 12)]);
L('Unflatten', [1, [5, 2]], {}, [t(3, 12)]);
L('ZeroPad2d', [2], {}, [t(1, 3, 4, 4)]);
L('ZeroPad2d', [[1, 0, 2, -1]], {}, [t(3, 4, 4)]);
L('ConstantPad1d', [[2, 3], 1.5], {}, [t(2, 4, 5)]);
L('ConstantPad2d', [1, 0.0], {}, [t(2, 3, 4, 5)]);
L('ConstantPad3d', [[1, 1, 0, 2, 3, 0], 0.0], {}, [t(1, 2, 3, 4, 5)]);
L('ReflectionPad1d', [2], {}, [t(2, 3, 5)]);
L('ReflectionPad2d', [[1, 2, 0, 1]], {}, [t(1, 3, 4, 4)]);
L('ReflectionPad2d', [4], {}, [t(1, 3, 4, 4)]); // padding not smaller than the input
L('ReflectionPad3d', [1], {}, [t(1, 2, 3, 3, 3)]);
L('ReplicationPad1d', [[3, 1]], {}, [t(2, 3, 5)]);
L('ReplicationPad2d', [2], {}, [t(3, 4, 4)]);
L('ReplicationPad3d', [[1, 0, 1, 0, 1, 0]], {}, [t(1, 2, 3, 3, 3)]);
L('PixelShuffle', [2], {}, [t(1, 12, 4, 5)]);
L('PixelShuffle', [3], {}, [t(1, 12, 4, 5)]);
L('PixelUnshuffle', [2], {}, [t(2, 3, 8, 6)]);
L('ChannelShuffle', [3], {}, [t(2, 12, 4, 4)]);
L('Upsample', [], { scale_factor: 2, mode: 'nearest' }, [t(1, 3, 5, 7)]);
L('Upsample', [], { size: [9, 11], mode: 'bilinear', align_corners: false }, [t(1, 3, 5, 7)]);
L('Upsample', [], { scale_factor: 1.5, mode: 'linear' }, [t(2, 3, 7)]);
L('Upsample', [], { scale_factor: [2, 1, 0.5], mode: 'trilinear' }, [t(1, 2, 3, 4, 6)]);
L('UpsamplingNearest2d', [], { scale_factor: 3 }, [t(1, 2, 3, 3)]);
L('UpsamplingBilinear2d', [[8, 6]], {}, [t(1, 2, 3, 3)]);

// ---------------------------------------------------------------- embedding
L('Embedding', [10, 4], {}, [ti(10, 2, 7)]);
L('Embedding', [10, 4], { padding_idx: 0, max_norm: 1.0 }, [ti(10, 5)]);
L('Embedding', [10, 4], { padding_idx: 12 }, [ti(10, 5)]);
L('Embedding', [10, 4], {}, [t(2, 7)]); // float indices
L('EmbeddingBag', [10, 3], { mode: 'sum' }, [ti(10, 4, 6)]);
L('EmbeddingBag', [10, 3], {}, [ti(10, 8), tv(0, 2, 5)]);
L('EmbeddingBag', [10, 3], { include_last_offset: true, mode: 'max' }, [ti(10, 8), tv(0, 3, 3, 8)]);

// ---------------------------------------------------------------- recurrent
L('RNN', [5, 7], {}, [t(6, 2, 5)]);
L('RNN', [5, 7, 2], { nonlinearity: 'relu', bidirectional: true, batch_first: true }, [t(3, 6, 5)]);
L('RNN', [5, 7], { nonlinearity: 'sigmoid' }, [t(6, 2, 5)]);
L('RNN', [5, 7], { bias: false }, [t(6, 5)]);
L('LSTM', [10, 20], {}, [t(5, 3, 10)]);
L('LSTM', [10, 20, 2], { bidirectional: true, proj_size: 8, batch_first: true }, [t(3, 5, 10)]);
L('LSTM', [10, 16, 3], { dropout: 0.1, proj_size: 4 }, [t(4, 10)]);
L('LSTM', [10, 20], {}, [t(5, 3, 11)]); // wrong input size
L('LSTM', [10, 20], { proj_size: 20 }, [t(5, 3, 10)]);
L('GRU', [8, 12, 2], { bidirectional: true }, [t(5, 2, 8)]);
L('GRU', [8, 12], { batch_first: true, bias: false }, [t(2, 5, 8)]);
L('RNNCell', [5, 7], {}, [t(3, 5)]);
L('RNNCell', [5, 7], { bias: false, nonlinearity: 'relu' }, [t(5)]);
L('LSTMCell', [5, 7], {}, [t(3, 5)]);
L('LSTMCell', [5, 7], {}, [t(3, 6)]);
L('GRUCell', [5, 7], {}, [t(3, 5)]);

// ---------------------------------------------------------------- attention
L('MultiheadAttention', [16, 4], {}, [t(5, 2, 16), t(7, 2, 16), t(7, 2, 16)]);
L('MultiheadAttention', [16, 4], { batch_first: true }, [t(2, 5, 16), t(2, 5, 16), t(2, 5, 16)], { average_attn_weights: false });
L('MultiheadAttention', [16, 2], { kdim: 8, vdim: 12, bias: false }, [t(5, 2, 16), t(6, 2, 8), t(6, 2, 12)]);
L('MultiheadAttention', [16, 4], { add_bias_kv: true, add_zero_attn: true }, [t(5, 2, 16), t(7, 2, 16), t(7, 2, 16)]);
L('MultiheadAttention', [16, 4], {}, [t(5, 16), t(6, 16), t(6, 16)], { need_weights: false });
L('MultiheadAttention', [16, 4], { kdim: 8, vdim: 8, batch_first: true }, [t(2, 5, 16), t(2, 6, 8), t(2, 6, 8)]);
L('MultiheadAttention', [16, 4], {}, [t(5, 2, 12), t(5, 2, 12), t(5, 2, 12)]);
L('MultiheadAttention', [15, 4], {}, [t(5, 2, 15), t(5, 2, 15), t(5, 2, 15)]);
L('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32 }, [t(6, 2, 16)]);
L('TransformerEncoderLayer', [16, 2, 64, 0.0, 'gelu'], { batch_first: true, norm_first: true }, [t(2, 6, 16)]);
L('TransformerDecoderLayer', [16, 4], { dim_feedforward: 24 }, [t(5, 2, 16), t(7, 2, 16)]);
L('TransformerDecoderLayer', [16, 4], { dim_feedforward: 24, batch_first: true }, [t(2, 5, 16), t(2, 7, 16)]);
L('TransformerEncoder', [mod('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32 }), 2], {}, [t(6, 2, 16)]);
L('TransformerEncoder', [mod('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32, batch_first: true }), 3], { norm: mod('LayerNorm', [16]) }, [t(2, 6, 16)]);
L('TransformerDecoder', [mod('TransformerDecoderLayer', [16, 2], { dim_feedforward: 20 }), 2], { norm: mod('LayerNorm', [16]) }, [t(5, 2, 16), t(3, 2, 16)]);

// ---------------------------------------------------------------- functions: element-wise binary
for (const [op, py] of [['add', 'add'], ['sub', 'sub'], ['mul', 'mul'], ['div', 'truediv'], ['floor_divide', 'floordiv'], ['remainder', 'mod'], ['pow', 'pow']]) {
  Fn(`torch.${op}`, [t(2, 3, 4), t(3, 1)]);
  Fn(`Tensor.${op}`, [t(4, 1), t(2, 1, 5)]);
  Fn(`operator.${py}`, [t(2, 3), 2]);
  Fn(`operator.i${py}`, [t(2, 3), t(3)]);
  Fn(`Tensor.${op}_`, [t(2, 3), t(1, 3)]);
}
Fn('operator.add', [t(2, 3), t(4)]); // incompatible broadcast
Fn('operator.iadd', [t(3), t(2, 3)]); // in-place cannot grow the result
Fn('operator.iadd', [0, t(2, 3)]); // `total += x` starting from a Python number
Fn('operator.imul', [t(2, 3), 0.5]);
Fn('torch.add', [t(2, 3), t(2, 3)], { alpha: 2 });
// type promotion
Fn('torch.div', [ti(5, 2, 3), 2]);
Fn('operator.truediv', [ti(5, 2, 3), ti(5, 3)]);
Fn('torch.div', [ti(5, 2, 3), 2], { rounding_mode: 'floor' });
Fn('operator.mul', [ti(5, 2, 3), 0.5]);
Fn('operator.add', [tb(2, 3), 1]);
Fn('operator.add', [tb(2, 3), tb(3)]);
Fn('operator.add', [ti(5, 2, 3), t(3)]);
Fn('operator.sub', [1, ti(5, 2, 3)]);
Fn('operator.mul', [{ tensor: [2, 3], dtype: 'float16' }, { tensor: [], dtype: 'float64' }]);
Fn('operator.mul', [{ tensor: [2, 3], dtype: 'float16' }, { tensor: [3], dtype: 'float64' }]);
Fn('operator.add', [{ tensor: [2, 3], dtype: 'int32', high: 4 }, ti(4, 3)]);
Fn('torch.where', [tb(2, 3), ti(4, 2, 3), 0.5]);
Fn('torch.div', [t(2, 3), t(3)], { rounding_mode: 'floor' });
Fn('torch.true_divide', [t(2, 3), 2]);
Fn('torch.multiply', [t(2, 3), t(3)]);
Fn('torch.subtract', [t(2, 3), t(3)]);
for (const op of ['bitwise_and', 'bitwise_or', 'bitwise_xor']) {
  Fn(`torch.${op}`, [ti(5, 2, 3), ti(5, 3)]);
  Fn(`Tensor.${op}_`, [ti(5, 2, 3), ti(5, 3)]);
}
Fn('operator.and_', [tb(2, 3), tb(3)]);
Fn('operator.or_', [tb(2, 3), tb(2, 1)]);
for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge']) {
  Fn(`operator.${op}`, [t(2, 3), t(3)]);
  Fn(`Tensor.${op}_`, [t(2, 3), t(3)]);
}
for (const op of ['maximum', 'minimum', 'fmod', 'atan2', 'logical_and', 'logical_or', 'logical_xor', 'hypot', 'fmax', 'fmin']) {
  Fn(`torch.${op}`, [t(2, 1, 3), t(4, 3)]);
}
for (const op of ['fmod', 'atan2', 'logical_and', 'logical_or', 'logical_xor', 'hypot']) Fn(`Tensor.${op}_`, [t(2, 3), t(3)]);

// ---------------------------------------------------------------- functions: element-wise unary
for (const op of [
  'abs', 'sqrt', 'rsqrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh',
  'neg', 'floor', 'ceil', 'round', 'trunc', 'frac', 'sign', 'reciprocal', 'erf', 'erfc', 'square', 'logical_not', 'sigmoid', 'tanh', 'relu',
  'nan_to_num', 'sgn', 'deg2rad', 'rad2deg',
]) {
  Fn(`torch.${op}`, [t(2, 3, 4)]);
}
Fn('Tensor.bitwise_not', [ti(4, 2, 3)]);
Fn('operator.invert', [tb(2, 3)]);
Fn('Tensor.logical_not_', [t(2, 3)]);
Fn('operator.neg', [t(2, 3)]);
Fn('operator.pos', [t(2, 3)]);
Fn('Tensor.relu_', [t(2, 3)]);
Fn('Tensor.round', [t(2, 3)], { decimals: 2 });
Fn('torch.nan_to_num', [t(2, 3)], { nan: 0.0, posinf: 1.0 });
Fn('torch.clamp', [t(2, 3)], { min: 0.0, max: 6.0 });
Fn('Tensor.clip_', [t(2, 3)], { min: -1.0 });
Fn('torch.where', [tb(2, 3), t(2, 3), 0.0]);
Fn('torch.where', [tb(3), t(2, 1), t(1, 3)]);
Fn('Tensor.masked_fill', [t(2, 3, 4), tb(3, 4), -1.0]);
Fn('Tensor.masked_fill_', [t(2, 3, 4), tb(1, 4), 0.0]);
Fn('torch.masked_fill', [t(2, 3), tb(5, 2, 3), 0.0]);

// ---------------------------------------------------------------- functions: activations and dropout
const FN = 'torch.nn.functional.';
for (const [op, extra] of [
  ['relu', []], ['relu6', []], ['leaky_relu', [0.2]], ['elu', []], ['selu', []], ['celu', []], ['gelu', []], ['silu', []], ['mish', []],
  ['hardswish', []], ['hardsigmoid', []], ['hardtanh', [-2.0, 2.0]], ['softplus', []], ['softsign', []], ['tanhshrink', []],
  ['logsigmoid', []], ['hardshrink', []], ['softshrink', []], ['threshold', [0.5, 0.0]], ['rrelu', []], ['sigmoid', []], ['tanh', []],
] as [string, J[]][]) {
  Fn(`${FN}${op}`, [t(2, 3, 4), ...extra]);
}
Fn(`${FN}relu`, [t(2, 3)], { inplace: true });
Fn(`${FN}gelu`, [t(2, 3)], { approximate: 'tanh' });
Fn(`${FN}prelu`, [t(2, 3, 4), t(3)]);
Fn(`${FN}softmax`, [t(2, 3, 4)], { dim: -1 });
Fn(`${FN}log_softmax`, [t(2, 3)], { dim: 1 });
Fn(`${FN}softmin`, [t(2, 3)], { dim: 0 });
Fn('Tensor.softmax', [t(2, 3, 4), 1]);
Fn('torch.softmax', [t(2, 3), 5]); // dim out of range
Fn(`${FN}glu`, [t(4, 6)]);
Fn(`${FN}glu`, [t(4, 6), 0]);
for (const op of ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']) {
  const shape = op === 'dropout1d' ? [2, 3, 8] : op === 'dropout3d' ? [2, 3, 2, 4, 4] : [2, 3, 4, 4];
  Fn(`${FN}${op}`, [t(...shape)], { p: 0.3, training: true });
}
Fn(`${FN}dropout`, [t(2, 3)], { p: 2.0 });
Fn('torch.dropout', [t(2, 3), 0.5, true]);

// ---------------------------------------------------------------- functions: conversions
for (const m of ['to', 'type', 'cpu', 'contiguous', 'detach', 'clone', 'requires_grad_', 'fill_', 'zero_', 'normal_', 'uniform_', 'bernoulli_']) {
  const extra: J[] = m === 'to' || m === 'type' ? [dtype('float64')] : m === 'fill_' ? [1.5] : m === 'bernoulli_' ? [0.5] : [];
  Fn(`Tensor.${m}`, [t(2, 3), ...extra]);
}
Fn('Tensor.type_as', [t(2, 3), ti(3, 4)]);
Fn('Tensor.to', [t(2, 3), 'cpu'], { dtype: dtype('float16') });
Fn('Tensor.to', [t(2, 3), ti(3, 4)]);
Fn('Tensor.copy_', [t(2, 3), t(3)]);
Fn('Tensor.detach_', [t(2, 3)]);
Fn('Tensor.share_memory_', [t(2, 3)]);
Fn('torch.clone', [t(2, 3)]);
Fn('torch.detach', [t(2, 3)]);
for (const m of ['float', 'double', 'half', 'bfloat16', 'long', 'int', 'bool', 'short', 'byte']) Fn(`Tensor.${m}`, [t(2, 3)]);

// ---------------------------------------------------------------- functions: shape and creation
Fn('torch.cat', [[t(2, 3), t(2, 5)], 1]);
Fn('torch.cat', [[t(2, 3, 4), t(1, 3, 4), t(3, 3, 4)]]);
Fn('torch.cat', [[t(2, 3), t(0)]], { dim: -1 });
Fn('torch.concat', [[t(2, 3), t(2, 4)]], { dim: 1 });
Fn('torch.concatenate', [[t(2, 3), t(2, 4)]], { dim: -1 });
Fn('torch.cat', [[t(2, 3), t(3, 4)], 1]); // size mismatch off the cat dim
Fn('torch.stack', [[t(2, 3), t(2, 3), t(2, 3)], 1]);
Fn('torch.stack', [[t(2, 3), t(2, 3)], -1]);
Fn('torch.stack', [[t(2, 3), t(3, 2)]]);
Fn('Tensor.view', [t(2, 3, 4), 6, -1]);
Fn('Tensor.view', [t(2, 3, 4), [-1]]);
Fn('Tensor.view', [t(2, 3, 4), 5, -1]);
Fn('Tensor.reshape', [t(2, 3, 4), -1, 2, 3]);
Fn('torch.reshape', [t(2, 3, 4), [4, 6]]);
Fn('Tensor.view_as', [t(2, 6), t(3, 4)]);
Fn('Tensor.reshape_as', [t(12), t(3, 4)]);
Fn('Tensor.expand', [t(3, 1), 2, 3, 4]);
Fn('Tensor.expand', [t(3, 1), -1, 5]);
Fn('Tensor.expand', [t(3, 2), 3, 5]);
Fn('torch.broadcast_to', [t(3, 1), [2, 3, 3]]);
Fn('Tensor.expand_as', [t(1, 4), t(3, 4)]);
Fn('Tensor.repeat', [t(2, 3), 2, 1, 2]);
Fn('Tensor.repeat', [t(2, 3), [3, 1]]);
Fn('Tensor.permute', [t(2, 3, 4), 2, 0, 1]);
Fn('torch.permute', [t(2, 3, 4), [0, -1, 1]]);
Fn('Tensor.permute', [t(2, 3, 4), 0, 1]);
Fn('Tensor.transpose', [t(2, 3, 4), 1, 2]);
Fn('torch.transpose', [t(2, 3, 4), 0, -1]);
Fn('Tensor.transpose_', [t(2, 3), 0, 1]);
Fn('torch.swapaxes', [t(2, 3, 4), 0, 2]);
Fn('Tensor.swapdims', [t(2, 3, 4), 1, 0]);
Fn('Tensor.t', [t(2, 3)]);
Fn('torch.t', [t(3)]);
Fn('Tensor.t_', [t(2, 3)]);
Fn('Tensor.t', [t(2, 3, 4)]);
Fn('Tensor.mT', [t(2, 3, 4)]);
Fn('Tensor.T', [t(2, 3)]);
Fn('Tensor.T', [t(2, 3, 4)]);
Fn('Tensor.squeeze', [t(2, 1, 3, 1)]);
Fn('torch.squeeze', [t(2, 1, 3), 1]);
Fn('Tensor.squeeze', [t(2, 1, 3), 0]);
Fn('Tensor.squeeze_', [t(1, 3)]);
Fn('Tensor.unsqueeze', [t(2, 3), 0]);
Fn('torch.unsqueeze', [t(2, 3), -1]);
Fn('Tensor.unsqueeze_', [t(2, 3), 1]);
Fn('torch.flatten', [t(2, 3, 4)]);
Fn('Tensor.flatten', [t(2, 3, 4, 5), 1]);
Fn('Tensor.flatten', [t(2, 3, 4, 5), 1, 2]);
Fn('torch.flatten', [t()]);
Fn('Tensor.unflatten', [t(2, 12), 1, [3, 4]]);
Fn('torch.unflatten', [t(2, 12), -1, [-1, 6]]);
Fn('torch.split', [t(10, 3), 4]);
Fn('Tensor.split', [t(2, 10), [3, 7], 1]);
Fn('Tensor.split', [t(2, 10), [3, 6], 1]);
Fn('torch.split_with_sizes', [t(6, 2), [1, 5]]);
Fn('Tensor.split_with_sizes', [t(6, 2), [2, 4]]);
Fn('Tensor.chunk', [t(2, 10), 3, 1]);
Fn('torch.chunk', [t(5, 2), 4]);
Fn('Tensor.chunk', [t(6, 2), 3]);
Fn('torch.unbind', [t(3, 4)]);
Fn('Tensor.unbind', [t(3, 4), 1]);
Fn('torch.narrow', [t(5, 6), 1, 2, 3]);
Fn('Tensor.narrow', [t(5, 6), 0, 3, 3]);
Fn('torch.zeros', [2, 3]);
Fn('torch.zeros', [[2, 3, 4]]);
Fn('torch.ones', [4], { dtype: dtype('int64') });
Fn('torch.empty', [3, 1]);
Fn('torch.rand', [2, 2]);
Fn('torch.randn', [[5]]);
Fn('torch.full', [[2, 3], 1.5]);
Fn('torch.arange', [10]);
Fn('torch.arange', [2, 11, 3]);
Fn('torch.arange', [0, 1, 0.25]);
Fn('torch.arange', [5], { dtype: dtype('float32') });
Fn('torch.linspace', [0, 1, 7]);
Fn('torch.logspace', [0, 1, 5]);
for (const op of ['zeros', 'ones', 'empty']) Fn(`Tensor.new_${op}`, [t(2, 3), [4, 5]]);
Fn('Tensor.new_full', [t(2, 3), [4], 1.0]);
for (const op of ['zeros_like', 'ones_like', 'empty_like', 'rand_like', 'randn_like']) Fn(`torch.${op}`, [t(2, 3)]);
Fn('torch.zeros_like', [t(2, 3)], { dtype: dtype('int64') });
Fn('torch.full_like', [t(2, 3), 7.0]);
Fn('torch.flip', [t(2, 3, 4), [0, 2]]);
Fn('Tensor.flip', [t(2, 3), 1]);
Fn('torch.roll', [t(4, 5), 1, 0]);
Fn('Tensor.roll', [t(4, 5), [1, 2], [0, 1]]);
Fn('torch.tril', [t(4, 4)]);
Fn('Tensor.triu_', [t(4, 4), 1]);
Fn(`${FN}one_hot`, [ti(5, 2, 3), 5]);

// ---------------------------------------------------------------- functions: reductions
Fn('torch.mean', [t(2, 3, 4)]);
Fn('Tensor.mean', [t(2, 3, 4), 1]);
Fn('Tensor.mean', [t(2, 3, 4), [2, 3]]);
Fn('Tensor.mean', [t(2, 3, 4, 5), [2, 3]], { keepdim: true });
Fn('Tensor.mean', [t(2, 3), 2]);
Fn('torch.sum', [t(2, 3, 4), -1]);
Fn('torch.sum', [tb(2, 3)]);
Fn('Tensor.sum', [ti(5, 2, 3), 1]);
Fn('Tensor.prod', [{ tensor: [2, 3], dtype: 'int32', high: 3 }, 0]);
Fn('Tensor.mean', [ti(5, 2, 3)]);
Fn('torch.mean', [ti(5, 2, 3)], { dtype: dtype('float64') });
Fn('Tensor.std', [ti(5, 2, 3), 1]);
Fn('Tensor.sum', [t(2, 3, 4)], { dim: [0, 1], keepdim: true });
Fn('torch.nansum', [t(2, 3), 0]);
Fn('torch.nanmean', [t(2, 3), 1]);
Fn('Tensor.prod', [t(2, 3, 4), 1]);
Fn('torch.logsumexp', [t(2, 3), 1]);
Fn('torch.std', [t(2, 3, 4), 1]);
Fn('Tensor.var', [t(2, 3, 4)], { dim: 2, keepdim: true });
Fn('torch.amax', [t(2, 3, 4)]);
Fn('Tensor.amax', [t(2, 3, 4), [0, 2]]);
Fn('torch.amin', [t(2, 3, 4), 1, true]);
Fn('torch.argmax', [t(2, 3, 4)]);
Fn('Tensor.argmax', [t(2, 3, 4)], { dim: 1 });
Fn('torch.argmin', [t(2, 3, 4), -1, true]);
Fn('torch.all', [tb(2, 3)]);
Fn('Tensor.any', [tb(2, 3), 1]);
Fn('torch.count_nonzero', [t(2, 3), 0]);
Fn('torch.norm', [t(2, 3, 4)]);
Fn('Tensor.norm', [t(2, 3, 4)], { dim: 1 });
Fn('Tensor.norm', [t(2, 3, 4), 2, -1, true]);
Fn('torch.linalg.vector_norm', [t(2, 3), 2, 1]);
Fn('torch.max', [t(2, 3, 4)]);
Fn('Tensor.max', [t(2, 3, 4), 1]);
Fn('torch.max', [t(2, 3, 4), -1, true]);
Fn('torch.max', [t(2, 3), t(3)]);
Fn('Tensor.min', [t(2, 3), 0]);
Fn('torch.min', [t(2, 3)]);
Fn('torch.median', [t(2, 5)]);
Fn('Tensor.median', [t(2, 5), 1]);
Fn('torch.mode', [t(2, 5)]);
Fn('torch.kthvalue', [t(2, 5), 2, 0]);
Fn('Tensor.topk', [t(2, 10), 3]);
Fn('torch.topk', [t(8, 10), 2, 0]);
Fn('Tensor.sort', [t(3, 4)]);
Fn('torch.sort', [t(3, 4), 0, true]);

// ---------------------------------------------------------------- functions: contractions
Fn('torch.matmul', [t(2, 3), t(3, 4)]);
Fn('operator.matmul', [t(5, 2, 3), t(3, 4)]);
Fn('Tensor.matmul', [t(3), t(2, 3, 4)]);
Fn('torch.matmul', [t(2, 1, 4, 3), t(5, 3, 2)]);
Fn('torch.matmul', [t(2, 4, 3), t(3)]);
Fn('torch.matmul', [t(3), t(3)]);
Fn('operator.matmul', [t(2, 3), t(4, 5)]);
Fn('operator.imatmul', [t(3, 3), t(3, 3)]);
Fn('torch.mm', [t(4, 5), t(5, 6)]);
Fn('Tensor.mm', [t(4, 5), t(6, 6)]);
Fn('torch.bmm', [t(3, 4, 5), t(3, 5, 2)]);
Fn('Tensor.bmm', [t(3, 4, 5), t(2, 5, 2)]);
Fn('torch.addmm', [t(6), t(4, 5), t(5, 6)]);
Fn('torch.baddbmm', [t(3, 4, 2), t(3, 4, 5), t(3, 5, 2)]);
Fn('torch.dot', [t(7), t(7)]);
Fn('Tensor.inner', [t(7), t(7)]);
Fn('torch.mv', [t(4, 7), t(7)]);
Fn('torch.outer', [t(3), t(4)]);
Fn('Tensor.ger', [t(3), t(5)]);
Fn(`${FN}linear`, [t(2, 3, 8), t(5, 8), t(5)]);
Fn(`${FN}linear`, [t(2, 8), t(5, 8)]);
Fn(`${FN}linear`, [t(2, 8), t(5, 7)]);
Fn(`${FN}bilinear`, [t(4, 3), t(4, 5), t(6, 3, 5), t(6)]);
Fn('torch.einsum', ['bij,bjk->bik', t(2, 3, 4), t(2, 4, 5)]);
Fn('torch.einsum', ['ij,jk', t(3, 4), t(4, 5)]);
Fn('torch.einsum', ['bhqd,bhkd->bhqk', t(2, 4, 5, 8), t(2, 4, 6, 8)]);
Fn('torch.einsum', ['...ij,...jk->...ik', t(2, 3, 4), t(2, 4, 5)]);
Fn('torch.einsum', ['ii->i', t(4, 4)]);
Fn('torch.einsum', ['ij->ji', [t(2, 3)]]);
Fn('torch.einsum', ['i,j->ij', t(3), t(4)]);

// ---------------------------------------------------------------- functions: nn
Fn(`${FN}conv1d`, [t(2, 4, 20), t(8, 2, 3)], { groups: 2, stride: 2 });
Fn(`${FN}conv2d`, [t(2, 3, 16, 16), t(8, 3, 3, 3), t(8)], { padding: 1 });
Fn(`${FN}conv2d`, [t(1, 4, 9, 9), t(8, 1, 3, 3)], { groups: 4, dilation: 2 });
Fn(`${FN}conv2d`, [t(1, 4, 9, 9), t(8, 3, 3, 3)]);
Fn('torch.conv2d', [t(1, 3, 8, 8), t(4, 3, 1, 1)]);
Fn(`${FN}conv3d`, [t(1, 2, 4, 6, 6), t(4, 2, 3, 3, 3)], { padding: 1 });
Fn(`${FN}conv_transpose1d`, [t(1, 4, 6), t(4, 3, 3)], { stride: 2 });
Fn(`${FN}conv_transpose2d`, [t(1, 4, 6, 6), t(4, 2, 4, 4)], { stride: 2, padding: 1, groups: 2 });
Fn(`${FN}conv_transpose3d`, [t(1, 2, 3, 3, 3), t(2, 2, 2, 2, 2)], { stride: 2 });
Fn(`${FN}max_pool1d`, [t(2, 3, 10), 2]);
Fn(`${FN}max_pool2d`, [t(2, 3, 10, 10), 3, 2, 1]);
Fn(`${FN}max_pool2d`, [t(2, 3, 9, 9), 2], { ceil_mode: true, return_indices: true });
Fn('torch.max_pool2d', [t(2, 3, 9, 9), 3]);
Fn(`${FN}max_pool3d`, [t(1, 2, 4, 4, 4), 2]);
Fn(`${FN}avg_pool1d`, [t(2, 3, 10), 3], { stride: 2, padding: 1 });
Fn(`${FN}avg_pool2d`, [t(2, 3, 10, 10), 2]);
Fn(`${FN}avg_pool2d`, [t(2, 3, 11, 11), 3, 2], { ceil_mode: true });
Fn(`${FN}avg_pool3d`, [t(1, 2, 4, 4, 4), 2]);
Fn(`${FN}adaptive_avg_pool1d`, [t(2, 3, 10), 4]);
Fn(`${FN}adaptive_avg_pool2d`, [t(2, 3, 10, 10), 1]);
Fn(`${FN}adaptive_avg_pool2d`, [t(2, 3, 10, 10), [2, 5]]);
Fn(`${FN}adaptive_avg_pool3d`, [t(1, 2, 4, 4, 4), [1, 2, 2]]);
Fn(`${FN}adaptive_max_pool1d`, [t(2, 3, 10), 4]);
Fn(`${FN}adaptive_max_pool2d`, [t(2, 3, 10, 10), 3], { return_indices: true });
Fn(`${FN}adaptive_max_pool3d`, [t(1, 2, 4, 4, 4), 2]);
Fn(`${FN}interpolate`, [t(1, 3, 8, 8)], { scale_factor: 2, mode: 'nearest' });
Fn(`${FN}interpolate`, [t(1, 3, 8, 8)], { size: [5, 7], mode: 'bilinear', align_corners: true });
Fn(`${FN}interpolate`, [t(1, 3, 7)], { scale_factor: 2.5, mode: 'linear' });
Fn(`${FN}interpolate`, [t(1, 3, 8, 8)], { size: [5, 7], scale_factor: 2 });
Fn(`${FN}upsample`, [t(1, 3, 4, 4)], { scale_factor: 2 });
Fn(`${FN}upsample_nearest`, [t(1, 3, 4, 4)], { size: 6 });
Fn(`${FN}upsample_bilinear`, [t(1, 3, 4, 4)], { scale_factor: 2 });
Fn(`${FN}pad`, [t(1, 3, 4, 4), [1, 2]]);
Fn(`${FN}pad`, [t(1, 3, 4, 4), [1, 1, 2, 0]], { mode: 'reflect' });
Fn(`${FN}pad`, [t(2, 3, 4), [0, 0, 1, 1, 2, 2]], { value: 1.0 });
Fn(`${FN}pad`, [t(1, 3, 4, 4), [1, 1, 1, 1]], { mode: 'replicate' });
Fn(`${FN}pad`, [t(1, 3, 4, 4), [5, 5]], { mode: 'reflect' });
Fn(`${FN}pad`, [t(1, 3, 4, 4), [2, 1, 4, 0]], { mode: 'circular' });
Fn(`${FN}pad`, [t(1, 3, 4, 4), [5, 1]], { mode: 'circular' });
Fn(`${FN}layer_norm`, [t(2, 5, 8), [8]]);
Fn(`${FN}layer_norm`, [t(2, 5, 8), [5, 8], t(5, 8), t(5, 8)]);
Fn(`${FN}layer_norm`, [t(2, 5, 8), [5]]);
Fn(`${FN}batch_norm`, [t(4, 3, 5, 5), t(3), t(3)], { training: false });
Fn(`${FN}batch_norm`, [t(4, 3, 5, 5), t(4), t(4)]);
Fn(`${FN}group_norm`, [t(2, 6, 5), 3]);
Fn(`${FN}group_norm`, [t(2, 6, 5), 4]);
Fn(`${FN}instance_norm`, [t(2, 3, 5, 5)]);
Fn(`${FN}local_response_norm`, [t(2, 6, 5, 5), 2]);
Fn(`${FN}normalize`, [t(4, 8)]);
Fn(`${FN}normalize`, [t(4, 8, 3)], { dim: -1, p: 1.0 });
Fn(`${FN}embedding`, [ti(10, 2, 5), t(10, 4)]);
Fn('torch.embedding', [t(10, 4), ti(10, 3)]);
Fn(`${FN}pixel_shuffle`, [t(1, 8, 3, 3), 2]);
Fn('torch.pixel_unshuffle', [t(1, 2, 6, 6), 3]);
Fn(`${FN}cosine_similarity`, [t(4, 8), t(4, 8)]);
Fn('torch.cosine_similarity', [t(2, 4, 8), t(4, 1)], { dim: -1 });

// ---------------------------------------------------------------- losses and distances
L('L1Loss', [], {}, [t(4, 5), t(4, 5)]);
L('MSELoss', [], { reduction: 'none' }, [t(4, 5), t(4, 5)]);
L('MSELoss', [], { reduction: 'sum' }, [t(4, 5), t(5)]);
L('SmoothL1Loss', [], { beta: 0.5, reduction: 'none' }, [t(3, 2), t(3, 2)]);
L('HuberLoss', ['none', 2.0], {}, [t(3, 2), t(3, 2)]);
L('SoftMarginLoss', [], {}, [t(3, 2), t(3, 2)]);
L('BCELoss', [t(5)], { reduction: 'none' }, [tu(4, 5), tu(4, 5)]);
L('BCEWithLogitsLoss', [], { pos_weight: t(5) }, [t(4, 5), t(4, 5)]);
L('KLDivLoss', [], { reduction: 'batchmean' }, [t(4, 5), t(4, 5)]);
L('CrossEntropyLoss', [], {}, [t(4, 10), ti(10, 4)]);
L('CrossEntropyLoss', [t(10)], { reduction: 'none', label_smoothing: 0.1 }, [t(4, 10, 3, 3), ti(10, 4, 3, 3)]);
L('CrossEntropyLoss', [], { reduction: 'none' }, [t(4, 10), t(4, 10)]);
L('CrossEntropyLoss', [], {}, [t(4, 10), ti(10, 5)]);
L('NLLLoss', [], { reduction: 'none' }, [t(4, 10), ti(10, 4)]);
L('NLLLoss', [], { ignore_index: 0 }, [t(10), ti(10)]);
L('CosineSimilarity', [], {}, [t(4, 8), t(4, 8)]);
L('CosineSimilarity', [-1], {}, [t(2, 4, 8), t(4, 1)]);
L('PairwiseDistance', [], {}, [t(4, 8), t(4, 8)]);
L('PairwiseDistance', [], { keepdim: true }, [t(4, 8), t(8)]);
L('Unfold', [3], { padding: 1 }, [t(2, 4, 8, 8)]);
L('Unfold', [[2, 3]], { stride: 2, dilation: [1, 2] }, [t(4, 9, 9)]);
L('Fold', [[8, 8], 3], { padding: 1 }, [t(2, 36, 64)]);
L('Fold', [[4, 5], 2], {}, [t(8, 12)]);
L('Fold', [[8, 8], 3], {}, [t(2, 36, 64)]); // window count does not match
Fn(`${FN}l1_loss`, [t(4, 5), t(4, 5)]);
Fn(`${FN}mse_loss`, [t(4, 5), t(4, 5)], { reduction: 'none' });
Fn(`${FN}smooth_l1_loss`, [t(4, 5), t(4, 5)], { beta: 0.5 });
Fn(`${FN}huber_loss`, [t(4, 5), t(4, 5), 'none']);
Fn(`${FN}binary_cross_entropy`, [tu(4, 5), tu(4, 5)]);
Fn(`${FN}binary_cross_entropy_with_logits`, [t(4, 5), t(4, 5)], { reduction: 'none' });
Fn(`${FN}kl_div`, [t(4, 5), t(4, 5)], { reduction: 'batchmean' });
Fn(`${FN}cross_entropy`, [t(4, 10), ti(10, 4)]);
Fn(`${FN}cross_entropy`, [t(4, 10, 6), ti(10, 4, 6)], { reduction: 'none' });
Fn(`${FN}nll_loss`, [t(4, 10), ti(10, 4)], { reduction: 'sum' });

// ---------------------------------------------------------------- functions: indexing and cumulative
Fn('torch.gather', [t(3, 4), 1, ti(4, 3, 2)]);
Fn('Tensor.gather', [t(3, 4), 0, ti(3, 2, 4)]);
Fn('torch.index_select', [t(5, 4), 0, ti(5, 3)]);
Fn('Tensor.index_select', [t(5, 4), -1, ti(4, 7)]);
Fn('torch.repeat_interleave', [t(2, 3), 2]);
Fn('Tensor.repeat_interleave', [t(2, 3), 3, 1]);
Fn('torch.cumsum', [t(2, 3), 1]);
Fn('Tensor.cumprod', [t(2, 3), 0]);
Fn('Tensor.cumsum_', [t(2, 3), 0]);
Fn('torch.logcumsumexp', [t(2, 3), 1]);
Fn('torch.cummax', [t(2, 3), 1]);
Fn('Tensor.cummin', [t(2, 3), 0]);
Fn('torch.meshgrid', [t(3), t(4)], { indexing: 'ij' });
Fn('torch.meshgrid', [[t(3), t(4), t(2)]], { indexing: 'xy' });
Fn('Tensor.unfold', [t(2, 10), 1, 3, 2]);
Fn('Tensor.unfold', [t(2, 10, 4), 1, 4, 4]);
Fn(`${FN}unfold`, [t(2, 3, 8, 8), 2], { stride: 2 });
Fn(`${FN}fold`, [t(2, 12, 16), [8, 8], 2], { stride: 2 });
Fn('torch.tensor', [[[1, 2, 3], [4, 5, 6]]]);
Fn('torch.tensor', [[1.5, 2.5]]);
Fn('torch.as_tensor', [[[true, false]]]);
Fn('torch.tensor', [[1, 2]], { dtype: dtype('float32') });
Fn('torch.clamp_min', [t(2, 3), 0.0]);
Fn('Tensor.clamp_max_', [t(2, 3), 1.0]);

// ---------------------------------------------------------------- additions: SyncBatchNorm, unpooling, Transformer, SDPA
CASES.push({ id: id('SyncBatchNorm'), kind: 'layer', type: 'SyncBatchNorm', args: [6], kwargs: {}, inputs: [t(2, 6, 3, 4, 5)], eval: true });
CASES.push({ id: id('SyncBatchNorm'), kind: 'layer', type: 'SyncBatchNorm', args: [6], kwargs: { affine: false }, inputs: [t(2, 6)], eval: true });
L('MaxUnpool1d', [2], {}, [t(2, 3, 5), ti(1, 2, 3, 5)]);
L('MaxUnpool2d', [3], { stride: 2, padding: 1 }, [t(1, 3, 4, 4), ti(1, 1, 3, 4, 4)]);
L('MaxUnpool2d', [2], {}, [t(1, 3, 4, 4), ti(1, 1, 3, 4, 4)], { output_size: [9, 9] });
L('MaxUnpool3d', [2], {}, [t(1, 2, 2, 3, 3), ti(1, 1, 2, 2, 3, 3)]);
Fn(`${FN}max_unpool1d`, [t(2, 3, 5), ti(1, 2, 3, 5), 2]);
Fn(`${FN}max_unpool2d`, [t(1, 3, 4, 4), ti(1, 1, 3, 4, 4), 2], { output_size: [1, 3, 9, 8] });
Fn(`${FN}max_unpool3d`, [t(1, 2, 2, 3, 3), ti(1, 1, 2, 2, 3, 3), 2]);
L('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32, activation: mod('GELU') }, [t(6, 2, 16)]);
L('TransformerDecoderLayer', [16, 4], { dim_feedforward: 32, activation: mod('ReLU') }, [t(6, 2, 16), t(3, 2, 16)]);
L('Transformer', [16, 4, 2, 1, 32], {}, [t(7, 2, 16), t(5, 2, 16)]);
L('Transformer', [], { d_model: 8, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 2, dim_feedforward: 16, batch_first: true }, [t(2, 7, 8), t(2, 5, 8)]);
L('Transformer', [16, 4, 1, 1, 32], {}, [t(7, 2, 16), t(5, 3, 16)]);
Fn(`${FN}scaled_dot_product_attention`, [t(2, 4, 5, 8), t(2, 4, 6, 8), t(2, 4, 6, 12)]);
Fn(`${FN}scaled_dot_product_attention`, [t(3, 5, 8), t(3, 7, 8), t(3, 7, 8)]);

// ---------------------------------------------------------------- functions: complex views, spatial transformers, index updates
Fn('torch.view_as_complex', [t(2, 3, 2)]);
Fn('torch.view_as_complex', [t(2, 3)]);
Fn('torch.view_as_real', [{ tensor: [2, 3], dtype: 'complex64' }]);
Fn('torch.polar', [tu(3), t(2, 3)]);
Fn('torch.complex', [t(2, 3), t(3)]);
Fn(`${FN}affine_grid`, [t(2, 2, 3), [2, 3, 7, 9]], { align_corners: false });
Fn(`${FN}affine_grid`, [t(2, 3, 4), [2, 1, 4, 5, 6]], { align_corners: false });
Fn(`${FN}affine_grid`, [t(2, 3, 4), [2, 3, 7, 9]], { align_corners: false });
Fn(`${FN}grid_sample`, [t(2, 3, 8, 8), t(2, 5, 6, 2)], { align_corners: false });
Fn('torch.scatter', [t(3, 5), 1, ti(5, 3, 2), t(3, 2)]);
Fn('Tensor.scatter_', [t(3, 5), 0, ti(3, 2, 5)], { value: 1.0 });
Fn('Tensor.scatter_add_', [t(3, 5), 1, ti(5, 3, 2), t(3, 2)]);
Fn('torch.index_add', [t(5, 3), 0, ti(5, 4), t(4, 3)], { alpha: 2 });
Fn('Tensor.index_fill_', [t(5, 3), 1, ti(3, 2), -1.0]);
Fn('Tensor.index_copy', [t(5, 3), 0, tv(0, 2), t(2, 3)]);
Fn('Tensor.masked_scatter_', [t(2, 3), tb(2, 3), t(6)]);
Fn('Tensor.index_put_', [t(5, 3), [ti(5, 2)], t(2, 3)]);
Fn('torch.argsort', [t(3, 4)]);
Fn('Tensor.argsort', [t(3, 4), 0, true]);
for (const op of ['isnan', 'isinf', 'isfinite', 'signbit', 'isneginf', 'isposinf']) Fn(`torch.${op}`, [t(2, 3)]);
for (const op of ['lgamma', 'digamma', 'erfinv', 'sinc', 'logit']) Fn(`torch.${op}`, [tu(2, 3)]);
Fn(`${FN}gumbel_softmax`, [t(4, 6)], { tau: 0.5, hard: true });

// ---------------------------------------------------------------- PyTorch 2.x entries (emulated from their documented definition on torch 1.13)
L('RMSNorm', [16], {}, [t(2, 5, 16)]);
L('RMSNorm', [[5, 16]], { elementwise_affine: false, eps: 1e-6 }, [t(2, 5, 16)]);
L('RMSNorm', [16], {}, [t(2, 16, 5)]);
Fn(`${FN}rms_norm`, [t(2, 5, 16), [16], t(16)]);

// ---------------------------------------------------------------- states passed in, masks
L('LSTM', [6, 8, 2], { batch_first: true }, [t(3, 5, 6), [t(2, 3, 8), t(2, 3, 8)]]);
L('GRU', [6, 8], {}, [t(5, 3, 6), t(1, 3, 8)]);
L('LSTMCell', [6, 8], {}, [t(3, 6), [t(3, 8), t(3, 8)]]);
L('MultiheadAttention', [16, 4], { batch_first: true }, [t(2, 5, 16), t(2, 7, 16), t(2, 7, 16)], { key_padding_mask: tb(2, 7), attn_mask: tb(5, 7) });
L('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32 }, [t(6, 2, 16)], { src_mask: tb(6, 6), src_key_padding_mask: tb(2, 6) });

// ---------------------------------------------------------------- seeded random window configurations
// Random kernel/stride/padding/dilation/ceil_mode/size combinations for the output-size formulas,
// including ones PyTorch rejects (empty outputs, padding over half the kernel, bad output_padding).
{
  let state = 20261127;
  const rand = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  for (let i = 0; i < 40; i++) {
    const [k, s, p, d, g] = [1 + rand(5), 1 + rand(3), rand(3), 1 + rand(3), [1, 2, 4][rand(3)]];
    L('Conv2d', [4 * g, 2 * g, [k, 1 + rand(4)]], { stride: [s, 1 + rand(3)], padding: [p, rand(2)], dilation: [d, 1], groups: g }, [t(1 + rand(2), 4 * g, 3 + rand(12), 3 + rand(12))]);
  }
  for (let i = 0; i < 25; i++) {
    const [k, s, d] = [1 + rand(4), 1 + rand(3), 1 + rand(2)];
    L('ConvTranspose2d', [4, 6, k], { stride: s, padding: rand(3), output_padding: rand(3), dilation: d, groups: [1, 2][rand(2)] }, [t(1, 4, 2 + rand(6), 2 + rand(6))]);
  }
  for (let i = 0; i < 15; i++) {
    L('Conv1d', [3, 5, 1 + rand(6)], { stride: 1 + rand(3), padding: rand(4), dilation: 1 + rand(3) }, [t(2, 3, 4 + rand(20))]);
  }
  for (let i = 0; i < 30; i++) {
    const k = 1 + rand(5);
    L('MaxPool2d', [k], { stride: 1 + rand(3), padding: rand(3), dilation: 1 + rand(2), ceil_mode: rand(2) === 1 }, [t(1, 2, 2 + rand(14), 2 + rand(14))]);
  }
  for (let i = 0; i < 30; i++) {
    const k = 1 + rand(5);
    L('AvgPool2d', [k], { stride: 1 + rand(3), padding: rand(3), ceil_mode: rand(2) === 1, count_include_pad: rand(2) === 1 }, [t(1, 2, 2 + rand(14), 2 + rand(14))]);
  }
  for (let i = 0; i < 10; i++) {
    L('MaxPool1d', [1 + rand(4)], { stride: 1 + rand(3), padding: rand(2), ceil_mode: rand(2) === 1 }, [t(2, 3, 2 + rand(12))]);
    L('AvgPool3d', [1 + rand(3)], { stride: 1 + rand(2), padding: rand(2), ceil_mode: rand(2) === 1 }, [t(1, 2, 2 + rand(5), 2 + rand(5), 2 + rand(5))]);
  }
  for (let i = 0; i < 15; i++) {
    L('AdaptiveAvgPool2d', [[1 + rand(7), 1 + rand(7)]], {}, [t(1, 3, 1 + rand(12), 1 + rand(12))]);
  }
}

// ---------------------------------------------------------------- integer tensors keep their dtype through shape ops
Fn('Tensor.view', [ti(9, 2, 6), -1]);
Fn('Tensor.permute', [ti(9, 2, 3, 4), 0, 2, 1]);
Fn('Tensor.transpose', [ti(9, 2, 3), 0, 1]);
Fn('Tensor.unsqueeze', [ti(9, 2, 3), 1]);
Fn('Tensor.expand', [ti(9, 1, 3), 4, 3]);
Fn('Tensor.repeat', [ti(9, 2, 3), 2, 1]);
Fn('torch.cat', [[ti(9, 2, 3), ti(9, 2, 3)], 0]);
Fn('torch.stack', [[tb(2, 3), tb(2, 3)]]);
Fn('Tensor.split', [ti(9, 2, 6), 3, 1]);
Fn('Tensor.chunk', [ti(9, 4, 3), 2]);
Fn('torch.flatten', [ti(9, 2, 3)]);
Fn('Tensor.max', [ti(9, 2, 3), 1]);
Fn('torch.gather', [ti(9, 3, 4), 1, ti(4, 3, 2)]);
Fn('torch.index_select', [ti(9, 5, 4), 0, ti(5, 3)]);
Fn(`${FN}pad`, [ti(9, 2, 5), [0, 3]], { value: 0 });
Fn(`${FN}embedding`, [ti(10, 2, 5), { tensor: [10, 4], dtype: 'float64' }]);
L('Flatten', [], {}, [ti(9, 2, 3, 4)]);
L('ConstantPad1d', [[0, 2], 0], {}, [ti(9, 2, 5)]);
L('Dropout1d', [0.1], {}, [t(2, 3, 4, 5)]);
L('FractionalMaxPool2d', [3], { output_size: [5, 4] }, [t(2, 3, 10, 9)]);
L('FractionalMaxPool2d', [2], { output_ratio: [0.5, 0.7], return_indices: true }, [t(3, 11, 9)]);
L('FractionalMaxPool2d', [4], { output_size: 8 }, [t(1, 3, 10, 10)]);
L('FractionalMaxPool3d', [2], { output_ratio: 0.5 }, [t(1, 2, 6, 7, 8)]);
L('TransformerEncoder', [mod('TransformerEncoderLayer', [16, 4], { dim_feedforward: 32 }), 2], {}, [t(6, 2, 16)], { mask: tb(6, 6) });
Fn(`${FN}lp_pool1d`, [t(2, 3, 11), 2, 3], { stride: 2 });
Fn(`${FN}lp_pool2d`, [t(1, 3, 10, 10), 1.5, [3, 2]], { ceil_mode: true });
Fn(`${FN}channel_shuffle`, [t(2, 12, 4, 4), 3]);
Fn('torch.channel_shuffle', [t(2, 12, 4, 4), 5]);
