/** Flatten, Unflatten, padding, pixel shuffle, channel shuffle and upsampling layers. */
import type { TensorShape } from '../arch/types';
import { arg, inheritLayerDtype, NO_MACS } from './entries';
import { registerLayers } from './registry';
import { convOutputSize, fmtDims, intArg, isTensor, maybeInt, normalizeTuple, numberArg, out, product, tensorShape, wrapDim } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, CatValue, LayerSpec } from './types';

/** torch.flatten(start_dim, end_dim); a 0-d tensor flattens to [1]. */
export function flattenShape(where: string, x: TensorShape, startDim: number, endDim: number): TensorShape {
  if (x.length === 0) return [1];
  const s = wrapDim(startDim, x.length, where);
  const e = wrapDim(endDim, x.length, where);
  if (s > e) throw new ShapeError(`${where}: flatten() has invalid args: start_dim cannot come after end_dim`);
  return [...x.slice(0, s), product(x.slice(s, e + 1)), ...x.slice(e + 1)];
}

/** Tensor.unflatten(dim, sizes): one -1 is inferred from the size of `dim`. */
export function unflattenShape(where: string, x: TensorShape, dim: number, sizes: CatValue): TensorShape {
  const d = wrapDim(dim, x.length, where);
  const raw = (Array.isArray(sizes) ? sizes : [sizes]).map(maybeInt);
  const minus = raw.indexOf(-1);
  const known = product(raw.filter((v, i) => i !== minus));
  if (minus >= 0) raw[minus] = x[d] !== null && known !== null && known !== 0 ? x[d]! / known : null;
  const total = product(raw);
  if (x[d] !== null && total !== null && total !== x[d]) {
    throw new ShapeError(`${where}: unflatten: Provided sizes [${fmtDims(raw)}] don't multiply up to the size of dim ${dim} (${x[d]}) in the input tensor`);
  }
  return [...x.slice(0, d), ...raw, ...x.slice(d + 1)];
}

/**
 * F.pad: `pad` lists (before, after) pairs starting from the last dimension. Reflect and replicate modes
 * only pad the trailing 1-3 dims of a batched or unbatched input, and reflect needs pad < size.
 */
export function padShape(where: string, x: TensorShape, pad: number[], mode: string): TensorShape {
  if (pad.length % 2 !== 0) throw new ShapeError(`${where}: Padding length must be divisible by 2`);
  if (pad.length / 2 > x.length) throw new ShapeError(`${where}: Padding length should be less than or equal to two times the input dimension but got padding length ${pad.length} and input of dimension ${x.length}`);
  const result = [...x];
  for (let i = 0; i < pad.length / 2; i++) {
    const d = x.length - 1 - i;
    const size = x[d];
    const [before, after] = [pad[2 * i], pad[2 * i + 1]];
    if (mode === 'circular' && size !== null && (before > size || after > size)) {
      throw new ShapeError(`${where}: Padding value causes wrapping around more than once.`);
    }
    if (mode === 'reflect' && size !== null && (before >= size || after >= size)) {
      throw new ShapeError(`${where}: Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${d} of input [${fmtDims(x)}]`);
    }
    const n = size === null ? null : size + before + after;
    if (n !== null && n <= 0) throw new ShapeError(`${where}: The input size ${size}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
    result[d] = n;
  }
  return result;
}

function padTuple(where: string, v: CatValue, n: number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== 2 * n) throw new ShapeError(`${where}: padding must be an int or a ${2 * n}-tuple`);
    return v.map((x) => intArg(x, 'padding', where));
  }
  return Array<number>(2 * n).fill(intArg(v, 'padding', where));
}

function padLayer(type: string, n: number, mode: string, withValue: boolean): LayerSpec {
  return {
    type,
    category: 'shape',
    signature: withValue ? [arg('padding'), arg('value')] : [arg('padding')],
    tensors: () => [],
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      // Reflection/replication kernels accept only (C, *) or (N, C, *) inputs for their n spatial dims.
      if (mode !== 'constant' && x.length !== n + 1 && x.length !== n + 2) {
        throw new ShapeError(`${type}: Expected ${n + 1}D or ${n + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [${fmtDims(x)}]`);
      }
      return out(padShape(type, x, padTuple(type, args.padding, n), mode));
    },
    macs: NO_MACS,
    attrs: (args) => ({ padding: padTuple(type, args.padding, n), mode }),
  };
}

/** PixelShuffle: (*, C r², H, W) -> (*, C, H r, W r). */
export function pixelShuffleShape(where: string, x: TensorShape, r: number): TensorShape {
  if (x.length < 3) throw new ShapeError(`${where}: pixel_shuffle expects input to have at least 3 dimensions, but got input with ${x.length} dimension(s)`);
  const [c, h, w] = x.slice(-3);
  if (c !== null && c % (r * r) !== 0) throw new ShapeError(`${where}: pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  return [...x.slice(0, -3), c === null ? null : c / (r * r), h === null ? null : h * r, w === null ? null : w * r];
}

/** PixelUnshuffle: (*, C, H r, W r) -> (*, C r², H, W). */
export function pixelUnshuffleShape(where: string, x: TensorShape, r: number): TensorShape {
  if (x.length < 3) throw new ShapeError(`${where}: pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${x.length} dimension(s)`);
  const [c, h, w] = x.slice(-3);
  for (const [name, s] of [['height', h], ['width', w]] as const) {
    if (s !== null && s % r !== 0) throw new ShapeError(`${where}: pixel_unshuffle expects ${name} to be divisible by downscale_factor, but input.size(${name === 'height' ? -2 : -1})=${s} is not divisible by ${r}`);
  }
  return [...x.slice(0, -3), c === null ? null : c * r * r, h === null ? null : h / r, w === null ? null : w / r];
}

/** F.interpolate's output size: `size`, or floor(in * scale_factor) per spatial dim. */
export function interpolateShape(where: string, x: TensorShape, size: CatValue, scaleFactor: CatValue): TensorShape {
  if (x.length < 3) throw new ShapeError(`${where}: Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.length}D)`);
  const n = x.length - 2;
  const spatial = x.slice(2);
  const has = (v: CatValue): boolean => v !== null && v !== undefined;
  if (has(size) && has(scaleFactor)) throw new ShapeError(`${where}: only one of size or scale_factor should be defined`);
  let sizes: TensorShape;
  if (has(size)) {
    const raw = Array.isArray(size) ? size : Array<CatValue>(n).fill(size);
    if (raw.length !== n) throw new ShapeError(`${where}: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${fmtDims(spatial)}] and output size of [${raw.map(String).join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    sizes = raw.map((v) => (isTensor(v) ? null : maybeInt(v)));
  } else if (has(scaleFactor)) {
    const raw = Array.isArray(scaleFactor) ? scaleFactor : Array<CatValue>(n).fill(scaleFactor);
    if (raw.length !== n) throw new ShapeError(`${where}: Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${fmtDims(spatial)}] and scale_factor of shape [${raw.map(String).join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
    sizes = spatial.map((d, i) => (d === null ? null : Math.floor(d * numberArg(raw[i], 'scale_factor', where))));
  } else {
    throw new ShapeError(`${where}: either size or scale_factor should be defined`);
  }
  return [x[0], x[1], ...sizes];
}

const flatten: LayerSpec = {
  type: 'Flatten',
  category: 'shape',
  signature: [arg('start_dim', 1), arg('end_dim', -1)],
  tensors: () => [],
  forward: (args, inputs) => out(flattenShape('Flatten', tensorShape(inputs, 'input', 'Flatten'), intArg(args.start_dim, 'start_dim', 'Flatten'), intArg(args.end_dim, 'end_dim', 'Flatten'))),
  macs: NO_MACS,
  attrs: (args) => ({ start_dim: args.start_dim, end_dim: args.end_dim }),
};

const unflatten: LayerSpec = {
  type: 'Unflatten',
  category: 'shape',
  signature: [arg('dim'), arg('unflattened_size')],
  tensors: () => [],
  forward: (args, inputs) => out(unflattenShape('Unflatten', tensorShape(inputs, 'input', 'Unflatten'), intArg(args.dim, 'dim', 'Unflatten'), args.unflattened_size)),
  macs: NO_MACS,
  attrs: (args) => ({ dim: args.dim, unflattened_size: args.unflattened_size }),
};

function factorLayer(type: string, argName: string, rule: (where: string, x: TensorShape, r: number) => TensorShape): LayerSpec {
  return {
    type,
    category: 'shape',
    signature: [arg(argName)],
    tensors: () => [],
    forward: (args, inputs) => out(rule(type, tensorShape(inputs, 'input', type), intArg(args[argName], argName, type))),
    macs: NO_MACS,
    attrs: (args) => ({ [argName]: args[argName] }),
  };
}

const channelShuffle: LayerSpec = {
  type: 'ChannelShuffle',
  category: 'shape',
  signature: [arg('groups')],
  tensors: () => [],
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'ChannelShuffle');
    const g = intArg(args.groups, 'groups', 'ChannelShuffle');
    if (x.length < 3) throw new ShapeError(`ChannelShuffle: channel_shuffle expects input to have at least 3 dimensions, but got input with ${x.length} dimension(s)`);
    if (x[1] !== null && x[1] % g !== 0) throw new ShapeError(`ChannelShuffle: Number of channels must be divisible by groups. Got ${x[1]} channels and ${g} groups.`);
    return out([...x]);
  },
  macs: NO_MACS,
  attrs: (args) => ({ groups: args.groups }),
};

function upsampleLayer(type: string, mode: string | null): LayerSpec {
  const sig = [arg('size', null), arg('scale_factor', null)];
  return {
    type,
    category: 'upsample',
    signature: mode === null ? [...sig, arg('mode', 'nearest'), arg('align_corners', null), arg('recompute_scale_factor', null)] : sig,
    tensors: () => [],
    forward: (args, inputs) => out(interpolateShape(type, tensorShape(inputs, 'input', type), args.size, args.scale_factor)),
    macs: NO_MACS,
    attrs: (args: BoundArgs) => ({ size: args.size, scale_factor: args.scale_factor, mode: mode ?? args.mode }),
  };
}

export const shapeLayers: LayerSpec[] = [
  flatten,
  unflatten,
  padLayer('ZeroPad2d', 2, 'constant', false),
  ...[1, 2, 3].flatMap((n) => [
    padLayer(`ConstantPad${n}d`, n, 'constant', true),
    padLayer(`ReflectionPad${n}d`, n, 'reflect', false),
    padLayer(`ReplicationPad${n}d`, n, 'replicate', false),
  ]),
  factorLayer('PixelShuffle', 'upscale_factor', pixelShuffleShape),
  factorLayer('PixelUnshuffle', 'downscale_factor', pixelUnshuffleShape),
  channelShuffle,
  upsampleLayer('Upsample', null),
  upsampleLayer('UpsamplingNearest2d', 'nearest'),
  upsampleLayer('UpsamplingBilinear2d', 'bilinear'),
];

registerLayers(inheritLayerDtype(shapeLayers));

/** F.unfold (im2col): (N, C, H, W) -> (N, C * kh * kw, L) with L the number of sliding windows. */
export function unfoldShape(where: string, x: TensorShape, args: BoundArgs): TensorShape {
  if (x.length !== 3 && x.length !== 4) throw new ShapeError(`${where}: Input Error: Only 3D or 4D input Tensors are supported (got ${x.length}D)`);
  const k = normalizeTuple(args.kernel_size, 2, 'kernel_size', where);
  const d = normalizeTuple(args.dilation, 2, 'dilation', where);
  const p = normalizeTuple(args.padding, 2, 'padding', where);
  const s = normalizeTuple(args.stride, 2, 'stride', where);
  const blocks = x.slice(-2).map((v, i) => convOutputSize(v, k[i], s[i], p[i], d[i]));
  if (blocks.some((b) => b !== null && b <= 0)) throw new ShapeError(`${where}: Given input with spatial size (${fmtDims(x.slice(-2))}), calculated shape of the array of sliding blocks is non-positive.`);
  const c = x[x.length - 3];
  return [...x.slice(0, x.length - 3), c === null ? null : c * k[0] * k[1], product(blocks)];
}

/** F.fold (col2im): (N, C * kh * kw, L) -> (N, C, *output_size); L must match the window count. */
export function foldShape(where: string, x: TensorShape, args: BoundArgs): TensorShape {
  if (x.length !== 2 && x.length !== 3) throw new ShapeError(`${where}: Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${x.length}D)`);
  const size = normalizeTuple(args.output_size, 2, 'output_size', where);
  const k = normalizeTuple(args.kernel_size, 2, 'kernel_size', where);
  const d = normalizeTuple(args.dilation, 2, 'dilation', where);
  const p = normalizeTuple(args.padding, 2, 'padding', where);
  const s = normalizeTuple(args.stride, 2, 'stride', where);
  const cols = x[x.length - 2];
  if (cols !== null && cols % (k[0] * k[1]) !== 0) throw new ShapeError(`${where}: Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${cols} and kernel_size=(${k.join(', ')})`);
  const blocks = product(size.map((v, i) => convOutputSize(v, k[i], s[i], p[i], d[i])));
  const l = x[x.length - 1];
  if (l !== null && blocks !== null && l !== blocks) throw new ShapeError(`${where}: Given output_size=(${size.join(', ')}), kernel_size=(${k.join(', ')}), dilation=(${d.join(', ')}), padding=(${p.join(', ')}), stride=(${s.join(', ')}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${blocks}, but got input.size(2)=${l}.`);
  return [...x.slice(0, x.length - 2), cols === null ? null : cols / (k[0] * k[1]), ...size];
}

function foldLayer(type: 'Fold' | 'Unfold'): LayerSpec {
  const tail = [arg('kernel_size'), arg('dilation', 1), arg('padding', 0), arg('stride', 1)];
  return {
    type,
    category: 'shape',
    signature: type === 'Fold' ? [arg('output_size'), ...tail] : tail,
    tensors: () => [],
    forward: (args, inputs) => out((type === 'Fold' ? foldShape : unfoldShape)(type, tensorShape(inputs, 'input', type), args)),
    macs: NO_MACS,
    attrs: (args) => ({ kernel_size: args.kernel_size, dilation: args.dilation, padding: args.padding, stride: args.stride }),
  };
}

registerLayers([foldLayer('Fold'), foldLayer('Unfold')]);
