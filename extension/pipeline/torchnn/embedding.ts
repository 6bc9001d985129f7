/** Embedding and EmbeddingBag (torch.nn.modules.sparse). */
import { arg, FACTORY_KWARGS, NO_MACS, param } from './entries';
import { registerLayers } from './registry';
import { fmtDims, intArg, isTensor, out, tensorShape } from './shapeMath';
import { ShapeError } from './types';
import type { BoundArgs, CatValue, LayerSpec } from './types';

const INT_DTYPES = new Set(['int64', 'int32']);

/** Indices must be Long or Int; an unknown dtype is given the benefit of the doubt. */
function checkIndices(where: string, v: CatValue): void {
  if (isTensor(v) && v.dtype !== undefined && !INT_DTYPES.has(v.dtype)) {
    throw new ShapeError(`${where}: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${v.dtype} instead (while checking arguments for embedding)`);
  }
}

function checkPaddingIdx(where: string, args: BoundArgs, num: number): void {
  const p = args.padding_idx;
  if (typeof p === 'number' && (p >= num || p < -num)) throw new ShapeError(`${where}: Padding_idx must be within num_embeddings`);
}

const embedding: LayerSpec = {
  type: 'Embedding',
  category: 'embedding',
  signature: [
    arg('num_embeddings'), arg('embedding_dim'), arg('padding_idx', null), arg('max_norm', null), arg('norm_type', 2.0),
    // _freeze is PyTorch >= 2.0 (keyword only here; it precedes device/dtype there).
    arg('scale_grad_by_freq', false), arg('sparse', false), arg('_weight', null), ...FACTORY_KWARGS, arg('_freeze', false),
  ],
  tensors(args) {
    const num = intArg(args.num_embeddings, 'num_embeddings', 'Embedding');
    checkPaddingIdx('Embedding', args, num);
    return [param('weight', [num, intArg(args.embedding_dim, 'embedding_dim', 'Embedding')], args._freeze !== true)];
  },
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'Embedding');
    checkIndices('Embedding', inputs.input);
    return out([...x, intArg(args.embedding_dim, 'embedding_dim', 'Embedding')]);
  },
  // A lookup, not a product.
  macs: NO_MACS,
  attrs: (args) => ({ num_embeddings: args.num_embeddings, embedding_dim: args.embedding_dim, padding_idx: args.padding_idx }),
};

const embeddingBag: LayerSpec = {
  type: 'EmbeddingBag',
  category: 'embedding',
  signature: [
    arg('num_embeddings'), arg('embedding_dim'), arg('max_norm', null), arg('norm_type', 2.0), arg('scale_grad_by_freq', false),
    arg('mode', 'mean'), arg('sparse', false), arg('_weight', null), arg('include_last_offset', false), arg('padding_idx', null), ...FACTORY_KWARGS,
  ],
  forwardSignature: [arg('input'), arg('offsets', null), arg('per_sample_weights', null)],
  tensors(args) {
    const num = intArg(args.num_embeddings, 'num_embeddings', 'EmbeddingBag');
    checkPaddingIdx('EmbeddingBag', args, num);
    return [param('weight', [num, intArg(args.embedding_dim, 'embedding_dim', 'EmbeddingBag')])];
  },
  forward(args, inputs) {
    const x = tensorShape(inputs, 'input', 'EmbeddingBag');
    checkIndices('EmbeddingBag', inputs.input);
    const dim = intArg(args.embedding_dim, 'embedding_dim', 'EmbeddingBag');
    if (x.length === 2) {
      if (inputs.offsets !== null && inputs.offsets !== undefined) throw new ShapeError('EmbeddingBag: if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.');
      return out([x[0], dim]);
    }
    if (x.length !== 1) throw new ShapeError(`EmbeddingBag: input has to be 1D or 2D Tensor, but got Tensor of dimension ${x.length} [${fmtDims(x)}]`);
    const offsets = tensorShape(inputs, 'offsets', 'EmbeddingBag');
    const bags = offsets[0];
    return out([bags === null ? null : args.include_last_offset === true ? bags - 1 : bags, dim]);
  },
  macs: NO_MACS,
  attrs: (args) => ({ num_embeddings: args.num_embeddings, embedding_dim: args.embedding_dim, mode: args.mode }),
};

export const embeddingLayers: LayerSpec[] = [embedding, embeddingBag];

registerLayers(embeddingLayers);
