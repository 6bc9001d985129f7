/**
 * One place to look up torch.nn layers and torch functions. Family files register their entries here.
 */
import type { ArgSpec, BoundArgs, CatValue, FunctionSpec, LayerSpec } from './types';

const layers = new Map<string, LayerSpec>();
const functions = new Map<string, FunctionSpec>();

export function registerLayers(specs: LayerSpec[]): void {
  for (const s of specs) layers.set(s.type, s);
}

export function registerFunctions(specs: FunctionSpec[]): void {
  for (const s of specs) for (const n of s.names) functions.set(n, s);
}

/** A torch.nn class by name (`Conv2d`), or undefined. */
export function findLayer(type: string): LayerSpec | undefined {
  return layers.get(type);
}

/** A function by any of its spellings (`torch.cat`, `F.relu`, `Tensor.view`, `operator.add`). */
export function findFunction(name: string): FunctionSpec | undefined {
  return functions.get(name);
}

export function allLayers(): LayerSpec[] {
  return [...layers.values()];
}

export function allFunctions(): FunctionSpec[] {
  return [...new Set(functions.values())];
}

export interface BindResult {
  args: BoundArgs;
  /** Human-readable problems (missing required argument, unexpected keyword...). */
  errors: string[];
}

/** Binds positional and keyword arguments to a signature the way Python does, filling defaults. */
export function bindArgs(signature: ArgSpec[], positional: CatValue[], keywords: Record<string, CatValue>): BindResult {
  const args: BoundArgs = {};
  const errors: string[] = [];
  let i = 0;
  for (const p of signature) {
    if (p.variadic) {
      args[p.name] = positional.slice(i);
      i = positional.length;
      continue;
    }
    if (i < positional.length) {
      args[p.name] = positional[i++];
      if (p.name in keywords) errors.push(`got multiple values for argument '${p.name}'`);
    } else if (p.name in keywords) {
      args[p.name] = keywords[p.name];
    } else if ('default' in p) {
      args[p.name] = p.default;
    } else {
      errors.push(`missing required argument '${p.name}'`);
    }
  }
  if (i < positional.length) errors.push(`takes ${i} positional arguments but ${positional.length} were given`);
  for (const k of Object.keys(keywords)) {
    if (!signature.some((p) => p.name === k)) errors.push(`got an unexpected keyword argument '${k}'`);
  }
  return { args, errors };
}
