/**
 * The full `state_dict()` of a catalogue layer, children included, in PyTorch's order: a module's own
 * parameters, then its own persistent buffers, then each child's entries under `child.` in registration order.
 */
import { findLayer } from './registry';
import type { BoundArgs, LocalTensor } from './types';

export function layerStateDict(type: string, args: BoundArgs, prefix = ''): LocalTensor[] {
  const spec = findLayer(type);
  if (!spec) throw new Error(`layerStateDict: ${type} is not in the catalogue`);
  const own = spec.tensors(args);
  const result: LocalTensor[] = [
    ...own.filter((t) => t.role === 'parameter'),
    ...own.filter((t) => t.role === 'buffer'),
  ].map((t) => ({ ...t, name: prefix + t.name }));
  for (const child of spec.children?.(args) ?? []) result.push(...layerStateDict(child.type, child.args, `${prefix}${child.name}.`));
  return result;
}
