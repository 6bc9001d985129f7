/**
 * GHN-2 in TypeScript: load a checkpoint, predict every parameter of a model described by an ArchGraph.
 *
 *   const ghn = await loadGhn('ghn2_cifar10.safetensors');
 *   const r = await predictParameters(ghn, arch, { onProgress, signal });
 *   writeSafetensors('out.safetensors', r.tensors, {});
 */
import type { ArchGraph } from '../arch/types';
import { loadCheckpoint } from '../formats/checkpoint';
import type { GhnGraph, PredictTarget } from './graph';
import { ghnGraphFromArch, matchParams } from './graphFromArch';
import { defaultBuffer, defaultParam } from './init';
import { decoderTensors, ghnFromCheckpoint, type Ghn } from './network';
import { runGhn, uninitialised } from './run';

export { setGhnWasmDir } from './backend';
export { paramStats, type ParamStats } from './stats';
export { disposeGhn, GhnError, type Ghn } from './network';
export { ghnGraphFromArch, matchParams } from './graphFromArch';
export type { GhnGraph, PredictTarget } from './graph';

export interface PredictedTensor {
  shape: number[];
  dtype: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
}

export interface PredictionResult {
  /** Every state_dict key of the model, in state_dict order. */
  tensors: Map<string, PredictedTensor>;
  /** Parameters the GHN predicted. */
  predicted: string[];
  /** Parameters left at PyTorch's standard initialisation (layers outside GHN-2's 15 primitives). */
  notPredicted: string[];
  ghnGraph: { nodes: number; edges: number };
  /** Milliseconds per stage: graph, embed, gnn, decode1d, decoder, tile, defaults, total. */
  timings: Record<string, number>;
  /** Where the model departs from what the reference handles (it would crash or prune), and other notes. */
  warnings: string[];
}

export interface PredictOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string) => void;
}

/** Loads a GHN-2 checkpoint (.pt from ppuda or safetensors with `__metadata__.config`) and readies the backend. */
export async function loadGhn(pathOrBytes: string | Uint8Array, name?: string): Promise<Ghn> {
  const label = typeof pathOrBytes === 'string' ? pathOrBytes : name ?? '<bytes>';
  const ghn = ghnFromCheckpoint(loadCheckpoint(pathOrBytes, label), label);
  await decoderTensors(ghn);
  return ghn;
}

/** The reference decoder's index trick needs 64 % n_in == 0 in branch 1 (doc §11). */
function referenceWouldCrash(key: number[]): boolean {
  if (key.length !== 4 && !(key.length === 2 && key[1] > 0)) return false;
  const ki = key[1];
  const cls = key.length === 2;
  const branch1 = ki <= 32 || (key[0] < 64 && !cls);
  if (!branch1) return false;
  const nIn = ki < 64 && ki % 3 === 0 ? (ki / 3) * 4 : Math.min(ki, 64);
  return 64 % nIn !== 0;
}

/** Builds the GHN graph of `arch` and predicts all its parameters. */
export async function predictParameters(ghn: Ghn, arch: ArchGraph, opts: PredictOptions = {}): Promise<PredictionResult> {
  const t0 = performance.now();
  opts.onProgress?.(0, 'graph');
  const { graph, warnings } = ghnGraphFromArch(arch);
  const { targets, notPredicted } = matchParams(arch, graph, ghn.config.max_shape);
  const tGraph = performance.now() - t0;
  opts.onProgress?.(0.05, 'graph');
  for (const t of targets) {
    if (referenceWouldCrash(t.key)) warnings.push(`${t.param}: the reference GHN-2 decoder crashes for ${t.shape[1]} input channels; predicted with the same math (W[:n_out, :n_in])`);
    if (t.shape.length === 4 && Math.max(t.shape[2], t.shape[3]) > ghn.S && t.key[1] === 64) warnings.push(`${t.param}: kernel larger than ${ghn.S} with ≥ 32 channels fails in the reference; tiled spatially here`);
  }
  const state = arch.getAttribute('stateDict');
  // One uninitialised allocation per float tensor (every value is written below; Buffer.allocUnsafeSlow is
  // never pooled). Not one arena for all: an arena over glibc's 32 MiB mmap threshold is always a fresh mmap,
  // a page fault per 4 KiB on first touch (~50 ms for ResNet-50's 100 MB on the bench VM), unmapped when
  // collected; tensors under it come from malloc's heap and, after a process's first prediction, mostly reuse
  // pages an earlier prediction freed (ResNet-50 tile stage ~65 → ~17 ms).
  const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  // Allocated when the first tensor is written (after the GNN and decoders), so the allocations' GC pressure
  // does not land in the middle of the sequential sweep; in state_dict order, so the map iterates in that order.
  const tensors = new Map<string, PredictedTensor>();
  let allocated = false;
  const allocate = (): void => {
    if (allocated) return;
    allocated = true;
    for (const p of state) {
      const n = numel(p.shape);
      if (p.dtype === 'int64') tensors.set(p.name, { shape: [...p.shape], dtype: 'int64', data: new BigInt64Array(n) });
      else tensors.set(p.name, { shape: [...p.shape], dtype: 'float32', data: uninitialised(n) });
    }
  };
  const run = await runGhn(ghn, graph, targets, {
    signal: opts.signal,
    onProgress: opts.onProgress,
    alloc: (t: PredictTarget) => {
      allocate();
      const entry = tensors.get(t.param);
      if (entry && entry.data instanceof Float32Array && entry.data.length === numel(t.shape)) return entry.data;
      const out = uninitialised(numel(t.shape));
      tensors.set(t.param, { shape: t.shape, dtype: 'float32', data: out });
      return out;
    },
  });
  allocate();
  const t1 = performance.now();
  const modules = arch.getAttribute('modules');
  const siblingsOf = (name: string) => {
    const path = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
    return modules.find((m) => m.path === path)?.params ?? [];
  };
  for (const p of state) {
    if (run.params.has(p.name)) continue;
    const entry = tensors.get(p.name)!;
    const into = entry.data instanceof Float32Array ? entry.data : undefined;
    const init = p.role === 'buffer' ? defaultBuffer(p, into) : defaultParam(p, siblingsOf(p.name), into);
    if (init !== entry.data) entry.data = init;
  }
  for (const n of notPredicted) {
    const path = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '';
    const type = modules.find((m) => m.path === path)?.type ?? 'module';
    warnings.push(`${n}: ${type} is outside GHN-2's primitives (or not reached from the output); kept at PyTorch's default initialisation`);
  }
  const timings: Record<string, number> = { graph: tGraph, ...run.timings, defaults: performance.now() - t1 };
  timings.total = performance.now() - t0;
  opts.onProgress?.(1, 'done');
  return {
    tensors,
    predicted: targets.map((t) => t.param),
    notPredicted,
    ghnGraph: { nodes: graph.nodes.length, edges: graph.edges.length / 3 },
    timings,
    warnings,
  };
}

/** Lower-level: run the GHN on a prepared graph (used by tests against the reference fixtures). */
export { runGhn, type GhnRun } from './run';
export type { GhnGraph as PreparedGraph };
