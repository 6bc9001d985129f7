/** Dropout layers (torch.nn.modules.dropout): identity on shapes, p validated like PyTorch. */
import { arg, NO_MACS } from './entries';
import { registerLayers } from './registry';
import { sameAs, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { LayerSpec } from './types';

/** Dropout1d accepts exactly (C, L) or (N, C, L); 1.13's Dropout2d/3d only warn about other ranks. */
const DROPOUT1D_RANKS = [2, 3];

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
      if (type === 'Dropout1d' && !DROPOUT1D_RANKS.includes(x.length)) {
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
