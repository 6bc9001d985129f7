/**
 * The parser's corpus (test/corpus/corpus.json) and the pieces its tests share: where each case's source
 * is, the PyTorch truth (test/torch/corpus_truth.py, run once per process), and the interpreter's API.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArchGraph, ModelEntry } from '../../../extension/pipeline/arch/types';

export const REPO = resolve(__dirname, '../../..');
/** Where Debian's python3-torchvision lives: torchvision cases are parsed from this source. */
export const DIST_PACKAGES = '/usr/lib/python3/dist-packages';
export const PYTHON = '/usr/bin/python3';

export interface CorpusCase {
  id: string;
  /** Repo-relative path, or `torchvision:<module>` for torchvision/models/<module>.py. */
  file: string;
  entry: string;
  input: number[];
  inputDtype?: 'int64';
  expect: 'match' | { mismatch: string };
  note?: string;
}

export function loadCorpus(): CorpusCase[] {
  return JSON.parse(readFileSync(join(REPO, 'test/corpus/corpus.json'), 'utf8')).cases;
}

export function isTorchvision(c: CorpusCase): boolean {
  return c.file.startsWith('torchvision:');
}

/** Absolute path of the file the case's entry is built from. */
export function sourcePath(c: CorpusCase): string {
  if (isTorchvision(c)) return join(DIST_PACKAGES, 'torchvision/models', c.file.slice('torchvision:'.length).replace(/\./g, '/') + '.py');
  return join(REPO, c.file);
}

export interface TorchTruth {
  modelType: string;
  totalParams: number;
  trainableParams: number;
  stateDict: { name: string; shape: number[]; dtype: string }[];
  outputShape: number[] | null;
  /** Profiler FLOPs of aten::conv2d/addmm/mm/bmm (MACs = flops / 2). */
  flops: number;
  flopsByOp: Record<string, number>;
  /** The same by innermost module path ('' = the root's own forward). */
  flopsByModule: Record<string, number>;
  /** Ops of those kinds whose FLOPs torch could not compute (conv2d with padding='same'), by module path. */
  uncountedByModule?: Record<string, number>;
  error?: string;
}

/** Runs corpus_truth.py once for the given cases (one Python process; cached in .cache/truth/). */
export function torchTruth(ids?: string[]): Record<string, TorchTruth> {
  const args = [join(REPO, 'test/torch/corpus_truth.py')];
  if (ids) args.push('--ids', ids.join(','));
  const r = spawnSync(PYTHON, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '2' } });
  if (r.error) throw new Error(`cannot run ${PYTHON} (python3-torch and python3-torchvision are needed): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`corpus_truth.py failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout).cases;
}

/** The interpreter's entry points (extension/pipeline/python/index.ts). */
export interface PythonApi {
  findModelEntries(source: string, file: string): Promise<ModelEntry[]>;
  buildArchGraph(opts: {
    source: string;
    file: string;
    entry: string;
    inputShape?: number[];
    /** 'int64' for token ids (an LM's input); float32 when absent. */
    inputDtype?: string;
    readFile?: (path: string) => string | undefined | Promise<string | undefined>;
    pythonPaths?: string[];
    stepBudget?: number;
  }): Promise<ArchGraph>;
}

/**
 * Loaded at run time so a missing or broken interpreter fails these tests, not the whole suite's loading.
 * GHN_LENS_PYTHON_API=path overrides the module (to try a work-in-progress interpreter).
 */
export function loadPythonApi(): PythonApi {
  return require(process.env.GHN_LENS_PYTHON_API ?? join(REPO, 'extension/pipeline/python/index')) as PythonApi;
}
