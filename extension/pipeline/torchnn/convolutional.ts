/** Conv1d/2d/3d and ConvTranspose1d/2d/3d (torch.nn.modules.conv). */
import type { TensorShape } from '../arch/types';
import { arg, FACTORY_KWARGS, param } from './entries';
import { registerLayers } from './registry';
import {
  boolArg, convOutputSize, convTransposeOutputSize, fmtDims, intArg, macsOf, normalizeTuple, numel, out, product, tensorShape,
} from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, LayerSpec, LocalTensor } from './types';

interface ConvConfig {
  inChannels: number;
  outChannels: number;
  kernel: number[];
  stride: number[];
  /** Per spatial dim; 'same' is resolved at forward time (it depends on nothing but the kernel). */
  padding: number[] | 'same';
  dilation: number[];
  groups: number;
  bias: boolean;
  outputPadding: number[];
}

function convConfig(type: string, n: number, args: BoundArgs, transposed: boolean): ConvConfig {
  const inChannels = intArg(args.in_channels, 'in_channels', type);
  const outChannels = intArg(args.out_channels, 'out_channels', type);
  const groups = intArg(args.groups, 'groups', type);
  if (groups <= 0) throw new ShapeError(`${type}: groups must be a positive integer`);
  if (inChannels % groups !== 0) throw new ShapeError(`${type}: in_channels must be divisible by groups`);
  if (outChannels % groups !== 0) throw new ShapeError(`${type}: out_channels must be divisible by groups`);
  const kernel = normalizeTuple(args.kernel_size, n, 'kernel_size', type);
  const stride = normalizeTuple(args.stride, n, 'stride', type);
  const dilation = normalizeTuple(args.dilation, n, 'dilation', type);
  let padding: number[] | 'same';
  if (typeof args.padding === 'string') {
    if (transposed) throw new ShapeError(`${type}: padding='${args.padding}' is not supported for transposed convolutions`);
    if (args.padding === 'valid') padding = Array<number>(n).fill(0);
    else if (args.padding === 'same') {
      if (stride.some((s) => s !== 1)) throw new ShapeError(`${type}: padding='same' is not supported for strided convolutions`);
      padding = 'same';
    } else throw new ShapeError(`${type}: Invalid padding string '${args.padding}', should be one of {'valid', 'same'}`);
  } else padding = normalizeTuple(args.padding, n, 'padding', type);
  const outputPadding = transposed ? normalizeTuple(args.output_padding, n, 'output_padding', type) : Array<number>(n).fill(0);
  const mode = args.padding_mode;
  if (typeof mode === 'string' && !['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new ShapeError(`${type}: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${mode}'`);
  }
  if (transposed && typeof mode === 'string' && mode !== 'zeros') throw new ShapeError(`${type}: Only "zeros" padding mode is supported for ${type}`);
  return { inChannels, outChannels, kernel, stride, padding, dilation, groups, bias: boolArg(args.bias, 'bias', type), outputPadding };
}

/** Checks rank and channels the way F.convNd does; returns [batch dims..., spatial dims] split. */
function splitInput(type: string, n: number, x: TensorShape, channels: number, weightShape: number[], groups: number): { lead: TensorShape; spatial: TensorShape } {
  if (x.length !== n + 1 && x.length !== n + 2) {
    throw new ShapeError(`${type}: Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to conv${n}d, but got input of size: [${fmtDims(x)}]`);
  }
  const c = x[x.length - n - 1];
  if (c !== null && c !== channels) {
    throw new ShapeError(
      `${type}: Given groups=${groups}, weight of size [${weightShape.join(', ')}], expected input[${fmtDims(x)}] to have ${channels} channels, but got ${c} channels instead`,
    );
  }
  return { lead: x.slice(0, x.length - n - 1), spatial: x.slice(x.length - n) };
}

function convLayer(n: number): LayerSpec {
  const type = `Conv${n}d`;
  return {
    type,
    category: 'conv',
    signature: [
      arg('in_channels'), arg('out_channels'), arg('kernel_size'), arg('stride', 1), arg('padding', 0), arg('dilation', 1),
      arg('groups', 1), arg('bias', true), arg('padding_mode', 'zeros'), ...FACTORY_KWARGS,
    ],
    tensors(args) {
      const c = convConfig(type, n, args, false);
      const t: LocalTensor[] = [param('weight', [c.outChannels, c.inChannels / c.groups, ...c.kernel])];
      if (c.bias) t.push(param('bias', [c.outChannels]));
      return t;
    },
    forward(args, inputs) {
      const c = convConfig(type, n, args, false);
      const x = tensorShape(inputs, 'input', type);
      const { lead, spatial } = splitInput(type, n, x, c.inChannels, [c.outChannels, c.inChannels / c.groups, ...c.kernel], c.groups);
      const sizes = spatial.map((d, i) => (c.padding === 'same' ? d : convOutputSize(d, c.kernel[i], c.stride[i], c.padding[i], c.dilation[i])));
      for (const s of sizes) {
        if (s !== null && s <= 0) {
          throw new ShapeError(`${type}: Calculated output size: (${fmtDims(sizes)}). Output size is too small`);
        }
      }
      return out([...lead, c.outChannels, ...sizes]);
    },
    // Each output element is a dot product over (in_channels / groups) x kernel.
    macs(args, _inputs, output) {
      const c = convConfig(type, n, args, false);
      if (Array.isArray(output)) return null;
      return macsOf(numel(output.shape), c.inChannels / c.groups, product(c.kernel));
    },
    attrs(args) {
      const c = convConfig(type, n, args, false);
      return {
        in_channels: c.inChannels, out_channels: c.outChannels, kernel_size: c.kernel, stride: c.stride, padding: c.padding,
        dilation: c.dilation, groups: c.groups, bias: c.bias, padding_mode: args.padding_mode,
      };
    },
  };
}

function convTransposeLayer(n: number): LayerSpec {
  const type = `ConvTranspose${n}d`;
  return {
    type,
    category: 'conv',
    signature: [
      arg('in_channels'), arg('out_channels'), arg('kernel_size'), arg('stride', 1), arg('padding', 0), arg('output_padding', 0),
      arg('groups', 1), arg('bias', true), arg('dilation', 1), arg('padding_mode', 'zeros'), ...FACTORY_KWARGS,
    ],
    forwardSignature: [arg('input'), arg('output_size', null)],
    tensors(args) {
      const c = convConfig(type, n, args, true);
      const t: LocalTensor[] = [param('weight', [c.inChannels, c.outChannels / c.groups, ...c.kernel])];
      if (c.bias) t.push(param('bias', [c.outChannels]));
      return t;
    },
    forward(args, inputs) {
      const c = convConfig(type, n, args, true);
      const pad = c.padding as number[];
      const x = tensorShape(inputs, 'input', type);
      const { lead, spatial } = splitInput(type, n, x, c.inChannels, [c.inChannels, c.outChannels / c.groups, ...c.kernel], c.groups);
      for (let i = 0; i < n; i++) {
        if (c.outputPadding[i] >= c.stride[i] && c.outputPadding[i] >= c.dilation[i]) {
          throw new ShapeError(`${type}: output padding must be smaller than either stride or dilation, but got output_padding=${c.outputPadding[i]}, stride=${c.stride[i]}, dilation=${c.dilation[i]}`);
        }
      }
      const requested = inputs.output_size;
      let sizes: TensorShape;
      if (Array.isArray(requested) || typeof requested === 'number') {
        // output_size picks output_padding within [0, stride) so that the output has that size.
        const req = (Array.isArray(requested) ? requested : [requested]).map((v) => (typeof v === 'number' ? v : null)).slice(-n);
        sizes = spatial.map((d, i) => {
          const min = convTransposeOutputSize(d, c.kernel[i], c.stride[i], pad[i], c.dilation[i], 0);
          const want = req[i] ?? null;
          if (min !== null && want !== null && (want < min || want >= min + c.stride[i])) {
            throw new ShapeError(`${type}: requested an output size of [${req.join(', ')}], but valid sizes range from ${min} to ${min + c.stride[i] - 1} (for an input of ${fmtDims(spatial)})`);
          }
          return want;
        });
      } else {
        sizes = spatial.map((d, i) => convTransposeOutputSize(d, c.kernel[i], c.stride[i], pad[i], c.dilation[i], c.outputPadding[i]));
      }
      return out([...lead, c.outChannels, ...sizes]);
    },
    // Each input element is scattered through (out_channels / groups) x kernel weights.
    macs(args, inputs) {
      const c = convConfig(type, n, args, true);
      const x = tensorShape(inputs, 'input', type);
      return macsOf(numel(x), c.outChannels / c.groups, product(c.kernel));
    },
    attrs(args) {
      const c = convConfig(type, n, args, true);
      return {
        in_channels: c.inChannels, out_channels: c.outChannels, kernel_size: c.kernel, stride: c.stride, padding: c.padding,
        output_padding: c.outputPadding, dilation: c.dilation, groups: c.groups, bias: c.bias,
      };
    },
  };
}

export const convolutionalLayers: LayerSpec[] = [1, 2, 3].flatMap((n) => [convLayer(n), convTransposeLayer(n)]);

registerLayers(convolutionalLayers);
