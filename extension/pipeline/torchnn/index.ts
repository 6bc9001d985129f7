/**
 * Importing this module registers the whole torch.nn catalogue: every family file registers its
 * entries with the registry as a side effect. Consumers then use findLayer / findFunction / bindArgs.
 */
import './linear';
import './convolutional';
import './normalization';
import './activations';
import './pooling';
import './dropout';
import './shape';
import './embedding';
import './recurrent';
import './attention';
import './loss';
import './functional/elementwise';
import './functional/tensor';
import './functional/reduce';
import './functional/linalg';
import './functional/nn';
import './functional/loss';
import './functional/indexing';
import './functional/misc';

export * from './registry';
export * from './types';
export { layerStateDict } from './stateDict';
export { moduleArg, readModuleArg } from './entries';
