/** torch.nn.functional losses: the loss layers' shape rules in functional form. */
import { arg } from '../entries';
import { classLossShape, elementwiseLossShape } from '../loss';
import { registerFunctions } from '../registry';
import { out, tensorShape } from '../shapeMath';
import type { ArgSpec, FunctionSpec } from '../types';

const F = 'torch.nn.functional.';
const LEGACY: ArgSpec[] = [arg('size_average', null), arg('reduce', null)];

function elementwise(op: string, before: ArgSpec[] = [], after: ArgSpec[] = [], legacy = true): FunctionSpec {
  return {
    op,
    category: 'reduce',
    names: [`${F}${op}`],
    signature: [arg('input'), arg('target'), ...before, ...(legacy ? LEGACY : []), arg('reduction', 'mean'), ...after],
    forward: (args) => out(elementwiseLossShape(op, tensorShape(args, 'input', op), tensorShape(args, 'target', op), args.reduction)),
    macs: () => 0,
  };
}

function classLoss(op: string, extra: ArgSpec[], probabilities: boolean): FunctionSpec {
  return {
    op,
    category: 'reduce',
    names: [`${F}${op}`],
    signature: [arg('input'), arg('target'), arg('weight', null), arg('size_average', null), arg('ignore_index', -100), arg('reduce', null), arg('reduction', 'mean'), ...extra],
    forward: (args) => out(classLossShape(op, tensorShape(args, 'input', op), args.target, args.reduction, probabilities)),
    macs: () => 0,
  };
}

export const lossFunctions: FunctionSpec[] = [
  elementwise('l1_loss'),
  elementwise('mse_loss'),
  elementwise('smooth_l1_loss', [], [arg('beta', 1.0)]),
  elementwise('huber_loss', [], [arg('delta', 1.0)], false),
  elementwise('binary_cross_entropy', [arg('weight', null)]),
  elementwise('binary_cross_entropy_with_logits', [arg('weight', null)], [arg('pos_weight', null)]),
  elementwise('kl_div', [], [arg('log_target', false)]),
  classLoss('cross_entropy', [arg('label_smoothing', 0.0)], true),
  classLoss('nll_loss', [], false),
];

registerFunctions(lossFunctions);
