/**
 * Element-wise ops: binary arithmetic and comparisons (broadcasting; Python scalars are 0-d operands),
 * unary math, activations and dropout in their functional and tensor-method spellings.
 */
import { arg, NO_MACS, shapePreservingFunction, spellings, varargs } from '../entries';
import { registerFunctions } from '../registry';
import { broadcastAll, broadcastShapes, dtypeName, fmtDims, intArg, isTensor, operandShape, out, promoteTypes, sameAs, tensorShape } from '../shapeMath';
import { gluShape } from '../activations';
import { ShapeError } from '../types';
import type { ArgSpec, CatValue, FunctionSpec } from '../types';

const F = 'torch.nn.functional.';

/** Result dtype of a comparison or logical op. */
const BOOL_OPS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor']);

function dtypeOf(v: CatValue): string | undefined {
  return isTensor(v) ? v.dtype : undefined;
}

/** Out-of-place result dtype: type promotion, and true division of integers gives the default float. */
function resultDtype(op: string, args: Record<string, CatValue>): string | undefined {
  const promoted = promoteTypes([args.input, args.other]);
  const trueDivision = op === 'div' && (args.rounding_mode === null || args.rounding_mode === undefined);
  if (trueDivision && (promoted === 'bool' || (promoted !== undefined && /int/.test(promoted)))) return 'float32';
  return promoted;
}

/**
 * A broadcasting binary op. The out-of-place spec takes every plain spelling; the in-place one
 * (`Tensor.add_`, `operator.iadd`) additionally requires the broadcast shape to equal `input`'s,
 * as PyTorch does ("output with shape [...] doesn't match the broadcast shape [...]").
 */
function binary(op: string, names: string[], inplaceNames: string[], extra: ArgSpec[] = []): FunctionSpec[] {
  const signature = [arg('input'), arg('other'), ...extra];
  const result = (inplace: boolean) => (args: Record<string, CatValue>) => {
    const a = operandShape(args.input, op);
    const b = operandShape(args.other, op);
    const shape = broadcastShapes(a, b, op);
    // `total += x` with a Python number on the left falls back to the out-of-place op.
    if (inplace && isTensor(args.input)) {
      const grows = shape.length !== a.length || shape.some((d, i) => d !== null && a[i] !== null && d !== a[i]);
      if (grows) throw new ShapeError(`${op}: output with shape [${fmtDims(a)}] doesn't match the broadcast shape [${fmtDims(shape)}]`);
    }
    // In-place ops write into `input` and keep its dtype, comparisons included (`x.lt_(y)` stays float).
    const dtype = inplace && isTensor(args.input) ? dtypeOf(args.input) : BOOL_OPS.has(op) ? 'bool' : resultDtype(op, args);
    return out(shape, dtype);
  };
  const specs: FunctionSpec[] = [{ op, category: 'elementwise', names, signature, forward: result(false), macs: NO_MACS }];
  if (inplaceNames.length) specs.push({ op, category: 'elementwise', names: inplaceNames, signature, forward: result(true), macs: NO_MACS });
  return specs;
}

/** torch.X, Tensor.X, Tensor.__X__ and operator.X; Tensor.X_, Tensor.__iX__ and operator.iX in place. */
function arithmetic(op: string, pyOp: string | null, extra: ArgSpec[] = []): FunctionSpec[] {
  const names = [...spellings(op)];
  const inplace = [`Tensor.${op}_`];
  if (pyOp) {
    // Python's operator module spells the bitwise ones `and_`, `or_`.
    names.push(`operator.${pyOp === 'and' || pyOp === 'or' ? `${pyOp}_` : pyOp}`, `Tensor.__${pyOp}__`, `Tensor.__r${pyOp}__`);
    inplace.push(`operator.i${pyOp}`, `Tensor.__i${pyOp}__`);
  }
  return binary(op, names, inplace, extra);
}

const binaryOps: FunctionSpec[] = [
  ...arithmetic('add', 'add', [arg('alpha', 1)]),
  ...arithmetic('sub', 'sub', [arg('alpha', 1)]),
  ...arithmetic('mul', 'mul'),
  ...arithmetic('div', 'truediv', [arg('rounding_mode', null)]),
  ...arithmetic('floor_divide', 'floordiv'),
  ...arithmetic('remainder', 'mod'),
  ...arithmetic('pow', 'pow'),
  ...arithmetic('bitwise_and', 'and'),
  ...arithmetic('bitwise_or', 'or'),
  ...arithmetic('bitwise_xor', 'xor'),
  ...['eq', 'ne', 'lt', 'le', 'gt', 'ge'].flatMap((op) => binary(op, [...spellings(op), `operator.${op}`, `Tensor.__${op}__`], [`Tensor.${op}_`])),
  ...['fmod', 'atan2', 'logical_and', 'logical_or', 'logical_xor', 'hypot'].flatMap((op) => binary(op, spellings(op), [`Tensor.${op}_`])),
  ...['maximum', 'minimum', 'fmax', 'fmin'].flatMap((op) => binary(op, spellings(op), [])),
];

/** Adds alias spellings to the out-of-place spec of `op`. */
function alias(specs: FunctionSpec[], op: string, names: string[]): void {
  specs.find((s) => s.op === op)!.names.push(...names);
}
alias(binaryOps, 'div', ['torch.true_divide', 'Tensor.true_divide', 'torch.divide', 'Tensor.divide']);
alias(binaryOps, 'mul', ['torch.multiply', 'Tensor.multiply']);
alias(binaryOps, 'sub', ['torch.subtract', 'Tensor.subtract']);

/** Unary math that keeps the shape: torch.X, Tensor.X and Tensor.X_ (where PyTorch has it). */
const UNARY_MATH = [
  'abs', 'sqrt', 'rsqrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'neg', 'floor', 'ceil', 'round', 'trunc', 'frac', 'sign', 'reciprocal', 'erf', 'erfc', 'square',
  'logical_not', 'bitwise_not', 'sigmoid', 'tanh', 'relu', 'nan_to_num', 'sgn', 'deg2rad', 'rad2deg',
];

const unaryOps: FunctionSpec[] = UNARY_MATH.map((op) => shapePreservingFunction(op, op === 'relu' || op === 'sigmoid' || op === 'tanh' ? 'activation' : 'elementwise', spellings(op, { inplace: true }), [arg('input')]));
unaryOps.find((s) => s.op === 'neg')!.names.push('operator.neg', 'Tensor.__neg__', 'torch.negative', 'Tensor.negative');
unaryOps.find((s) => s.op === 'abs')!.names.push('operator.abs', 'Tensor.__abs__', 'torch.absolute', 'Tensor.absolute');
unaryOps.find((s) => s.op === 'bitwise_not')!.names.push('operator.invert', 'Tensor.__invert__');
// logical_not yields bool (its in-place form keeps the input's dtype).
{
  const spec = unaryOps.find((s) => s.op === 'logical_not')!;
  spec.names = spec.names.filter((n) => !n.endsWith('_'));
  spec.forward = (args) => out([...tensorShape(args, 'input', 'logical_not')], 'bool');
  unaryOps.push(shapePreservingFunction('logical_not', 'elementwise', ['Tensor.logical_not_'], [arg('input')]));
}
unaryOps.find((s) => s.op === 'relu')!.names.push(`${F}relu_`);
// `x.round(decimals=...)`, `nan_to_num(nan=...)`: extra keywords that do not change the shape.
unaryOps.find((s) => s.op === 'round')!.signature.push(arg('decimals', 0));
unaryOps.find((s) => s.op === 'nan_to_num')!.signature.push(arg('nan', 0.0), arg('posinf', null), arg('neginf', null));
unaryOps.push(shapePreservingFunction('pos', 'elementwise', ['operator.pos', 'Tensor.__pos__', 'torch.positive', 'Tensor.positive'], [arg('input')]));

/** F.relu(input, inplace) and friends: [name, extra signature, torch/Tensor spellings]. */
const F_ACTIVATIONS: [string, ArgSpec[], string[]][] = [
  ['relu', [arg('inplace', false)], []],
  ['relu6', [arg('inplace', false)], []],
  ['leaky_relu', [arg('negative_slope', 0.01), arg('inplace', false)], [`${F}leaky_relu_`]],
  ['elu', [arg('alpha', 1.0), arg('inplace', false)], [`${F}elu_`]],
  ['selu', [arg('inplace', false)], ['torch.selu', 'torch.selu_']],
  ['celu', [arg('alpha', 1.0), arg('inplace', false)], ['torch.celu', 'torch.celu_']],
  ['gelu', [arg('approximate', 'none')], []],
  ['silu', [arg('inplace', false)], []],
  ['mish', [arg('inplace', false)], []],
  ['hardswish', [arg('inplace', false)], []],
  ['hardsigmoid', [arg('inplace', false)], []],
  ['hardtanh', [arg('min_val', -1.0), arg('max_val', 1.0), arg('inplace', false)], [`${F}hardtanh_`]],
  ['softplus', [arg('beta', 1), arg('threshold', 20)], []],
  ['softsign', [], []],
  ['tanhshrink', [], []],
  ['logsigmoid', [], []],
  ['hardshrink', [arg('lambd', 0.5)], ['torch.hardshrink', 'Tensor.hardshrink']],
  ['softshrink', [arg('lambd', 0.5)], []],
  ['threshold', [arg('threshold'), arg('value'), arg('inplace', false)], [`${F}threshold_`, 'torch.threshold', 'torch.threshold_']],
  ['rrelu', [arg('lower', 1 / 8), arg('upper', 1 / 3), arg('training', false), arg('inplace', false)], [`${F}rrelu_`, 'torch.rrelu']],
  ['sigmoid', [], []],
  ['tanh', [], []],
];

const fActivations: FunctionSpec[] = F_ACTIVATIONS.map(([op, extra, more]) => {
  const names = [`${F}${op}`, ...more];
  return shapePreservingFunction(op, 'activation', names, [arg('input'), ...extra]);
});

/** torch.sigmoid etc. share an op name with their F.* versions but not their signature, hence separate specs. */
const methodActivations: FunctionSpec[] = [
  shapePreservingFunction('prelu', 'activation', [`${F}prelu`, 'torch.prelu', 'Tensor.prelu'], [arg('input'), arg('weight')]),
];

const softmaxLike: FunctionSpec[] = ['softmax', 'log_softmax', 'softmin'].map((op) => ({
  op,
  category: 'activation' as const,
  names: op === 'softmin' ? [`${F}${op}`] : [`${F}${op}`, ...spellings(op)],
  signature: [arg('input'), arg('dim', null), arg('_stacklevel', 3), arg('dtype', null)],
  forward(args) {
    const x = tensorShape(args, 'input', op);
    if (typeof args.dim === 'number') {
      const r = Math.max(x.length, 1);
      if (args.dim < -r || args.dim >= r) throw new ShapeError(`${op}: Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${args.dim})`);
    }
    return sameAs(args, 'input', op);
  },
  macs: NO_MACS,
}));

const glu: FunctionSpec = {
  op: 'glu',
  category: 'activation',
  names: [`${F}glu`],
  signature: [arg('input'), arg('dim', -1)],
  forward: (args) => out(gluShape('glu', tensorShape(args, 'input', 'glu'), intArg(args.dim, 'dim', 'glu'))),
  macs: NO_MACS,
};

const dropouts: FunctionSpec[] = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout'].map((op) => ({
  op,
  category: 'dropout' as const,
  names: [`${F}${op}`, ...(op === 'dropout' || op === 'alpha_dropout' || op === 'feature_alpha_dropout' ? [`torch.${op}`, `torch.${op}_`] : [])],
  // The alpha dropouts default to training=False, the others to True.
  signature: [arg('input'), arg('p', 0.5), arg('training', !op.includes('alpha')), arg('inplace', false)],
  forward(args) {
    if (typeof args.p === 'number' && (args.p < 0 || args.p > 1)) throw new ShapeError(`${op}: dropout probability has to be between 0 and 1, but got ${args.p}`);
    return sameAs(args, 'input', op);
  },
  macs: NO_MACS,
}));

const clamp: FunctionSpec = shapePreservingFunction('clamp', 'elementwise',
  [...spellings('clamp', { inplace: true }), ...spellings('clip', { inplace: true })], [arg('input'), arg('min', null), arg('max', null)]);

/** torch.where(condition, input, other): broadcast of the three (scalars allowed). */
const where: FunctionSpec = {
  op: 'where',
  category: 'elementwise',
  names: ['torch.where', 'Tensor.where'],
  signature: [arg('condition'), arg('input'), arg('other')],
  forward(args) {
    const shapes = [args.condition, args.input, args.other].map((v) => operandShape(v, 'where'));
    return out(broadcastAll(shapes, 'where'), promoteTypes([args.input, args.other]));
  },
  macs: NO_MACS,
};

/** masked_fill keeps input's shape; the mask must broadcast to it. */
function maskedFill(names: string[]): FunctionSpec {
  return {
    op: 'masked_fill',
    category: 'elementwise',
    names,
    signature: [arg('input'), arg('mask'), arg('value')],
    forward(args) {
      const x = tensorShape(args, 'input', 'masked_fill');
      const m = tensorShape(args, 'mask', 'masked_fill');
      return out(broadcastShapes(x, m, 'masked_fill'), dtypeOf(args.input));
    },
    macs: NO_MACS,
  };
}

/** Conversions and copies that keep the shape: `x.to(...)`, `x.float()`, `x.detach()`... */
const DTYPE_OF: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16', bfloat16: 'bfloat16', long: 'int64', int: 'int32', bool: 'bool', short: 'int16', byte: 'uint8' };
/** Keyword arguments of `to`/`cuda`/`clone`: accepted, and only `dtype` matters for shapes. */
const MOVE_KWARGS = [arg('dtype', null), arg('device', null), arg('non_blocking', false), arg('copy', false), arg('memory_format', null)];

/** `x.to(torch.float16)`, `x.to(device, dtype)`, `x.to(other)`, `x.type(torch.float64)`: the dtype named anywhere. */
function targetDtype(args: Record<string, CatValue>): string | undefined {
  const candidates = [...(Array.isArray(args.args) ? args.args : []), args.dtype];
  for (const c of candidates) {
    if (isTensor(c)) return c.dtype;
    const d = dtypeName(c);
    if (d) return d;
  }
  return undefined;
}

const conversions: FunctionSpec[] = [
  {
    op: 'to',
    category: 'tensor',
    // cpu/cuda/pin_memory only move data; one spec so that the CUDA-only spellings share its case.
    names: ['Tensor.to', 'Tensor.type', 'Tensor.cpu', 'Tensor.cuda', 'Tensor.pin_memory'],
    signature: [arg('input'), varargs('args'), ...MOVE_KWARGS],
    forward: (args) => out([...tensorShape(args, 'input', 'to')], targetDtype(args) ?? dtypeOf(args.input)),
    macs: NO_MACS,
  },
  {
    op: 'type_as',
    category: 'tensor',
    names: ['Tensor.type_as'],
    signature: [arg('input'), arg('other')],
    forward: (args) => out([...tensorShape(args, 'input', 'type_as')], dtypeOf(args.other)),
    macs: NO_MACS,
  },
  ...['contiguous', 'detach', 'detach_', 'clone', 'requires_grad_', 'share_memory_', 'fill_', 'zero_', 'normal_', 'uniform_', 'bernoulli_', 'copy_'].map((m) =>
    shapePreservingFunction(m, 'tensor', [`Tensor.${m}`, ...(m === 'clone' || m === 'detach' ? [`torch.${m}`] : [])], [arg('input'), varargs('args'), ...MOVE_KWARGS])),
  ...Object.entries(DTYPE_OF).map(([m, dtype]): FunctionSpec => ({
    op: m,
    category: 'tensor',
    names: [`Tensor.${m}`],
    signature: [arg('input'), arg('memory_format', null)],
    forward: (args) => out([...tensorShape(args, 'input', m)], dtype),
    macs: NO_MACS,
  })),
];

export const elementwiseFunctions: FunctionSpec[] = [
  ...binaryOps, ...unaryOps, ...fActivations, ...methodActivations, ...softmaxLike, glu, ...dropouts, clamp, where,
  maskedFill(['torch.masked_fill', 'Tensor.masked_fill']), maskedFill(['Tensor.masked_fill_']), ...conversions,
];

registerFunctions(elementwiseFunctions);
