/** Dropout layers (torch.nn.modules.dropout): identity on shapes, p validated like PyTorch. */
import { arg, NO_MACS } from './entries';
import { registerLayers } from './registry';
import { sameAs, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { LayerSpec } from './types';

/** Feature dropouts accept exactly these ranks (batched or not). */
const RANKS: Record<string, number[] | undefined> = {
  Dropout1d: [2, 3],
  Dropout2d: undefined, // 1.13 only warns for ranks other than 3 and 4
  Dropout3d: undefined, // likewise for 4 and 5
};

function dropoutLayer(type: string): LayerSpec {
  return {
    type,
    category: 'dropout',
    signature: [arg('p', 0.5), arg('inplace', false)],
    tensors(args) {
      if (typeof args.p === 'number' && (args.p < 0 || args.p > 1)) {
        throw new ShapeError(`${type}: dropout probability has to be between 0 and 1, but got ${args.p}`);
      }
      return [];
    },
    forward(_args, inputs) {
      const x = tensorShape(inputs, 'input', type);
      const ranks = RANKS[type];
      if (ranks && !ranks.includes(x.length)) {
        throw new ShapeError(`${type}: Expected 2D or 3D input, but received a ${x.length}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension`);
      }
      return sameAs(inputs, 'input', type);
    },
    macs: NO_MACS,
    attrs: (args) => ({ p: args.p }),
  };
}

export const dropoutLayers: LayerSpec[] = ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'].map(dropoutLayer);

registerLayers(dropoutLayers);
