/** Messages between the extension host and the GHN worker thread (`ghnWorker.ts`). */
import type { MetricsReport } from '../pipeline/metrics/report';
import type { ParamStats } from '../protocol/panel';

export interface PredictRequest {
  type: 'predict';
  id: number;
  /** Checkpoint file (.safetensors). */
  checkpoint: string;
  /** Folder holding the tfjs wasm binaries (the extension's dist/). */
  wasmDir: string;
  /** The model: its source (the editor's text, saved or not), file, entry and input shape. */
  source: string;
  file: string;
  entry: string;
  inputShape: number[];
  pythonPaths: string[];
  /** Where to write the predicted tensors. */
  output: string;
}

/** Static and predicted quality metrics of some entries of one file (`collectReport`). */
export interface MetricsRequest {
  type: 'metrics';
  id: number;
  /** The GHN whose embeddings the metric heads read; loaded only when the heads exist. */
  checkpoint?: string;
  headsFile: string;
  wasmDir: string;
  source: string;
  file: string;
  entries: string[];
  inputShape: number[];
  pythonPaths: string[];
}

export type ToWorker = PredictRequest | MetricsRequest | { type: 'cancel'; id: number };

export interface PredictResult {
  output: string;
  predicted: number;
  notPredicted: string[];
  totalTensors: number;
  bytes: number;
  ms: number;
  /** Where the model departs from what GHN-2 handles, and other notes from the GHN. */
  warnings: string[];
  ghnGraph: { nodes: number; edges: number };
  /** Statistics of every predicted tensor (for the panel's inspector), keyed by state_dict name. */
  stats: Record<string, ParamStats>;
}

export type FromWorker =
  | { type: 'progress'; id: number; fraction: number; message: string }
  | { type: 'done'; id: number; result: PredictResult }
  | { type: 'metrics'; id: number; report: MetricsReport }
  | { type: 'error'; id: number; message: string; cancelled: boolean };
