/** Max, average, adaptive and power-average pooling (torch.nn.modules.pooling). */
import type { TensorShape } from '../arch/types';
import { arg, NO_MACS } from './entries';
import { registerLayers } from './registry';
import { boolArg, convOutputSize, fmtDims, maybeInt, normalizeTuple, out } from './shapeMath';
import { tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, CatValue, LayerSpec, OutTree } from './types';

export interface PoolWindow {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  ceilMode: boolean;
}

/** Reads kernel_size/stride (None means kernel_size)/padding/dilation/ceil_mode for an n-d pool. */
export function poolWindow(where: string, n: number, args: BoundArgs): PoolWindow {
  const kernel = normalizeTuple(args.kernel_size, n, 'kernel_size', where);
  const stride = args.stride === null || args.stride === undefined || (Array.isArray(args.stride) && args.stride.length === 0)
    ? kernel : normalizeTuple(args.stride, n, 'stride', where);
  const padding = normalizeTuple(args.padding ?? 0, n, 'padding', where);
  const dilation = normalizeTuple(args.dilation ?? 1, n, 'dilation', where);
  return { kernel, stride, padding, dilation, ceilMode: boolArg(args.ceil_mode, 'ceil_mode', where) };
}

/** Output shape of a sliding-window pool over the last n dims of an (N, C, *) or (C, *) input. */
export function poolShape(where: string, n: number, x: TensorShape, w: PoolWindow): TensorShape {
  if (x.length !== n + 1 && x.length !== n + 2) {
    throw new ShapeError(`${where}: Expected ${n + 1}D or ${n + 2}D input tensor, but got input of size [${fmtDims(x)}]`);
  }
  for (let i = 0; i < n; i++) {
    if (w.padding[i] * 2 > w.kernel[i]) {
      throw new ShapeError(`${where}: pad should be at most half of kernel size, but got pad=${w.padding[i]} and kernel_size=${w.kernel[i]}`);
    }
  }
  const lead = x.slice(0, x.length - n);
  const sizes = x.slice(x.length - n).map((d, i) => convOutputSize(d, w.kernel[i], w.stride[i], w.padding[i], w.dilation[i], w.ceilMode));
  if (sizes.some((s) => s !== null && s <= 0)) {
    throw new ShapeError(`${where}: Given input size: (${fmtDims(x.slice(-n - 1))}). Calculated output size: (${fmtDims([x[x.length - n - 1], ...sizes])}). Output size is too small`);
  }
  return [...lead, ...sizes];
}

/** Adaptive pools: output_size may hold None, which keeps that input size. */
export function adaptiveShape(where: string, n: number, x: TensorShape, outputSize: CatValue): TensorShape {
  if (x.length !== n + 1 && x.length !== n + 2) {
    throw new ShapeError(`${where}: Expected ${n + 1}D or ${n + 2}D tensor, but got input of size [${fmtDims(x)}]`);
  }
  const raw = Array.isArray(outputSize) ? outputSize : Array<CatValue>(n).fill(outputSize);
  if (raw.length !== n) throw new ShapeError(`${where}: output_size must be ${n}`);
  const spatial = x.slice(x.length - n);
  return [...x.slice(0, x.length - n), ...raw.map((v, i) => (v === null ? spatial[i] : maybeInt(v)))];
}

function withIndices(shape: TensorShape, returnIndices: boolean): OutTree {
  return returnIndices ? [out(shape), out([...shape], 'int64')] : out(shape);
}

function maxPool(n: number): LayerSpec {
  const type = `MaxPool${n}d`;
  return {
    type,
    category: 'pool',
    signature: [arg('kernel_size'), arg('stride', null), arg('padding', 0), arg('dilation', 1), arg('return_indices', false), arg('ceil_mode', false)],
    tensors: () => [],
    forward: (args, inputs) => withIndices(poolShape(type, n, tensorShape(inputs, 'input', type), poolWindow(type, n, args)), args.return_indices === true),
    macs: NO_MACS,
    attrs(args) {
      const w = poolWindow(type, n, args);
      return { kernel_size: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation, ceil_mode: w.ceilMode };
    },
  };
}

function avgPool(n: number): LayerSpec {
  const type = `AvgPool${n}d`;
  const sig = [arg('kernel_size'), arg('stride', null), arg('padding', 0), arg('ceil_mode', false), arg('count_include_pad', true)];
  return {
    type,
    category: 'pool',
    signature: n === 1 ? sig : [...sig, arg('divisor_override', null)],
    tensors: () => [],
    forward: (args, inputs) => out(poolShape(type, n, tensorShape(inputs, 'input', type), poolWindow(type, n, args))),
    macs: NO_MACS,
    attrs(args) {
      const w = poolWindow(type, n, args);
      return { kernel_size: w.kernel, stride: w.stride, padding: w.padding, ceil_mode: w.ceilMode, count_include_pad: args.count_include_pad };
    },
  };
}

function lpPool(n: number): LayerSpec {
  const type = `LPPool${n}d`;
  return {
    type,
    category: 'pool',
    signature: [arg('norm_type'), arg('kernel_size'), arg('stride', null), arg('ceil_mode', false)],
    tensors: () => [],
    forward: (args, inputs) => out(poolShape(type, n, tensorShape(inputs, 'input', type), poolWindow(type, n, args))),
    macs: NO_MACS,
    attrs: (args) => ({ norm_type: args.norm_type, kernel_size: args.kernel_size, stride: args.stride }),
  };
}

function adaptivePool(n: number, kind: 'Avg' | 'Max'): LayerSpec {
  const type = `Adaptive${kind}Pool${n}d`;
  return {
    type,
    category: 'pool',
    signature: kind === 'Max' ? [arg('output_size'), arg('return_indices', false)] : [arg('output_size')],
    tensors: () => [],
    forward: (args, inputs) => withIndices(adaptiveShape(type, n, tensorShape(inputs, 'input', type), args.output_size), args.return_indices === true),
    macs: NO_MACS,
    attrs: (args) => ({ output_size: args.output_size }),
  };
}

/** MaxUnpool: (in - 1) * stride - 2 * padding + kernel, or the requested output_size. Shared with F.max_unpoolNd. */
export function unpoolShape(where: string, n: number, x: TensorShape, args: BoundArgs, outputSize: CatValue): TensorShape {
  const w = poolWindow(where, n, { ...args, dilation: 1, ceil_mode: false });
  if (x.length !== n + 1 && x.length !== n + 2) throw new ShapeError(`${where}: Expected ${n + 1}D or ${n + 2}D input tensor, but got input of size [${fmtDims(x)}]`);
  const lead = x.slice(0, x.length - n);
  if (Array.isArray(outputSize)) return [...lead, ...outputSize.slice(-n).map(maybeInt)];
  return [...lead, ...x.slice(x.length - n).map((d, i) => (d === null ? null : (d - 1) * w.stride[i] - 2 * w.padding[i] + w.kernel[i]))];
}

function maxUnpool(n: number): LayerSpec {
  const type = `MaxUnpool${n}d`;
  return {
    type,
    category: 'pool',
    signature: [arg('kernel_size'), arg('stride', null), arg('padding', 0)],
    forwardSignature: [arg('input'), arg('indices'), arg('output_size', null)],
    tensors: () => [],
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      const idx = tensorShape(inputs, 'indices', type);
      if (idx.length !== x.length || idx.some((d, i) => d !== null && x[i] !== null && d !== x[i])) {
        throw new ShapeError(`${type}: Expected shape of indices to be same as that of the input tensor ([${fmtDims(x)}]) but got indices tensor with shape: [${fmtDims(idx)}]`);
      }
      return out(unpoolShape(type, n, x, args, inputs.output_size));
    },
    macs: NO_MACS,
    attrs(args) {
      const w = poolWindow(type, n, { ...args, dilation: 1, ceil_mode: false });
      return { kernel_size: w.kernel, stride: w.stride, padding: w.padding };
    },
  };
}

/**
 * FractionalMaxPool: output_size, or floor(input * output_ratio); each output window of `kernel_size`
 * must fit: output + kernel - 1 <= input.
 */
function fractionalMaxPool(n: number): LayerSpec {
  const type = `FractionalMaxPool${n}d`;
  return {
    type,
    category: 'pool',
    signature: [arg('kernel_size'), arg('output_size', null), arg('output_ratio', null), arg('return_indices', false), arg('_random_samples', null)],
    tensors(args) {
      if ((args.output_size === null || args.output_size === undefined) && (args.output_ratio === null || args.output_ratio === undefined)) {
        throw new ShapeError(`${type} requires specifying either an output size, or a pooling ratio`);
      }
      return [];
    },
    forward(args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      if (x.length !== n + 1 && x.length !== n + 2) throw new ShapeError(`${type}: Expected ${n + 1}D or ${n + 2}D tensor, but got: [${fmtDims(x)}]`);
      const kernel = normalizeTuple(args.kernel_size, n, 'kernel_size', type);
      const spatial = x.slice(x.length - n);
      let sizes: TensorShape;
      if (args.output_size !== null && args.output_size !== undefined) {
        sizes = normalizeTuple(args.output_size, n, 'output_size', type);
      } else {
        const raw = Array.isArray(args.output_ratio) ? args.output_ratio : Array<CatValue>(n).fill(args.output_ratio);
        sizes = spatial.map((d, i) => (d === null || typeof raw[i] !== 'number' ? null : Math.floor(d * (raw[i] as number))));
      }
      sizes.forEach((o, i) => {
        const d = spatial[i];
        if (o !== null && d !== null && o + kernel[i] - 1 > d) {
          throw new ShapeError(`${type}: pool size ${kernel[i]} too large relative to input size ${d} and output size ${o} in dimension ${i}`);
        }
      });
      return withIndices([...x.slice(0, x.length - n), ...sizes], args.return_indices === true);
    },
    macs: NO_MACS,
    attrs: (args) => ({ kernel_size: args.kernel_size, output_size: args.output_size, output_ratio: args.output_ratio }),
  };
}

export const poolingLayers: LayerSpec[] = [1, 2, 3].flatMap((n) => [maxPool(n), avgPool(n), adaptivePool(n, 'Avg'), adaptivePool(n, 'Max')]);
poolingLayers.push(lpPool(1), lpPool(2), maxUnpool(1), maxUnpool(2), maxUnpool(3), fractionalMaxPool(2), fractionalMaxPool(3));

registerLayers(poolingLayers);
