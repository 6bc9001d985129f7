/** Identity, Linear, Bilinear (torch.nn.modules.linear). */
import { arg, FACTORY_KWARGS, NO_MACS, param, varargs } from './entries';
import { registerLayers } from './registry';
import { boolArg, fmtDims, intArg, macsOf, numel, out, sameAs, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, LayerSpec, LocalTensor, OutTree } from './types';
import type { TensorShape } from '../arch/types';

/** F.linear's shape rule: [..., in] x weight[out, in]ᵀ -> [..., out]. Shared with the functional entry. */
export function linearShape(where: string, x: TensorShape, inFeatures: number | null, outFeatures: number | null): TensorShape {
  if (x.length === 0) throw new ShapeError(`${where}: both arguments to linear need to be at least 1D, but they are 0D and 2D`);
  const last = x[x.length - 1];
  if (last !== null && inFeatures !== null && last !== inFeatures) {
    const rows = numel(x.slice(0, -1));
    throw new ShapeError(`${where}: mat1 and mat2 shapes cannot be multiplied (${rows ?? '?'}x${last} and ${inFeatures}x${outFeatures ?? '?'})`);
  }
  return [...x.slice(0, -1), outFeatures];
}

/**
 * x1ᵀ W x2 as ATen's _trilinear computes it: x1·W (in1 x in2 per output element), then a dot with x2 (in2):
 * the two bmm calls the profiler counts.
 */
export function bilinearMacs(outputElements: number | null, in1: number, in2: number): number | null {
  return macsOf(outputElements, in2 * (in1 + 1));
}

function features(args: BoundArgs, type: string): { inF: number; outF: number; bias: boolean } {
  return { inF: intArg(args.in_features, 'in_features', type), outF: intArg(args.out_features, 'out_features', type), bias: boolArg(args.bias, 'bias', type) };
}

const identity: LayerSpec = {
  type: 'Identity',
  category: 'shape',
  // Identity(*args, **kwargs) ignores everything it is given.
  signature: [varargs('args')],
  tensors: () => [],
  forward: (_args, inputs) => sameAs(inputs, 'input', 'Identity'),
  macs: NO_MACS,
};

function linearLayer(type: string): LayerSpec {
  return {
    type,
    category: 'linear',
    signature: [arg('in_features'), arg('out_features'), arg('bias', true), ...FACTORY_KWARGS],
    tensors(args) {
      const f = features(args, type);
      const t: LocalTensor[] = [param('weight', [f.outF, f.inF])];
      if (f.bias) t.push(param('bias', [f.outF]));
      return t;
    },
    forward(args, inputs) {
      const f = features(args, type);
      return out(linearShape(type, tensorShape(inputs, 'input', type), f.inF, f.outF));
    },
    // One dot product of length in_features per output element (the bias add is not a MAC).
    macs(args, _inputs, output: OutTree) {
      if (Array.isArray(output)) return null;
      return macsOf(numel(output.shape), features(args, type).inF);
    },
    attrs(args) {
      const f = features(args, type);
      return { in_features: f.inF, out_features: f.outF, bias: f.bias };
    },
  };
}

const bilinear: LayerSpec = {
  type: 'Bilinear',
  category: 'linear',
  signature: [arg('in1_features'), arg('in2_features'), arg('out_features'), arg('bias', true), ...FACTORY_KWARGS],
  forwardSignature: [arg('input1'), arg('input2')],
  tensors(args) {
    const in1 = intArg(args.in1_features, 'in1_features', 'Bilinear');
    const in2 = intArg(args.in2_features, 'in2_features', 'Bilinear');
    const o = intArg(args.out_features, 'out_features', 'Bilinear');
    const t: LocalTensor[] = [param('weight', [o, in1, in2])];
    if (boolArg(args.bias, 'bias', 'Bilinear')) t.push(param('bias', [o]));
    return t;
  },
  forward(args, inputs) {
    const a = tensorShape(inputs, 'input1', 'Bilinear');
    const b = tensorShape(inputs, 'input2', 'Bilinear');
    const in1 = intArg(args.in1_features, 'in1_features', 'Bilinear');
    const in2 = intArg(args.in2_features, 'in2_features', 'Bilinear');
    const o = intArg(args.out_features, 'out_features', 'Bilinear');
    const la = a[a.length - 1];
    const lb = b[b.length - 1];
    if ((la !== null && la !== in1) || (lb !== null && lb !== in2)) {
      throw new ShapeError(`Bilinear: input1 size ${la ?? '?'} or input2 size ${lb ?? '?'} does not match weight [${o}, ${in1}, ${in2}]`);
    }
    const lead = a.slice(0, -1);
    const leadB = b.slice(0, -1);
    if (lead.length !== leadB.length || lead.some((d, i) => d !== null && leadB[i] !== null && d !== leadB[i])) {
      throw new ShapeError(`Bilinear: input1 [${fmtDims(a)}] and input2 [${fmtDims(b)}] must have the same batch dimensions`);
    }
    return out([...lead.map((d, i) => d ?? leadB[i]), o]);
  },
  macs(args, _inputs, output) {
    if (Array.isArray(output)) return null;
    return bilinearMacs(numel(output.shape), intArg(args.in1_features, 'in1_features', 'Bilinear'), intArg(args.in2_features, 'in2_features', 'Bilinear'));
  },
  attrs: (args) => ({ in1_features: args.in1_features, in2_features: args.in2_features, out_features: args.out_features, bias: args.bias }),
};

// NonDynamicallyQuantizableLinear is the class of MultiheadAttention.out_proj; it behaves as Linear.
export const linearLayers: LayerSpec[] = [identity, linearLayer('Linear'), linearLayer('NonDynamicallyQuantizableLinear'), bilinear];

registerLayers(linearLayers);
