/** RNN, LSTM, GRU and their cells (torch.nn.modules.rnn), with PyTorch's exact parameter order. */
import type { TensorShape } from '../arch/types';
import { arg, FACTORY_KWARGS, param } from './entries';
import { registerLayers } from './registry';
import { boolArg, fmtDims, intArg, macsOf, out } from './shapeMath';
import { tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, LayerSpec, LocalTensor } from './types';

type Mode = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };

interface RnnConfig {
  inputSize: number;
  hidden: number;
  layers: number;
  bias: boolean;
  batchFirst: boolean;
  directions: number;
  proj: number;
}

function rnnConfig(mode: Mode, args: BoundArgs): RnnConfig {
  const proj = mode === 'LSTM' ? intArg(args.proj_size, 'proj_size', mode) : 0;
  const hidden = intArg(args.hidden_size, 'hidden_size', mode);
  if (proj < 0) throw new ShapeError(`${mode}: proj_size should be a positive integer or zero to disable projections`);
  if (proj >= hidden && proj !== 0) throw new ShapeError(`${mode}: proj_size has to be smaller than hidden_size`);
  const layers = intArg(args.num_layers, 'num_layers', mode);
  if (layers <= 0) throw new ShapeError(`${mode}: num_layers must be greater than or equal to 1`);
  if (mode === 'RNN' && typeof args.nonlinearity === 'string' && !['tanh', 'relu'].includes(args.nonlinearity)) {
    throw new ShapeError(`Unknown nonlinearity '${args.nonlinearity}'. Select from 'tanh' or 'relu'.`);
  }
  return {
    inputSize: intArg(args.input_size, 'input_size', mode),
    hidden,
    layers,
    bias: boolArg(args.bias, 'bias', mode),
    batchFirst: boolArg(args.batch_first, 'batch_first', mode),
    directions: boolArg(args.bidirectional, 'bidirectional', mode) ? 2 : 1,
    proj,
  };
}

/** Per layer and direction: w_ih, w_hh, b_ih, b_hh, then w_hr (LSTM with proj_size). */
function rnnTensors(mode: Mode, c: RnnConfig): LocalTensor[] {
  const gate = GATES[mode] * c.hidden;
  const realHidden = c.proj > 0 ? c.proj : c.hidden;
  const t: LocalTensor[] = [];
  for (let layer = 0; layer < c.layers; layer++) {
    const layerIn = layer === 0 ? c.inputSize : realHidden * c.directions;
    for (let d = 0; d < c.directions; d++) {
      const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
      t.push(param(`weight_ih${sfx}`, [gate, layerIn]), param(`weight_hh${sfx}`, [gate, realHidden]));
      if (c.bias) t.push(param(`bias_ih${sfx}`, [gate]), param(`bias_hh${sfx}`, [gate]));
      if (c.proj > 0) t.push(param(`weight_hr${sfx}`, [c.proj, c.hidden]));
    }
  }
  return t;
}

/** MACs per time step and batch item: the gate products of every layer and direction, plus the projection. */
function rnnStepMacs(mode: Mode, c: RnnConfig): number {
  const realHidden = c.proj > 0 ? c.proj : c.hidden;
  let macs = 0;
  for (let layer = 0; layer < c.layers; layer++) {
    const layerIn = layer === 0 ? c.inputSize : realHidden * c.directions;
    macs += c.directions * (GATES[mode] * c.hidden * (layerIn + realHidden) + (c.proj > 0 ? c.proj * c.hidden : 0));
  }
  return macs;
}

function seqLayout(mode: Mode, c: RnnConfig, x: TensorShape): { steps: number | null; batch: number | null; batched: boolean } {
  if (x.length !== 2 && x.length !== 3) throw new ShapeError(`${mode}: Expected input to be 2-D or 3-D but received ${x.length}-D tensor`);
  const feat = x[x.length - 1];
  if (feat !== null && feat !== c.inputSize) throw new ShapeError(`${mode}: input.size(-1) must be equal to input_size. Expected ${c.inputSize}, got ${feat}`);
  if (x.length === 2) return { steps: x[0], batch: 1, batched: false };
  return c.batchFirst ? { steps: x[1], batch: x[0], batched: true } : { steps: x[0], batch: x[1], batched: true };
}

function rnnLayer(mode: Mode): LayerSpec {
  const common = [arg('bias', true), arg('batch_first', false), arg('dropout', 0.0), arg('bidirectional', false)];
  // torch 1.13's RNN passes positionals straight to RNNBase, so `nonlinearity` is effectively keyword-only.
  const signature = mode === 'RNN'
    ? [arg('input_size'), arg('hidden_size'), arg('num_layers', 1), ...common, arg('nonlinearity', 'tanh'), ...FACTORY_KWARGS]
    : [arg('input_size'), arg('hidden_size'), arg('num_layers', 1), ...common, ...(mode === 'LSTM' ? [arg('proj_size', 0)] : []), ...FACTORY_KWARGS];
  return {
    type: mode,
    category: 'recurrent',
    signature,
    forwardSignature: [arg('input'), arg('hx', null)],
    tensors: (args) => rnnTensors(mode, rnnConfig(mode, args)),
    forward(args, inputs) {
      const c = rnnConfig(mode, args);
      const x = tensorShape(inputs, 'input', mode);
      const { batched } = seqLayout(mode, c, x);
      const realHidden = c.proj > 0 ? c.proj : c.hidden;
      const output: TensorShape = [...x.slice(0, -1), c.directions * realHidden];
      const batchDims = batched ? [c.batchFirst ? x[0] : x[1]] : [];
      const h: TensorShape = [c.directions * c.layers, ...batchDims, realHidden];
      if (mode !== 'LSTM') return [out(output), out(h)];
      return [out(output), [out(h), out([c.directions * c.layers, ...batchDims, c.hidden])]];
    },
    macs(args, inputs) {
      const c = rnnConfig(mode, args);
      const { steps, batch } = seqLayout(mode, c, tensorShape(inputs, 'input', mode));
      return macsOf(steps, batch, rnnStepMacs(mode, c));
    },
    attrs(args) {
      const c = rnnConfig(mode, args);
      return {
        input_size: c.inputSize, hidden_size: c.hidden, num_layers: c.layers, bias: c.bias, batch_first: c.batchFirst,
        bidirectional: c.directions === 2, ...(mode === 'LSTM' ? { proj_size: c.proj } : {}), ...(mode === 'RNN' ? { nonlinearity: args.nonlinearity } : {}),
      };
    },
  };
}

function cellLayer(mode: Mode): LayerSpec {
  const type = `${mode}Cell`;
  const sizes = (args: BoundArgs) => ({ inputSize: intArg(args.input_size, 'input_size', type), hidden: intArg(args.hidden_size, 'hidden_size', type) });
  return {
    type,
    category: 'recurrent',
    signature: [arg('input_size'), arg('hidden_size'), arg('bias', true), ...(mode === 'RNN' ? [arg('nonlinearity', 'tanh')] : []), ...FACTORY_KWARGS],
    forwardSignature: [arg('input'), arg('hx', null)],
    tensors(args) {
      const { inputSize, hidden } = sizes(args);
      const gate = GATES[mode] * hidden;
      const t = [param('weight_ih', [gate, inputSize]), param('weight_hh', [gate, hidden])];
      if (boolArg(args.bias, 'bias', type)) t.push(param('bias_ih', [gate]), param('bias_hh', [gate]));
      return t;
    },
    forward(args, inputs) {
      const { inputSize, hidden } = sizes(args);
      const x = tensorShape(inputs, 'input', type);
      if (x.length !== 1 && x.length !== 2) throw new ShapeError(`${type}: Expected input to be 1D or 2D, got ${x.length}D instead`);
      const feat = x[x.length - 1];
      if (feat !== null && feat !== inputSize) throw new ShapeError(`${type}: input has inconsistent input_size: got ${feat} expected ${inputSize} [${fmtDims(x)}]`);
      const h: TensorShape = [...x.slice(0, -1), hidden];
      return mode === 'LSTM' ? [out(h), out([...h])] : out(h);
    },
    macs(args, inputs) {
      const { inputSize, hidden } = sizes(args);
      const x = tensorShape(inputs, 'input', type);
      const batch = x.length === 2 ? x[0] : 1;
      return macsOf(batch, GATES[mode] * hidden * (inputSize + hidden));
    },
    attrs: (args) => ({ input_size: args.input_size, hidden_size: args.hidden_size, bias: args.bias }),
  };
}

export const recurrentLayers: LayerSpec[] = (['RNN', 'LSTM', 'GRU'] as Mode[]).flatMap((m) => [rnnLayer(m), cellLayer(m)]);

registerLayers(recurrentLayers);
